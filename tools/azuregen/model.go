package main

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// list is the generator's input: the tokens fhir-dr uses and the facts the
// TypeScript declarations cannot carry.
type list struct {
	// Resources and Functions are type and function tokens, in list order.
	Resources, Functions []string
	// Outputs names, per resource token, the outputs to declare on the
	// resource struct. The SDK makes and resolves an output for every
	// declared field of every registration, used or not, so the layer
	// declares only the outputs fhir-dr reads.
	Outputs map[string][]string
	// Numbers are the numeric properties the provider types as "number"
	// (float64 in Go: swagger int64, float and double); every other
	// TypeScript number is an "integer". Keys are "module:Type.prop" for
	// object types (without the Args/Response suffix) and "<token>.prop"
	// for a resource's or function's own properties.
	Numbers map[string]bool
	// Enums are enums to generate constants for even where no input of the
	// list refers to them (an input typed plain string in the SDK whose
	// values Azure still restricts), keyed "module:Name".
	Enums []string
}

var tokenPattern = regexp.MustCompile(`^azure-native:([a-z0-9]+):([A-Za-z0-9]+)$`)

// parseList reads the list file: one entry a line, # comments. Forms:
//
//	azure-native:<module>:<Type> [outputs <name>,<name>]
//	azure-native:<module>:<function>
//	number <module>:<Type>.<prop> | number <token>.<prop>
//	enum <module>:<Name>
func parseList(name, src string) (*list, error) {
	l := &list{Outputs: map[string][]string{}, Numbers: map[string]bool{}}
	var problems []string
	seen := map[string]bool{}
	for i, line := range strings.Split(src, "\n") {
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("%s:%d: %s", name, i+1, fmt.Sprintf(format, args...)))
		}
		if seen[strings.Join(fields, " ")] {
			bad("listed twice")
			continue
		}
		seen[strings.Join(fields, " ")] = true
		switch fields[0] {
		case "number":
			if len(fields) != 2 || !strings.Contains(fields[1], ".") {
				bad("want: number <module>:<Type>.<prop>")
				continue
			}
			l.Numbers[fields[1]] = true
		case "enum":
			if len(fields) != 2 || strings.Count(fields[1], ":") != 1 {
				bad("want: enum <module>:<Name>")
				continue
			}
			l.Enums = append(l.Enums, fields[1])
		default:
			m := tokenPattern.FindStringSubmatch(fields[0])
			if m == nil {
				bad("%q is not an azure-native token", fields[0])
				continue
			}
			if unicode.IsLower(rune(m[2][0])) {
				if len(fields) != 1 {
					bad("a function takes no options")
				}
				l.Functions = append(l.Functions, fields[0])
				continue
			}
			l.Resources = append(l.Resources, fields[0])
			switch {
			case len(fields) == 1:
			case len(fields) == 3 && fields[1] == "outputs":
				l.Outputs[fields[0]] = strings.Split(fields[2], ",")
			default:
				bad("want: <token> [outputs <name>,<name>]")
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return l, nil
}

// prop is one property of a resource, function or object type.
type prop struct {
	Wire     string
	GoName   string
	Doc      string
	Required bool
	Type     *tsType
	// Expr is the facts type expression.
	Expr string
	// Number reports a float64 ("number") numeric property.
	Number bool
}

// object is an input or output object type.
type object struct {
	Module string
	// Name is the type's name without its Args or Response suffix: the
	// provider schema's name.
	Name string
	// GoName is the Go name: <Name>Args or <Name>Response, or
	// <Name>TypeArgs where a resource of the module has the same name.
	GoName string
	// TSName is the TypeScript name, <Name>Args or <Name>Response.
	TSName string
	Doc    string
	Props  []prop
	// Discriminator is set on a union member: field and value.
	Discriminator map[string]string
	// Defaults are the SDK's defaults for this type's properties.
	Defaults []sdkDefault
	Output   bool
}

// sdkDefault is one default the SDK fills: a literal for an unset property,
// or the nested type's defaults for a set object property.
type sdkDefault struct {
	Wire string
	// Literal is a string, float64 or bool; nil for a nested default.
	Literal any
	// Nested is the object type whose defaults apply.
	Nested string
}

// resource is one resource type.
type resource struct {
	Token, Module, Name string
	APIVersion          string
	Doc                 string
	Args                []prop
	Defaults            []sdkDefault
	// Outputs are the declared output properties; OutputOnly the names of
	// the class's properties that are not inputs.
	Outputs    []prop
	OutputOnly []string
}

// function is one provider function (invoke).
type function struct {
	Token, Module, Name string
	APIVersion          string
	Doc                 string
	Args                []prop
	Result              []prop
}

// model is everything the generator writes.
type model struct {
	Version   string
	Resources []*resource
	Functions []*function
	// Objects are keyed by objectKey.
	Objects map[string]*object
	// Enums are keyed "module:Name".
	Enums map[string]enumDecl

	pkg  *pkgReader
	list *list
}

func buildModel(pkg *pkgReader, l *list, version string) (*model, error) {
	m := &model{Version: version, Objects: map[string]*object{}, Enums: map[string]enumDecl{}, pkg: pkg, list: l}
	for _, token := range l.Resources {
		r, err := m.resource(token)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", token, err)
		}
		m.Resources = append(m.Resources, r)
	}
	for _, token := range l.Functions {
		f, err := m.function(token)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", token, err)
		}
		m.Functions = append(m.Functions, f)
	}
	for _, key := range l.Enums {
		module, name, _ := strings.Cut(key, ":")
		if err := m.addEnum(module, name); err != nil {
			return nil, err
		}
	}
	var unused []string
	for key := range l.Numbers {
		if !m.numberUsed(key) {
			unused = append(unused, key)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return nil, fmt.Errorf("number entries that name no numeric property: %s", strings.Join(unused, ", "))
	}
	return m, nil
}

func splitToken(token string) (module, name string) {
	parts := strings.Split(token, ":")
	return parts[1], parts[2]
}

var pulumiTypeLine = regexp.MustCompile(`static __pulumiType = '([^']+)';`)

func (m *model) resource(token string) (*resource, error) {
	module, name := splitToken(token)
	base := module + "/" + lowerFirst(name)
	dts, err := m.pkg.read(base + ".d.ts")
	if err != nil {
		return nil, err
	}
	js, err := m.pkg.read(base + ".js")
	if err != nil {
		return nil, err
	}
	if got := pulumiTypeLine.FindStringSubmatch(js); got == nil || got[1] != token {
		return nil, fmt.Errorf("%s.js does not declare the token %s", base, token)
	}
	if strings.Contains(js, "pulumi.secret(") || strings.Contains(js, "additionalSecretOutputs") ||
		strings.Contains(js, "replaceOnChanges: [") {
		return nil, fmt.Errorf("%s.js uses secrets or replaceOnChanges, which the generator does not write yet", base)
	}
	r := &resource{Token: token, Module: module, Name: name}
	if r.APIVersion, err = apiVersion(base+".d.ts", dts); err != nil {
		return nil, err
	}
	toks, err := lexTS(dts)
	if err != nil {
		return nil, fmt.Errorf("%s.d.ts: %w", base, err)
	}
	p := &tsParser{toks: toks, file: base + ".d.ts"}
	if !p.findBody("export", "declare", "class", name) {
		return nil, fmt.Errorf("%s.d.ts has no class %s", base, name)
	}
	// The class's doc comment stands before its own `export`.
	for i := p.pos - 1; i >= 0; i-- {
		if toks[i].text == "export" {
			r.Doc = toks[i].doc
			break
		}
	}
	classMembers, err := p.parseMembers()
	if err != nil {
		return nil, err
	}
	p = &tsParser{toks: toks, file: base + ".d.ts"}
	if !p.findBody("export", "interface", name+"Args") {
		return nil, fmt.Errorf("%s.d.ts has no interface %sArgs", base, name)
	}
	argMembers, err := p.parseMembers()
	if err != nil {
		return nil, err
	}
	isInput := map[string]bool{}
	for _, a := range argMembers {
		pr, err := m.prop(token, a, false)
		if err != nil {
			return nil, err
		}
		r.Args = append(r.Args, pr)
		isInput[a.name] = true
	}
	wanted := map[string]bool{}
	for _, o := range m.list.Outputs[token] {
		wanted[o] = true
	}
	for _, c := range classMembers {
		if !c.readonly {
			continue
		}
		if !isInput[c.name] {
			r.OutputOnly = append(r.OutputOnly, c.name)
		}
		if !wanted[c.name] {
			continue
		}
		delete(wanted, c.name)
		pr, err := m.prop(token, c, true)
		if err != nil {
			return nil, err
		}
		r.Outputs = append(r.Outputs, pr)
	}
	if len(wanted) > 0 {
		return nil, fmt.Errorf("the list names outputs the class does not have: %v", slices.Sorted(maps.Keys(wanted)))
	}
	sort.Strings(r.OutputOnly)
	if r.Defaults, err = m.resourceDefaults(base+".js", js, r.Args); err != nil {
		return nil, err
	}
	return r, nil
}

func (m *model) function(token string) (*function, error) {
	module, name := splitToken(token)
	base := module + "/" + name
	dts, err := m.pkg.read(base + ".d.ts")
	if err != nil {
		return nil, err
	}
	js, err := m.pkg.read(base + ".js")
	if err != nil {
		return nil, err
	}
	if !strings.Contains(js, `pulumi.runtime.invokeOutput("`+token+`"`) {
		return nil, fmt.Errorf("%s.js does not invoke %s", base, token)
	}
	f := &function{Token: token, Module: module, Name: name}
	if f.APIVersion, err = apiVersion(base+".d.ts", dts); err != nil {
		return nil, err
	}
	toks, err := lexTS(dts)
	if err != nil {
		return nil, fmt.Errorf("%s.d.ts: %w", base, err)
	}
	for i, t := range toks {
		if t.text == "export" && t.doc != "" && i+2 < len(toks) && toks[i+2].text == "function" {
			f.Doc = t.doc
			break
		}
	}
	goName := upperFirst(name)
	for _, part := range []struct {
		iface string
		dst   *[]prop
	}{{goName + "Args", &f.Args}, {goName + "Result", &f.Result}} {
		p := &tsParser{toks: toks, file: base + ".d.ts"}
		if !p.findBody("export", "interface", part.iface) {
			return nil, fmt.Errorf("%s.d.ts has no interface %s", base, part.iface)
		}
		members, err := p.parseMembers()
		if err != nil {
			return nil, err
		}
		for _, mem := range members {
			pr, err := m.prop(token, mem, part.iface == goName+"Result")
			if err != nil {
				return nil, err
			}
			*part.dst = append(*part.dst, pr)
		}
	}
	return f, nil
}

// prop converts a TypeScript member of owner (a token or "module:Type")
// and registers the object types and enums it refers to.
func (m *model) prop(owner string, mem tsMember, output bool) (prop, error) {
	pr := prop{Wire: mem.name, GoName: goFieldName(mem.name), Doc: mem.doc, Type: mem.typ}
	pr.Required = !mem.optional && !mem.typ.optional
	pr.Number = m.list.Numbers[owner+"."+mem.name]
	expr, err := m.expr(mem.typ, pr.Number, output)
	if err != nil {
		return prop{}, fmt.Errorf("%s.%s: %w", owner, mem.name, err)
	}
	pr.Expr = expr
	return pr, nil
}

// expr returns the facts type expression of t, adding the objects and
// enums it names to the model.
func (m *model) expr(t *tsType, number, output bool) (string, error) {
	switch t.kind {
	case tsPrim:
		switch t.name {
		case "number":
			if number {
				return "number", nil
			}
			return "integer", nil
		case "string", "boolean", "any":
			return t.name, nil
		}
	case tsLiteral:
		if _, err := strconv.ParseFloat(t.name, 64); err == nil {
			return "integer", nil
		}
		if t.name == "true" || t.name == "false" {
			return "boolean", nil
		}
		return "string", nil
	case tsEnum:
		if err := m.addEnum(t.module, t.typeName); err != nil {
			return "", err
		}
		e := m.Enums[t.module+":"+t.typeName]
		if len(e.Members) > 0 && e.Members[0].Number {
			return "integer", nil
		}
		return "enum<" + t.module + ":" + t.typeName + ">", nil
	case tsRef:
		o, err := m.object(t.module, t.typeName, output)
		if err != nil {
			return "", err
		}
		return o.Module + ":" + o.Name, nil
	case tsArray:
		elem, err := m.expr(t.elem, number, output)
		if err != nil {
			return "", err
		}
		return "array<" + strings.SplitN(elem, " (", 2)[0] + ">", nil
	case tsMap:
		elem, err := m.expr(t.elem, number, output)
		if err != nil {
			return "", err
		}
		return "map<" + strings.SplitN(elem, " (", 2)[0] + ">", nil
	case tsUnion:
		return m.unionExpr(t, number, output)
	}
	return "", fmt.Errorf("unsupported type %s", t)
}

// unionExpr handles the three unions the SDK emits: an open enum
// (string | enums.X), a union of object types told apart by a literal
// discriminator, and a scalar union such as string | number (any).
func (m *model) unionExpr(t *tsType, number, output bool) (string, error) {
	var refs, enums []*tsType
	prims := map[string]bool{}
	for _, mem := range t.members {
		switch mem.kind {
		case tsRef:
			refs = append(refs, mem)
		case tsEnum:
			enums = append(enums, mem)
		case tsPrim:
			prims[mem.name] = true
		default:
			return "", fmt.Errorf("unsupported union member %s in %s", mem, t)
		}
	}
	switch {
	case len(refs) == 0 && len(enums) > 0 && len(prims) <= 1 && (prims["string"] || len(prims) == 0):
		// An open enum: Azure takes values beyond the SDK's list.
		for _, e := range enums {
			if err := m.addEnum(e.module, e.typeName); err != nil {
				return "", err
			}
		}
		if len(enums) == 1 && len(prims) == 0 {
			return "enum<" + enums[0].module + ":" + enums[0].typeName + ">", nil
		}
		return "string", nil
	case len(refs) == 0 && len(enums) == 0:
		return "any", nil
	case len(refs) > 1 && len(enums) == 0 && len(prims) == 0:
		var names, values []string
		field := ""
		for _, ref := range refs {
			o, err := m.object(ref.module, ref.typeName, output)
			if err != nil {
				return "", err
			}
			f, v := o.literalProp()
			if f == "" || field != "" && f != field {
				return "", fmt.Errorf("union %s has no common discriminator", t)
			}
			field = f
			o.Discriminator = map[string]string{f: v}
			names = append(names, o.Module+":"+o.Name)
			values = append(values, strconv.Quote(v))
		}
		return fmt.Sprintf("union<%s> (discriminator field %q: %s)", strings.Join(names, "|"), field,
			strings.Join(values, " | ")), nil
	}
	return "", fmt.Errorf("unsupported union %s", t)
}

// literalProp returns the member whose type is a single string literal.
func (o *object) literalProp() (field, value string) {
	for _, p := range o.Props {
		if p.Type.kind == tsLiteral {
			return p.Wire, p.Type.name
		}
	}
	return "", ""
}

func (m *model) addEnum(module, name string) error {
	key := module + ":" + name
	if _, ok := m.Enums[key]; ok {
		return nil
	}
	e, err := m.pkg.enum(module, name)
	if err != nil {
		return err
	}
	m.Enums[key] = e
	return nil
}

// object returns the named input or output type, building it (and what it
// refers to) the first time.
func (m *model) object(module, goName string, output bool) (*object, error) {
	key := objectKey(module, goName, output)
	if o, ok := m.Objects[key]; ok {
		return o, nil
	}
	suffix := "Args"
	read := m.pkg.inputType
	if output {
		// Most output types end in Response; a few nested ones do not.
		suffix, read = "Response", m.pkg.outputType
	} else if !strings.HasSuffix(goName, suffix) {
		return nil, fmt.Errorf("input type %s.%s is not named ...Args", module, goName)
	}
	o := &object{Module: module, GoName: goName, TSName: goName, Name: strings.TrimSuffix(goName, suffix), Output: output}
	if !output && m.pkg.isResource(module, o.Name) {
		// The Go SDK renames an input type that shares its name with a
		// resource of the module: network's Subnet type is SubnetTypeArgs.
		o.GoName = o.Name + "TypeArgs"
	}
	m.Objects[key] = o
	members, err := read(module, goName)
	if err != nil {
		return nil, err
	}
	for _, mem := range members {
		pr, err := m.prop(module+":"+o.Name, mem, output)
		if err != nil {
			return nil, err
		}
		o.Props = append(o.Props, pr)
	}
	if !output {
		if o.Defaults, err = m.typeDefaults(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

var (
	literalDefault = regexp.MustCompile(`^(\w+): \(val\.(\w+)\) \?\? (.+),$`)
	nestedDefault  = regexp.MustCompile(`^(\w+): pulumi\.output\(val\.(\w+)\)\.apply\((?:v => v === undefined \? undefined : )?inputs\.(\w+)\.(\w+)ProvideDefaults(?:\(v\))?\),$`)
	resLiteral     = regexp.MustCompile(`^resourceInputs\["(\w+)"\] = \(args\?\.(\w+)\) \?\? (.+);$`)
	resNested      = regexp.MustCompile(`^resourceInputs\["(\w+)"\] = args \? pulumi\.output\(args\.(\w+)\)\.apply\((?:v => v === undefined \? undefined : )?inputs\.(\w+)\.(\w+)ProvideDefaults(?:\(v\))?\) : undefined;$`)
	resPlain       = regexp.MustCompile(`^resourceInputs\["(\w+)"\] = args\?\.(\w+);$`)
)

// typeDefaults reads <type>ProvideDefaults of types/input.js.
func (m *model) typeDefaults(o *object) ([]sdkDefault, error) {
	body, ok := m.pkg.inputDefaults[o.Module+"."+lowerFirst(o.TSName)]
	if !ok {
		return nil, nil
	}
	var defs []sdkDefault
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		switch line {
		case "", "return {", "...val,", "};":
			continue
		}
		d, err := m.parseDefault(line, literalDefault, nestedDefault)
		if err != nil {
			return nil, fmt.Errorf("types/input.js %sProvideDefaults: %w", lowerFirst(o.TSName), err)
		}
		defs = append(defs, d)
	}
	return defs, nil
}

func (m *model) parseDefault(line string, literal, nested *regexp.Regexp) (sdkDefault, error) {
	if g := literal.FindStringSubmatch(line); g != nil && g[1] == g[2] {
		v, err := jsLiteral(g[3])
		return sdkDefault{Wire: g[1], Literal: v}, err
	}
	if g := nested.FindStringSubmatch(line); g != nil && g[1] == g[2] {
		typeName := upperFirst(g[4])
		if _, err := m.object(g[3], typeName, false); err != nil {
			return sdkDefault{}, err
		}
		return sdkDefault{Wire: g[1], Nested: objectKey(g[3], typeName, false)}, nil
	}
	return sdkDefault{}, fmt.Errorf("unrecognised default %q", line)
}

func (m *model) resourceDefaults(file, js string, args []prop) ([]sdkDefault, error) {
	start := strings.Index(js, "if (!opts.id) {")
	end := strings.Index(js, "else {")
	if start < 0 || end < start {
		return nil, fmt.Errorf("%s: no input block", file)
	}
	var defs []sdkDefault
	for _, line := range strings.Split(js[start:end], "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "resourceInputs[") || strings.HasSuffix(line, "undefined /*out*/;") || resPlain.MatchString(line) {
			continue
		}
		d, err := m.parseDefault(line, resLiteral, resNested)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		defs = append(defs, d)
	}
	return defs, nil
}

// jsLiteral parses a string, number or boolean literal of the JS files.
func jsLiteral(s string) (any, error) {
	switch {
	case s == "true":
		return true, nil
	case s == "false":
		return false, nil
	case strings.HasPrefix(s, `"`):
		return strconv.Unquote(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("unsupported default literal %s", s)
	}
	return f, nil
}

func (m *model) numberUsed(key string) bool {
	// The owner (a token or module:Type) has no dot; the property follows
	// the last one.
	i := strings.LastIndex(key, ".")
	owner, field := key[:i], key[i+1:]
	check := func(props []prop) bool {
		for _, p := range props {
			if p.Wire == field && p.Number {
				return true
			}
		}
		return false
	}
	for _, r := range m.Resources {
		if r.Token == owner && (check(r.Args) || check(r.Outputs)) {
			return true
		}
	}
	for _, f := range m.Functions {
		if f.Token == owner && (check(f.Args) || check(f.Result)) {
			return true
		}
	}
	for _, o := range m.Objects {
		if o.Module+":"+o.Name == owner && check(o.Props) {
			return true
		}
	}
	return false
}

// upperFirst upper-cases the first letter.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// goFieldName is Pulumi's Go codegen name for a property: the wire name
// with its first letter upper-cased (enableRBAC -> EnableRBAC), parts
// joined where the name has characters Go does not allow.
func goFieldName(wire string) string {
	parts := strings.FieldsFunc(wire, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	})
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(upperFirst(p))
	}
	name := b.String()
	if name == "" || unicode.IsDigit(rune(name[0])) {
		name = "X" + name
	}
	return name
}

// objectKey is the key of an input or output type in model.Objects.
func objectKey(module, tsName string, output bool) string {
	if output {
		return "out:" + module + "." + tsName
	}
	return "in:" + module + "." + tsName
}
