package drconfig

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
)

// secretCapable are the fhir-dr keys whose value may be a secret (secure:
// in the stack file, pulumi config set --secret). None is, today: every
// fhir-dr setting ends up in plain text (a tag, a resource name or
// property in Azure, a stack output, a Kubernetes environment variable),
// so a secret there would be exposed. A key added here must never reach
// any of those.
var secretCapable = map[string]bool{}

// secretProblem refuses a secret at key, saying where it would be exposed.
func secretProblem(k string) Problem {
	top, _, _ := strings.Cut(strings.TrimPrefix(k, Namespace+":"), ".")
	top, _, _ = strings.Cut(top, "[")
	reason := "fhir-dr settings become resource names, properties, tags and stack outputs in plain text; no fhir-dr key takes a secret"
	switch top {
	case "tags":
		reason = "tags are plain text in Azure"
	case "customer":
		reason = "the customer id is part of every resource name, tag and output"
	case "fhir":
		reason = "the FHIR server's settings are plain-text Kubernetes environment variables and stack outputs"
	}
	return Problem{Key: k, Message: "must not be a secret: " + reason}
}

// stackFileSecrets refuses every secure value under a fhir-dr key of a
// stack file, naming it to the leaf (fhir-dr:tags.owner,
// fhir-dr:compute.apiServer.authorizedIPRanges[0]). Other namespaces
// (provider credentials) may hold secrets.
func stackFileSecrets(m config.Map) Problems {
	var ps Problems
	for k, v := range m {
		if k.Namespace() != Namespace || !v.Secure() {
			continue
		}
		var leaves []string
		if v.Object() {
			obj, err := v.ToObject()
			if err != nil {
				continue // the decoder reports it
			}
			leaves = securePaths(k.String(), obj)
		} else {
			leaves = []string{k.String()}
		}
		for _, leaf := range leaves {
			if !secretCapable[leaf] {
				ps = append(ps, secretProblem(leaf))
			}
		}
	}
	slices.SortFunc(ps, func(a, b Problem) int { return strings.Compare(a.Key, b.Key) })
	return ps
}

// securePaths returns the paths of the secure leaves of a configuration
// object, which config.Value.ToObject gives as {"secure": <ciphertext>}.
func securePaths(path string, v any) []string {
	switch v := v.(type) {
	case map[string]any:
		if s, ok := v["secure"].(string); ok && len(v) == 1 && s != "" {
			return []string{path}
		}
		var out []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = append(out, securePaths(path+"."+k, v[k])...)
		}
		return out
	case []any:
		var out []string
		for i, item := range v {
			out = append(out, securePaths(fmt.Sprintf("%s[%d]", path, i), item)...)
		}
		return out
	}
	return nil
}

// engineSecrets refuses every fhir-dr key of values that the engine says is
// secret (it names top-level keys only, as secret when any part is).
func engineSecrets(values map[string]string, isSecret func(key string) bool) Problems {
	var ps Problems
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if strings.HasPrefix(k, Namespace+":") && isSecret(k) && !secretCapable[k] {
			ps = append(ps, secretProblem(k))
		}
	}
	return ps
}
