package drconfig

import (
	"bytes"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// SetDRSettings sets scalar keys of the fhir-dr:dr object in the stack
// file at path, the way setDRKeys does.
func SetDRSettings(path string, settings [][2]string) error {
	keys := make([]string, len(settings))
	values := make([]*yaml.Node, len(settings))
	for i, kv := range settings {
		keys[i] = kv[0]
		values[i] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kv[1]}
	}
	return setDRKeys(path, keys, values)
}

// setDRKeys sets keys of the fhir-dr:dr object in the stack file at path
// to the nodes given, keeping the file's comments and the order of its
// other keys; new keys are added at the end of the object. Operator tools
// use it to record what they did in Azure (drctl failover) so that code and
// reality agree.
func setDRKeys(path string, keys []string, values []*yaml.Node) error {
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
	dr := lookup(config, Namespace+":dr")
	if dr == nil || dr.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: no %s:dr object: DR is not enabled here", path, Namespace)
	}
	for i, k := range keys {
		if v := lookup(dr, k); v != nil {
			*v = *values[i]
			continue
		}
		dr.Content = append(dr.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, values[i])
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
