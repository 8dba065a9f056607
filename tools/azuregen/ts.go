package main

import (
	"fmt"
	"strings"
	"unicode"
)

// The TypeScript the azure-native package ships is machine-written by
// Pulumi's Node.js code generator, so a small lexer and a parser for the few
// forms it emits (interfaces, class members, enum objects, type expressions)
// read it exactly; anything outside those forms is an error, never a guess.

// tsToken is one lexical token of a declaration file.
type tsToken struct {
	text string
	// doc is the /** ... */ comment directly before the token, if any.
	doc string
	// str reports a string literal; text then holds its value.
	str bool
}

// lexTS splits TypeScript source into tokens, dropping comments but keeping
// each doc comment on the token that follows it.
func lexTS(src string) ([]tsToken, error) {
	var toks []tsToken
	doc := ""
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(src[i:], "/**"):
			end := strings.Index(src[i+3:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment at offset %d", i)
			}
			doc = cleanDoc(src[i+3 : i+3+end])
			i += 3 + end + 2
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment at offset %d", i)
			}
			i += 2 + end + 2
		case strings.HasPrefix(src[i:], "//"):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			i += end
		case c == '"' || c == '\'':
			j := i + 1
			var b strings.Builder
			for j < len(src) && src[j] != c {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				b.WriteByte(src[j])
				j++
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string at offset %d", i)
			}
			toks = append(toks, tsToken{text: b.String(), doc: doc, str: true})
			doc = ""
			i = j + 1
		case isIdentByte(c) || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i + 1
			for j < len(src) && (isIdentByte(src[j]) || src[j] == '.') {
				j++
			}
			toks = append(toks, tsToken{text: src[i:j], doc: doc})
			doc = ""
			i = j
		default:
			toks = append(toks, tsToken{text: string(c), doc: doc})
			doc = ""
			i++
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// cleanDoc turns the body of a doc comment into plain text lines.
func cleanDoc(body string) string {
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimPrefix(l, "*")
		lines = append(lines, strings.TrimSpace(l))
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// tsKind is the kind of a parsed TypeScript type.
type tsKind int

const (
	tsPrim    tsKind = iota // string, number, boolean, any
	tsLiteral               // a string or number literal type
	tsEnum                  // enums.<module>.<Name>
	tsRef                   // inputs.<module>.<Name> or outputs.<module>.<Name>
	tsArray
	tsMap
	tsUnion
)

// tsType is a TypeScript type with pulumi.Input/Output wrappers and
// `undefined` removed.
type tsType struct {
	kind tsKind
	// name is the primitive's name or the literal's value.
	name string
	// module and typeName name an enum or object reference.
	module, typeName string
	elem             *tsType
	members          []*tsType
	// optional records that `undefined` was one of the alternatives.
	optional bool
}

func (t *tsType) String() string {
	switch t.kind {
	case tsPrim:
		return t.name
	case tsLiteral:
		return fmt.Sprintf("%q", t.name)
	case tsEnum:
		return "enums." + t.module + "." + t.typeName
	case tsRef:
		return t.module + "." + t.typeName
	case tsArray:
		return t.elem.String() + "[]"
	case tsMap:
		return "{[key: string]: " + t.elem.String() + "}"
	}
	var parts []string
	for _, m := range t.members {
		parts = append(parts, m.String())
	}
	return strings.Join(parts, " | ")
}

// tsParser reads a token stream.
type tsParser struct {
	toks []tsToken
	pos  int
	file string
}

func (p *tsParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].text
	}
	return ""
}

func (p *tsParser) next() tsToken {
	if p.pos < len(p.toks) {
		p.pos++
		return p.toks[p.pos-1]
	}
	return tsToken{}
}

func (p *tsParser) expect(text string) error {
	if got := p.next(); got.text != text || got.str {
		return p.errorf("expected %q, found %q", text, got.text)
	}
	return nil
}

func (p *tsParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: token %d: %s", p.file, p.pos, fmt.Sprintf(format, args...))
}

// parseType parses a union of postfix types.
func (p *tsParser) parseType() (*tsType, error) {
	var alts []*tsType
	optional := false
	for {
		t, err := p.parsePostfix()
		if err != nil {
			return nil, err
		}
		if t.kind == tsPrim && t.name == "undefined" {
			optional = true
		} else if t.kind == tsUnion {
			alts = append(alts, t.members...)
			optional = optional || t.optional
		} else {
			optional = optional || t.optional
			t.optional = false
			alts = append(alts, t)
		}
		if p.peek() != "|" {
			break
		}
		p.next()
	}
	if len(alts) == 0 {
		return nil, p.errorf("a type of only undefined")
	}
	if len(alts) == 1 {
		alts[0].optional = optional
		return alts[0], nil
	}
	return &tsType{kind: tsUnion, members: alts, optional: optional}, nil
}

func (p *tsParser) parsePostfix() (*tsType, error) {
	t, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for p.peek() == "[" && p.pos+1 < len(p.toks) && p.toks[p.pos+1].text == "]" {
		p.pos += 2
		t = &tsType{kind: tsArray, elem: t}
	}
	return t, nil
}

func (p *tsParser) parsePrimary() (*tsType, error) {
	tok := p.next()
	if tok.str {
		return &tsType{kind: tsLiteral, name: tok.text}, nil
	}
	switch name := tok.text; {
	case name == "pulumi.Input" || name == "pulumi.Output":
		if err := p.expect("<"); err != nil {
			return nil, err
		}
		t, err := p.parseType()
		if err != nil {
			return nil, err
		}
		return t, p.expect(">")
	case name == "(":
		t, err := p.parseType()
		if err != nil {
			return nil, err
		}
		return t, p.expect(")")
	case name == "{":
		// { [key: string]: T; }
		for _, want := range []string{"[", "key", ":", "string", "]", ":"} {
			if err := p.expect(want); err != nil {
				return nil, err
			}
		}
		elem, err := p.parseType()
		if err != nil {
			return nil, err
		}
		if p.peek() == ";" {
			p.next()
		}
		return &tsType{kind: tsMap, elem: elem}, p.expect("}")
	case name == "string" || name == "number" || name == "boolean" || name == "any" || name == "undefined":
		return &tsType{kind: tsPrim, name: name}, nil
	case name != "" && (name[0] >= '0' && name[0] <= '9' || name[0] == '-'):
		return &tsType{kind: tsLiteral, name: name}, nil
	case name == "true" || name == "false":
		return &tsType{kind: tsLiteral, name: name}, nil
	}
	parts := strings.Split(tok.text, ".")
	switch {
	case len(parts) == 3 && parts[0] == "enums":
		return &tsType{kind: tsEnum, module: parts[1], typeName: parts[2]}, nil
	case len(parts) == 3 && (parts[0] == "inputs" || parts[0] == "outputs"):
		return &tsType{kind: tsRef, module: parts[1], typeName: parts[2]}, nil
	}
	return nil, p.errorf("unsupported type %q", tok.text)
}

// tsMember is one property of an interface or class.
type tsMember struct {
	name     string
	doc      string
	optional bool
	readonly bool
	typ      *tsType
}

// parseMembers parses `[readonly] name[?]: T;` members up to the closing
// brace of the body the parser is in. Methods and static members (the
// class's get/isInstance/constructor) are skipped.
func (p *tsParser) parseMembers() ([]tsMember, error) {
	var members []tsMember
	for {
		switch p.peek() {
		case "}":
			p.next()
			return members, nil
		case "":
			return nil, p.errorf("unexpected end of file in a body")
		}
		start := p.toks[p.pos]
		if start.text == "static" || start.text == "constructor" || start.text == "private" {
			if err := p.skipStatement(); err != nil {
				return nil, err
			}
			continue
		}
		m := tsMember{doc: start.doc}
		if start.text == "readonly" {
			m.readonly = true
			p.next()
		}
		name := p.next()
		m.name = name.text
		if m.doc == "" {
			m.doc = name.doc
		}
		if p.peek() == "?" {
			m.optional = true
			p.next()
		}
		if p.peek() == "(" {
			if err := p.skipStatement(); err != nil {
				return nil, err
			}
			continue
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		t, err := p.parseType()
		if err != nil {
			return nil, fmt.Errorf("member %s: %w", m.name, err)
		}
		m.typ = t
		if err := p.expect(";"); err != nil {
			return nil, err
		}
		members = append(members, m)
	}
}

// skipStatement skips to the `;` that ends the current member at depth 0.
func (p *tsParser) skipStatement() error {
	depth := 0
	for p.pos < len(p.toks) {
		t := p.next().text
		switch t {
		case "(", "{", "<", "[":
			depth++
		case ")", "}", ">", "]":
			depth--
		case ";":
			if depth == 0 {
				return nil
			}
		}
	}
	return p.errorf("unterminated member")
}

// findBody positions the parser after the `{` that follows the keyword
// sequence words (e.g. "interface", "FooArgs") and reports whether it was
// found.
func (p *tsParser) findBody(words ...string) bool {
	for i := 0; i+len(words) <= len(p.toks); i++ {
		match := true
		for j, w := range words {
			if p.toks[i+j].text != w || p.toks[i+j].str {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		k := i + len(words)
		for k < len(p.toks) && p.toks[k].text != "{" {
			if p.toks[k].text == ";" {
				break
			}
			k++
		}
		if k < len(p.toks) && p.toks[k].text == "{" {
			p.pos = k + 1
			return true
		}
	}
	return false
}

// lowerFirst lower-cases the first letter, as the Node.js generator names
// its ProvideDefaults functions after the type.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
