package drconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leafKeys lists the keys of every setting Config's fields hold: a scalar,
// a list of scalars, a map, and a list of objects with the keys of its
// elements.
func leafKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for name, idx := range jsonFields(t) {
		f := t.Field(idx).Type
		key := prefix + name
		switch {
		case f.Kind() == reflect.Struct && f != durationType:
			keys = append(keys, leafKeys(f, key+".")...)
		case f.Kind() == reflect.Slice && f.Elem().Kind() == reflect.Struct:
			keys = append(keys, key)
			keys = append(keys, leafKeys(f.Elem(), key+"[].")...)
		default:
			keys = append(keys, key)
		}
	}
	return keys
}

// TestSettingsDeclareEveryKey keeps the declarations and Config one to
// one: a field without a declaration would have no default, bounds or
// documentation, and a declaration without a field would check nothing.
func TestSettingsDeclareEveryKey(t *testing.T) {
	var declared []string
	for _, s := range Settings() {
		assert.NotContains(t, declared, s.Key, "declared twice")
		declared = append(declared, s.Key)
		assert.NotEmpty(t, s.Doc, s.Key)
		if s.Default != nil {
			ft := fieldType(reflect.TypeOf(Config{}), s.Key)
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			assert.True(t, reflect.TypeOf(s.Default).ConvertibleTo(ft), "%s: default of type %T for a %s", s.Key, s.Default, ft)
		}
		if s.When != nil {
			assert.NotEmpty(t, s.WhenDoc, s.Key)
		}
		if s.Pattern != nil {
			assert.NotEmpty(t, s.Format, s.Key)
		}
	}
	assert.ElementsMatch(t, leafKeys(reflect.TypeOf(Config{}), ""), declared)
	for _, g := range Groups() {
		assert.Contains(t, topLevelKeys(), g.Key)
	}
}

// TestGeneratedDocs holds Pulumi.yaml and the README's configuration table
// to what the declarations make; `go generate ./drconfig` rewrites them.
func TestGeneratedDocs(t *testing.T) {
	project, err := os.ReadFile(filepath.Join("..", "Pulumi.yaml"))
	require.NoError(t, err)
	assert.Equal(t, PulumiYAML(), string(project), "Pulumi.yaml is stale: run go generate ./drconfig")
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	synced, err := SyncDocs(string(readme))
	require.NoError(t, err)
	assert.Equal(t, synced, string(readme), "README.md's configuration table is stale: run go generate ./drconfig")
}

func TestReadmeTableRows(t *testing.T) {
	table := ReadmeTable()
	for _, row := range []string{
		"| `trafficManager.ttlSeconds` | integer | `60` | the DNS TTL of the profile | from 0 to 2147483647; the modeled RTO must meet the tier's target |",
		"| `cosmos.backup.intervalMinutes` | integer | `240` | the periodic backup interval | applies only to Periodic backups; from 60 to 1440 |",
		"| `compute.nodePools[].zones` | list of strings | `1, 2, 3` | the availability zones to spread over; applied in regions that have zones | each one of `1`, `2`, `3`; distinct |",
		"| `dr.operatorDecisionTime` | duration | `15m` | time for on-call to confirm an outage and order forced failover; part of the modeled RTO | from 0s to 2h; the modeled RTO must meet the tier's target |",
	} {
		assert.Contains(t, table, row)
	}
	assert.Equal(t, len(Settings())+4, strings.Count(table, "\n"), "a row per setting, a header, a rule and the markers")
}

// TestBounds: every number and duration carries its bounds, so that no
// value can overflow the objectives model or exceed what Azure accepts,
// and a value out of range is refused with the key and the range.
func TestBounds(t *testing.T) {
	base := func() map[string]string {
		return map[string]string{
			"fhir-dr:customer": "acme", "fhir-dr:primaryRegion": "eastus",
			"fhir-dr:dr": `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-1"}`,
		}
	}
	for _, tc := range []struct {
		name, key, value, want string
	}{
		{"operator decision time that would overflow the RTO", "fhir-dr:dr", `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-1","operatorDecisionTime":"2562047h40m"}`,
			"fhir-dr:dr.operatorDecisionTime: must be from 0s to 2h, got 2562047h40m"},
		{"negative operator decision time", "fhir-dr:dr", `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-1","operatorDecisionTime":"-1m"}`,
			"fhir-dr:dr.operatorDecisionTime: must be from 0s to 2h, got -1m"},
		{"RPO looser than the product's", "fhir-dr:dr", `{"enabled":true,"paging":{"actionGroupId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-oncall/providers/Microsoft.Insights/actionGroups/ag-fhir-oncall"},"tier":"data","ticket":"SR-1","rpo":"1h"}`,
			"fhir-dr:dr.rpo: must be from 0s to 15m, got 1h"},
		{"TTL above Azure's maximum", "fhir-dr:trafficManager", `{"ttlSeconds":2147483648}`,
			"fhir-dr:trafficManager.ttlSeconds: must be from 0 to 2147483647, got 2147483648"},
		{"throughput off its step", "fhir-dr:cosmos", `{"throughput":450}`,
			"fhir-dr:cosmos.throughput: must be from 400 to 1000000 in steps of 100, got 450"},
		{"audit log retention", "fhir-dr:monitoring", `{"retentionDays":7}`,
			"fhir-dr:monitoring.retentionDays: must be from 30 to 730, got 7"},
		{"TCP probe", "fhir-dr:trafficManager", `{"probe":{"protocol":"TCP"}}`,
			"fhir-dr:trafficManager.probe.protocol: must be HTTPS: a TCP probe passes while the FHIR server is unhealthy; probe its health check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			values := base()
			values[tc.key] = tc.value
			_, err := Load("stacks/Pulumi.acme.yaml", values)
			var cfgErr *Error
			require.ErrorAs(t, err, &cfgErr)
			var got []string
			for _, p := range cfgErr.Problems {
				got = append(got, p.String())
			}
			assert.Equal(t, []string{tc.want}, got)
		})
	}
}

// TestAuthorizedRangesThatOpenTheInternet: ranges that together cover the
// internet, or one wide slice of it, or that are not canonical, are
// refused like 0.0.0.0/0.
func TestAuthorizedRangesThatOpenTheInternet(t *testing.T) {
	load := func(ranges string) []string {
		_, err := Load("f", map[string]string{
			"fhir-dr:customer": "acme", "fhir-dr:primaryRegion": "eastus",
			"fhir-dr:compute": `{"apiServer":{"authorizedIPRanges":` + ranges + `}}`,
		})
		var cfgErr *Error
		if !assert.ErrorAs(t, err, &cfgErr) {
			return nil
		}
		var got []string
		for _, p := range cfgErr.Problems {
			got = append(got, p.String())
		}
		return got
	}
	assert.Equal(t, []string{
		"fhir-dr:compute.apiServer.authorizedIPRanges[0]: 0.0.0.0/1 opens the API server to a large part of the internet: list the operators' egress ranges, /8 or narrower",
		"fhir-dr:compute.apiServer.authorizedIPRanges[1]: 128.0.0.0/1 opens the API server to a large part of the internet: list the operators' egress ranges, /8 or narrower",
	}, load(`["0.0.0.0/1","128.0.0.0/1"]`))
	assert.Equal(t, []string{
		"fhir-dr:compute.apiServer.authorizedIPRanges[0]: ::/0 opens the API server to a large part of the internet: list the operators' egress ranges, /32 or narrower",
		`fhir-dr:compute.apiServer.authorizedIPRanges[1]: must be a CIDR range such as 203.0.113.0/24, got "0.0.0.0/0 "`,
		"fhir-dr:compute.apiServer.authorizedIPRanges[2]: 203.0.113.7/24 has host bits set; write 203.0.113.0/24",
	}, load(`["::/0","0.0.0.0/0 ","203.0.113.7/24"]`))
	// 256 /8 ranges are each narrow enough, but together they are
	// everything.
	var all []string
	for i := range 256 {
		all = append(all, `"`+strconv.Itoa(i)+`.0.0.0/8"`)
	}
	assert.Equal(t, []string{
		"fhir-dr:compute.apiServer.authorizedIPRanges: together these ranges open the API server to the whole internet",
	}, load("["+strings.Join(all, ",")+"]"))
	assert.False(t, slices.ContainsFunc(load(`["0.0.0.0/0"]`), func(s string) bool { return strings.Contains(s, "together") }))
}
