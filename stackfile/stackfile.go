// Package stackfile knows where the operators' stack files are and how the
// operator tools edit them: stacks/Pulumi.<customer>.yaml, one per
// customer. What a stack file means is drconfig's business.
package stackfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Dir is the project's stackConfigDir.
const Dir = "stacks"

// namespace is the Pulumi project name, which prefixes the project's keys.
const namespace = "fhir-dr"

// Path returns the path of a stack's file relative to the project root.
func Path(stack string) string {
	return filepath.Join(Dir, "Pulumi."+stack+".yaml")
}

// Stack returns the stack name of a stack file path
// (".../Pulumi.<stack>.yaml").
func Stack(path string) (string, error) {
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	name := strings.TrimSuffix(strings.TrimPrefix(base, "Pulumi."), ext)
	if !strings.HasPrefix(base, "Pulumi.") || (ext != ".yaml" && ext != ".yml") || name == "" {
		return "", fmt.Errorf("%s: a stack file is named Pulumi.<stack>.yaml", path)
	}
	return name, nil
}

// List returns the stack files of the project at root, sorted.
func List(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, Dir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	return files, nil
}

// Customers returns the stacks (customers) of the project at root, sorted.
func Customers(root string) ([]string, error) {
	files, err := List(root)
	if err != nil {
		return nil, err
	}
	customers := make([]string, 0, len(files))
	for _, f := range files {
		c, err := Stack(f)
		if err != nil {
			return nil, err
		}
		customers = append(customers, c)
	}
	return customers, nil
}

// SetDR sets keys of the fhir-dr:dr object in the stack file at path to
// the values given (each encoded as YAML), keeping the file's comments and the order of its
// other keys; new keys are added at the end of the object, and a nil value
// removes its key. All keys change in one write of the file. Operator tools
// use it to record what they did in Azure (drctl failover) so that code and
// reality agree.
func SetDR(path string, keys []string, values []any) error {
	if len(keys) != len(values) {
		return fmt.Errorf("%s: %d keys, %d values", path, len(keys), len(values))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("%s: not a stack file", path)
	}
	config := lookup(doc.Content[0], "config")
	if config == nil || config.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: no config section", path)
	}
	dr := lookup(config, namespace+":dr")
	if dr == nil || dr.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: no %s:dr object: DR is not enabled here", path, namespace)
	}
	for i, k := range keys {
		if values[i] == nil {
			remove(dr, k)
			continue
		}
		var value yaml.Node
		if err := value.Encode(values[i]); err != nil {
			return fmt.Errorf("%s: %s: %w", path, k, err)
		}
		if v := lookup(dr, k); v != nil {
			*v = value
			continue
		}
		dr.Content = append(dr.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, &value)
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}

// lookup returns the value of key in a mapping node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// remove deletes key and its value from a mapping node.
func remove(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}
