package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// pkgReader reads the unpacked @pulumi/azure-native package: the resource
// and function files of each module, the shared input and output type
// declarations, the enum objects and the SDK's default functions.
type pkgReader struct {
	dir string
	// Interfaces of types/input.d.ts and types/output.d.ts, keyed
	// "module.Name", as the source text of their bodies.
	inputs, outputs map[string]string
	// inputDefaults holds the body of each <name>ProvideDefaults function of
	// types/input.js, keyed "module.<TypeName>" (e.g. "cosmosdb.IndexingPolicyArgs").
	inputDefaults map[string]string
	enums         map[string]map[string]enumDecl // module -> name -> enum
	resources     map[string]bool
}

// isResource reports whether the module has a resource type of that name.
func (r *pkgReader) isResource(module, name string) bool {
	key := module + "." + name
	if v, ok := r.resources[key]; ok {
		return v
	}
	src, err := os.ReadFile(filepath.Join(r.dir, module, lowerFirst(name)+".d.ts"))
	v := err == nil && strings.Contains(string(src), "export declare class "+name+" extends pulumi.CustomResource")
	r.resources[key] = v
	return v
}

// enumDecl is one enum object of types/enums/<module>/index.d.ts.
type enumDecl struct {
	Name    string
	Members []enumMember
}

// enumMember is one value of an enum.
type enumMember struct {
	Name  string
	Value string
	// Number reports a numeric enum value.
	Number bool
	Doc    string
}

var (
	namespaceLine = regexp.MustCompile(`(?m)^export declare namespace (\w+) \{$`)
	interfaceLine = regexp.MustCompile(`(?m)^    interface (\w+) \{$`)
	jsModuleLine  = regexp.MustCompile(`(?m)^\(function \((\w+)\) \{$`)
	defaultsLine  = regexp.MustCompile(`(?m)^    function (\w+)ProvideDefaults\(val\) \{$`)
)

func newPkgReader(dir string) (*pkgReader, error) {
	r := &pkgReader{dir: dir, enums: map[string]map[string]enumDecl{}, resources: map[string]bool{}}
	var err error
	if r.inputs, err = r.indexInterfaces("types/input.d.ts"); err != nil {
		return nil, err
	}
	if r.outputs, err = r.indexInterfaces("types/output.d.ts"); err != nil {
		return nil, err
	}
	if r.inputDefaults, err = r.indexDefaults("types/input.js"); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *pkgReader) read(rel string) (string, error) {
	b, err := os.ReadFile(filepath.Join(r.dir, rel))
	if err != nil {
		return "", fmt.Errorf("reading the azure-native package: %w", err)
	}
	return string(b), nil
}

// chunks splits src at each match of header, returning the first submatch
// of each header with the text up to the next header.
func chunks(src string, header *regexp.Regexp) map[string]string {
	locs := header.FindAllStringSubmatchIndex(src, -1)
	out := make(map[string]string, len(locs))
	for i, loc := range locs {
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		out[src[loc[2]:loc[3]]] = src[loc[1]:end]
	}
	return out
}

func (r *pkgReader) indexInterfaces(rel string) (map[string]string, error) {
	src, err := r.read(rel)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for module, body := range chunks(src, namespaceLine) {
		for _, loc := range interfaceLine.FindAllStringSubmatchIndex(body, -1) {
			name := body[loc[2]:loc[3]]
			end := strings.Index(body[loc[1]:], "\n    }\n")
			if end < 0 {
				return nil, fmt.Errorf("%s: interface %s.%s has no end", rel, module, name)
			}
			out[module+"."+name] = body[loc[1] : loc[1]+end+len("\n    }")]
		}
	}
	return out, nil
}

func (r *pkgReader) indexDefaults(rel string) (map[string]string, error) {
	src, err := r.read(rel)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for module, body := range chunks(src, jsModuleLine) {
		for _, loc := range defaultsLine.FindAllStringSubmatchIndex(body, -1) {
			fn := body[loc[2]:loc[3]]
			end := strings.Index(body[loc[1]:], "\n    }\n")
			if end < 0 {
				return nil, fmt.Errorf("%s: %s has no end", rel, fn)
			}
			// The function is named after the type with its first letter
			// lower-cased; the type's own name is recovered from the input
			// interfaces of the same module.
			out[module+"."+fn] = body[loc[1] : loc[1]+end]
		}
	}
	return out, nil
}

// parseBody parses the members of an interface or class body (the text after
// its opening brace, up to and including the closing one).
func parseBody(file, body string) ([]tsMember, error) {
	toks, err := lexTS(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	p := &tsParser{toks: toks, file: file}
	return p.parseMembers()
}

// inputType returns the members of inputs.<module>.<name>.
func (r *pkgReader) inputType(module, name string) ([]tsMember, error) {
	body, ok := r.inputs[module+"."+name]
	if !ok {
		return nil, fmt.Errorf("types/input.d.ts has no interface %s.%s", module, name)
	}
	return parseBody("types/input.d.ts "+module+"."+name, body)
}

// outputType returns the members of outputs.<module>.<name>.
func (r *pkgReader) outputType(module, name string) ([]tsMember, error) {
	body, ok := r.outputs[module+"."+name]
	if !ok {
		return nil, fmt.Errorf("types/output.d.ts has no interface %s.%s", module, name)
	}
	return parseBody("types/output.d.ts "+module+"."+name, body)
}

// enum returns the enum <module>.<name>.
func (r *pkgReader) enum(module, name string) (enumDecl, error) {
	if _, ok := r.enums[module]; !ok {
		decls, err := r.readEnums(module)
		if err != nil {
			return enumDecl{}, err
		}
		r.enums[module] = decls
	}
	e, ok := r.enums[module][name]
	if !ok {
		return enumDecl{}, fmt.Errorf("types/enums/%s has no enum %s", module, name)
	}
	return e, nil
}

func (r *pkgReader) readEnums(module string) (map[string]enumDecl, error) {
	rel := "types/enums/" + module + "/index.d.ts"
	src, err := r.read(rel)
	if err != nil {
		return nil, err
	}
	toks, err := lexTS(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	out := map[string]enumDecl{}
	for i := 0; i+4 < len(toks); i++ {
		if toks[i].text != "export" || toks[i+1].text != "declare" || toks[i+2].text != "const" || toks[i+4].text != ":" {
			continue
		}
		e := enumDecl{Name: toks[i+3].text}
		j := i + 5
		if toks[j].text != "{" {
			return nil, fmt.Errorf("%s: enum %s is not an object", rel, e.Name)
		}
		for j++; j < len(toks) && toks[j].text != "}"; j += 5 {
			// readonly Name : value ;
			if toks[j].text != "readonly" || toks[j+2].text != ":" || toks[j+4].text != ";" {
				return nil, fmt.Errorf("%s: enum %s: unexpected %q", rel, e.Name, toks[j].text)
			}
			v := toks[j+3]
			m := enumMember{Name: toks[j+1].text, Value: v.text, Doc: toks[j].doc}
			if !v.str {
				if _, err := strconv.ParseFloat(v.text, 64); err != nil {
					return nil, fmt.Errorf("%s: enum %s.%s: value %q", rel, e.Name, m.Name, v.text)
				}
				m.Number = true
			}
			e.Members = append(e.Members, m)
		}
		out[e.Name] = e
		i = j
	}
	return out, nil
}

// apiVersionLine finds the REST API version in a file's header comment.
var apiVersionLine = regexp.MustCompile(`Uses Azure REST API version ([0-9A-Za-z-]+)\.`)

// apiVersion returns the Azure REST API version a resource or function file
// names in its header.
func apiVersion(file, src string) (string, error) {
	m := apiVersionLine.FindStringSubmatch(src)
	if m == nil {
		return "", fmt.Errorf("%s: no \"Uses Azure REST API version\" line", file)
	}
	return m[1], nil
}
