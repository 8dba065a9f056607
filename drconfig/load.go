package drconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/encoding"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/fhir-dr/fhir-dr/stackfile"
)

// Load decodes, defaults and validates one stack's configuration. values is
// the flat Pulumi configuration (keys "fhir-dr:<key>", objects as JSON), as
// the engine hands it to the program; file names the stack file in errors.
// A returned error is an *Error listing every problem.
func Load(file string, values map[string]string) (*Config, error) {
	var c Config
	var ps problems
	decodeValues(&c, values, &ps)
	decoded := len(ps.list)
	c.applyDefaults()
	c.validate(&ps)
	if len(ps.list) > 0 {
		// What the file says wrongly comes first, as written; then what it
		// means wrongly, in the order of the settings.
		sortProblems(ps.list[decoded:])
		return nil, &Error{File: file, Problems: ps.list}
	}
	return &c, nil
}

// knownKeys are the top-level keys of Config, namespaced.
func knownKeys() []string {
	var keys []string
	for name := range jsonFields(reflect.TypeOf(Config{})) {
		keys = append(keys, Namespace+":"+name)
	}
	return keys
}

// FromContext loads the configuration of the stack a Pulumi program runs
// for. The program sees its configuration one key at a time, so the known
// keys are read from ctx; PULUMI_CONFIG, which the Go language host sets to
// the whole map, adds the keys we do not know so that typos are reported.
// (drctl, the policy checks and the release runner load the stack file
// itself, so they see every key in any case.)
func FromContext(ctx *pulumi.Context) (*Config, error) {
	values := map[string]string{}
	if all := os.Getenv(pulumi.EnvConfig); all != "" {
		if err := json.Unmarshal([]byte(all), &values); err != nil {
			return nil, fmt.Errorf("reading %s: %w", pulumi.EnvConfig, err)
		}
	}
	for _, k := range knownKeys() {
		if v, ok := ctx.GetConfig(k); ok {
			values[k] = v
		}
	}
	// The engine hands the program secrets decrypted: refuse them before
	// they become plain text (secrets.go).
	if ps := engineSecrets(values, ctx.IsConfigSecret); len(ps) > 0 {
		return nil, &Error{File: stackfile.Path(ctx.Stack()), Problems: ps}
	}
	return Load(stackfile.Path(ctx.Stack()), values)
}

// ReadStackFile reads a stack file the way Pulumi does (the SDK's workspace
// loader, with the project's namespace for bare keys) and returns the flat
// configuration map Load takes. A secret (secure:) under a fhir-dr key is
// an error naming it (secrets.go); other secrets, such as provider
// credentials, are not decrypted: they read as "[secret]".
func ReadStackFile(path string) (map[string]string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("reading stack file: %w", err)
	}
	stack, err := loadProjectStack(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if ps := stackFileSecrets(stack.Config); len(ps) > 0 {
		return nil, &Error{File: path, Problems: ps}
	}
	decrypted, err := stack.Config.Decrypt(config.NewBlindingDecrypter())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	values := make(map[string]string, len(decrypted))
	for k, v := range decrypted {
		values[k.String()] = v
	}
	return values, nil
}

// loadProjectStack is workspace.LoadProjectStack for the fhir-dr project: the
// SDK's loader, step for step, with one shortcut for YAML files. The loader
// parses the file, namespaces its bare keys, and then marshals the result
// to YAML text only to parse that text again into a ProjectStack; here the
// marshalled document is built as the yaml.Node that parsing its text would
// give, and decoded directly (TestLoadProjectStackAsTheSDK).
func loadProjectStack(path string) (*workspace.ProjectStack, error) {
	project := &workspace.Project{Name: Namespace, Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
		return workspace.LoadProjectStack(nil, project, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 BOM, as the SDK strips it
	return workspace.LoadProjectStackBytes(nil, project, b, path, &nodeYAML{})
}

// nodeYAML is the SDK's YAML marshaler, except that what it marshals is
// kept as a yaml.Node, and unmarshalling the bytes it returned for it
// decodes that node instead of parsing text.
type nodeYAML struct {
	pending *yaml.Node
}

// nodeToken stands for the pending node; it is never valid YAML text of a
// stack file (it starts with a NUL byte).
var nodeToken = []byte("\x00drconfig: pending yaml.Node")

func (m *nodeYAML) Marshal(v any) ([]byte, error) {
	n, err := toNode(v)
	if err != nil {
		return nil, err
	}
	m.pending = n
	return nodeToken, nil
}

// toNode is the node yaml.Node.Encode makes of v, built directly for the
// values a parsed YAML document holds (Encode writes YAML text and parses
// it); any other value goes through Encode.
func toNode(v any) (*yaml.Node, error) {
	scalar := func(tag, value string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
	}
	switch v := v.(type) {
	case nil:
		return scalar("!!null", "null"), nil
	case string:
		return scalar("!!str", v), nil
	case bool:
		return scalar("!!bool", strconv.FormatBool(v)), nil
	case int:
		return scalar("!!int", strconv.Itoa(v)), nil
	case float64:
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			return scalar("!!float", strconv.FormatFloat(v, 'g', -1, 64)), nil
		}
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, 0, len(v))}
		for _, e := range v {
			c, err := toNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(v))}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			c, err := toNode(v[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, scalar("!!str", k), c)
		}
		return n, nil
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	return &n, nil
}

func (m *nodeYAML) Unmarshal(data []byte, v any) error {
	if m.pending != nil && bytes.Equal(data, nodeToken) {
		n := m.pending
		m.pending = nil
		return n.Decode(v)
	}
	return encoding.YAML.Unmarshal(data, v)
}

// LoadFile reads, decodes, defaults and validates a stack file.
func LoadFile(path string) (*Config, error) {
	values, err := ReadStackFile(path)
	if err != nil {
		return nil, err
	}
	return Load(path, values)
}
