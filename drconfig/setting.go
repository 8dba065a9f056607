package drconfig

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Setting is the one declaration of a configuration key: its key, default,
// bounds and documentation. Decoding takes the key's Go type from the field
// of Config it names; defaults, the checks of its bounds, the policy's
// thresholds, Pulumi.yaml's config section and the README's configuration
// table all come from here (see Settings). Rules that relate a key to
// others are checked in validate.go and described in Rules.
type Setting struct {
	// Key is the path below the namespace, "dr.rpo"; "[]" steps into every
	// element of a list ("compute.nodePools[].name").
	Key string
	// Doc says what the setting is, for the README and Pulumi.yaml.
	Doc string
	// Default is the value of an unset setting, of the field's type (for a
	// pointer field, of its element type). Optional.
	Default any
	// DefaultFunc computes a default from other settings, which precede
	// this one in Settings; nil from it leaves the setting unset. Optional;
	// DefaultDoc describes it.
	DefaultFunc func(c *Config) any
	// DefaultDoc describes the default in the README where it is not a
	// plain value. Optional.
	DefaultDoc string
	// Required reports whether the stack must set the key; RequiredDoc
	// says when ("when DR is enabled") and RequiredHint what to set.
	// Optional; nil for an optional setting.
	Required     func(c *Config) bool
	RequiredDoc  string
	RequiredHint string
	// When reports whether the setting applies; a setting that does not
	// apply gets no default and must not be set. WhenDoc says when it
	// applies ("to Periodic backups"). Optional; nil for always.
	When    func(c *Config) bool
	WhenDoc string
	// Constraint bounds the value.
	Constraint
	// Items bounds each element of a list. Optional.
	Items *Constraint
	// Rules describes, for the README, the checks against other settings
	// that validate.go makes. Optional.
	Rules string
}

// Constraint bounds a value.
type Constraint struct {
	// Enum lists the allowed values, as they are written. Optional.
	Enum []string
	// EnumReasons explain, by value, why a value that is not in Enum is
	// refused, and EnumReason why any other is. Optional.
	EnumReasons map[string]string
	EnumReason  string
	// Pattern is what a string must match and Format says it in words
	// ("3-44 lowercase letters, digits and hyphens"). Optional.
	Pattern *regexp.Regexp
	Format  string
	// Range bounds a number or a duration. Optional.
	Range *Range
	// MaxItems is the most elements of a list or map. Optional; 0 is no
	// bound.
	MaxItems int
}

// Range is an inclusive range of whole numbers, or of durations in
// nanoseconds, with an optional step.
type Range struct {
	Min, Max int64
	// Step, when not 0, is what every value must be a multiple of.
	Step int64
}

// Settings are the declarations of every configuration key, in the order
// their defaults apply: a derived default follows what it is derived from.
// A test keeps them and the fields of Config one to one.
func Settings() []Setting { return settings }

// Groups are the top-level objects of the configuration with what each is
// for; their keys are in Settings.
func Groups() []Group { return groups }

// Group is a top-level configuration object.
type Group struct {
	// Key is its top-level key and Doc what it is for.
	Key, Doc string
}

// Lookup returns the declaration of key ("trafficManager.ttlSeconds"). It
// panics for an undeclared key: callers name keys in code, and a test
// exercises each.
func Lookup(key string) Setting {
	i := slices.IndexFunc(settings, func(s Setting) bool { return s.Key == key })
	if i < 0 {
		panic("drconfig: no setting " + key)
	}
	return settings[i]
}

var durationType = reflect.TypeOf(Duration{})

// visit calls fn with the concrete key ("compute.nodePools[1].name") and
// the field of every instance of a setting in c.
func (s Setting) visit(c *Config, fn func(key string, v reflect.Value)) {
	var walk func(v reflect.Value, at string, rest []string)
	walk = func(v reflect.Value, at string, rest []string) {
		if len(rest) == 0 {
			fn(at, v)
			return
		}
		seg := rest[0]
		name, each := strings.CutSuffix(seg, "[]")
		idx, ok := jsonFields(v.Type())[name]
		if !ok {
			panic("drconfig: setting " + s.Key + " names no field " + name)
		}
		f := v.Field(idx)
		if at != "" {
			at += "."
		}
		at += name
		if !each {
			walk(f, at, rest[1:])
			return
		}
		for i := range f.Len() {
			walk(f.Index(i), fmt.Sprintf("%s[%d]", at, i), rest[1:])
		}
	}
	walk(reflect.ValueOf(c).Elem(), "", strings.Split(s.Key, "."))
}

// applyDefaults fills every unset setting that has a default and applies.
// It runs before Validate, so defaults are checked like explicit values.
func (c *Config) applyDefaults() {
	for _, s := range settings {
		if s.Default == nil && s.DefaultFunc == nil {
			continue
		}
		if s.When != nil && !s.When(c) {
			continue
		}
		s.visit(c, func(_ string, v reflect.Value) {
			if !v.IsZero() {
				return
			}
			def := s.Default
			if s.DefaultFunc != nil {
				def = s.DefaultFunc(c)
			}
			if def == nil {
				return
			}
			setValue(v, def)
		})
	}
}

// setValue sets v to a default, cloning lists so that no two stacks share
// one; a pointer field gets a new element.
func setValue(v reflect.Value, def any) {
	d := reflect.ValueOf(def)
	if d.Kind() == reflect.Slice {
		d = reflect.AppendSlice(reflect.MakeSlice(d.Type(), 0, d.Len()), d)
	}
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(d.Convert(v.Type().Elem()))
		v.Set(p)
		return
	}
	v.Set(d.Convert(v.Type()))
}

// checkSettings makes the checks the declarations describe: required
// settings, settings that do not apply, and each value's bounds.
func (c *Config) checkSettings(ps *problems) {
	for _, s := range settings {
		s.visit(c, func(at string, v reflect.Value) {
			set := !v.IsZero()
			switch {
			case s.When != nil && !s.When(c):
				if set {
					ps.add(key(at), "applies only %s", s.WhenDoc)
				}
				return
			case !set:
				if s.Required != nil && s.Required(c) {
					ps.add(key(at), "is required%s: %s", prefixed(" ", s.RequiredDoc), s.RequiredHint)
				}
				return
			}
			if v.Kind() == reflect.Pointer {
				v = v.Elem()
			}
			s.Constraint.check(ps, at, v)
			if s.Items != nil && v.Kind() == reflect.Slice {
				for i := range v.Len() {
					s.Items.check(ps, fmt.Sprintf("%s[%d]", at, i), v.Index(i))
				}
			}
		})
	}
}

// check reports the first bound v breaks.
func (k Constraint) check(ps *problems, at string, v reflect.Value) {
	if k.MaxItems > 0 && (v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.Len() > k.MaxItems {
		ps.add(key(at), "at most %d, got %d", k.MaxItems, v.Len())
		return
	}
	written := scalarText(v)
	if len(k.Enum) > 0 && !slices.Contains(k.Enum, written) {
		switch why, ok := k.EnumReasons[written]; {
		case ok:
			ps.add(key(at), "must be %s: %s", orList(k.Enum), why)
		case k.EnumReason != "":
			ps.add(key(at), "must be %s, got %s: %s", orList(k.Enum), quoted(v), k.EnumReason)
		default:
			ps.add(key(at), "must be %s, got %s", orList(k.Enum), quoted(v))
		}
		return
	}
	if k.Pattern != nil && !k.Pattern.MatchString(written) {
		ps.add(key(at), "must be %s, got %q", k.Format, written)
		return
	}
	if r := k.Range; r != nil {
		n, ok := number(v)
		if ok && (n < r.Min || n > r.Max || r.Step != 0 && n%r.Step != 0) {
			ps.add(key(at), "must be %s, got %s", r.text(v.Type()), written)
		}
	}
}

// number is v as a whole number or a duration in nanoseconds.
func number(v reflect.Value) (int64, bool) {
	switch {
	case v.Type() == durationType:
		return int64(v.Interface().(Duration).Duration), true
	case v.Kind() == reflect.Int:
		return v.Int(), true
	}
	return 0, false
}

// scalarText is a scalar the way a stack file writes it.
func scalarText(v reflect.Value) string {
	switch {
	case v.Type() == durationType:
		return shortDuration(v.Interface().(Duration).Duration)
	case v.Kind() == reflect.String:
		return v.String()
	case v.Kind() == reflect.Int:
		return strconv.FormatInt(v.Int(), 10)
	case v.Kind() == reflect.Bool:
		return strconv.FormatBool(v.Bool())
	}
	return ""
}

func quoted(v reflect.Value) string {
	if v.Kind() == reflect.String {
		return strconv.Quote(v.String())
	}
	return scalarText(v)
}

// text says the range in words, in the unit of t.
func (r Range) text(t reflect.Type) string {
	format := func(n int64) string {
		if t == durationType || t == reflect.PointerTo(durationType) {
			return shortDuration(time.Duration(n))
		}
		return strconv.FormatInt(n, 10)
	}
	s := fmt.Sprintf("from %s to %s", format(r.Min), format(r.Max))
	if r.Step != 0 {
		s += " in steps of " + format(r.Step)
	}
	return s
}

// orList joins values as "a, b or c".
func orList(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// shortDuration writes a duration the short way ("15m", not "15m0s").
func shortDuration(d time.Duration) string {
	s := d.String()
	s, _ = strings.CutSuffix(s, "m0s")
	if s != d.String() {
		s += "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// rank orders problems the way the settings are declared, so that an
// operator reads them in the order of the configuration reference:
// unknown keys first, then per setting. A key of a group or object
// ("fhir-dr:compute.apiServer") ranks with its first setting.
func rank(problemKey string) int {
	k := strings.TrimPrefix(problemKey, Namespace+":")
	k = indexPattern.ReplaceAllString(k, "[]")
	for i, s := range settings {
		if s.Key == k || strings.HasPrefix(s.Key, k+".") || strings.HasPrefix(s.Key, k+"[]") ||
			strings.HasPrefix(k, s.Key+"[]") {
			return i
		}
	}
	return -1
}

var indexPattern = regexp.MustCompile(`\[[0-9]+\]`)

// sortProblems puts problems in the order of rank, keeping the order of
// discovery among the problems of one setting.
func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return rank(a.Key) - rank(b.Key) })
}
