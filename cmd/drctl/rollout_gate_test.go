package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/failover/fakearm"
	"github.com/fhir-dr/fhir-dr/internal/health"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
)

// The gate through the CLI, against the fake ARM: the fixture fleet's
// stack files (read only), a plan and shard results of the test's own, a
// clock the bake advances without waiting, and retries recorded, not
// waited for.

const gateSub = "sub-1"

// The fixture plan: canary is contoso (full tier) and litware (data tier),
// one shard each; early is fabrikam; broad adatum (no DR), northwind and
// tailspin.
var gatePlan = map[string]any{
	"commit": "c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe", "maxShards": 2, "haltAbove": 0.1,
	"rings": []map[string]any{
		{"name": "canary", "stacks": []string{"contoso", "litware"}, "shards": [][]string{{"contoso"}, {"litware"}}, "bakeSeconds": 0,
			"gates": []string{"up-to-date", "traffic-manager-endpoints-online", "availability-tests-passing", "no-dr-alert-firing"}},
		{"name": "early", "stacks": []string{"fabrikam"}, "shards": [][]string{{"fabrikam"}}, "bakeSeconds": 600,
			"gates": []string{"up-to-date", "traffic-manager-endpoints-online", "availability-tests-passing", "no-dr-alert-firing"}},
		{"name": "broad", "stacks": []string{"adatum", "northwind", "tailspin"}, "shards": [][]string{{"adatum", "tailspin"}, {"northwind"}},
			"bakeSeconds": 0},
	},
}

type gateFixture struct {
	arm     *fakearm.Server
	dir     string // plan.json, results/, summary.md
	mu      sync.Mutex
	clock   time.Time
	sleeps  []time.Duration // the bake's
	waits   []time.Duration // the retries'
	onSleep func(n int)     // called at the bake's nth sleep (from 1)
}

func newGateFixture(t *testing.T, plan map[string]any) *gateFixture {
	t.Helper()
	t.Chdir(testfleet.Root()) // the fixture fleet, read only
	fx := &gateFixture{arm: fakearm.New(t, contosoAccount), dir: t.TempDir(), clock: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	t.Setenv("AZURE_ARM_ENDPOINT", fx.arm.URL)
	t.Setenv("AZURE_SUBSCRIPTION_ID", "")
	b, err := json.Marshal(plan)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(fx.dir, "plan.json"), b, 0o644))
	oldSleep, oldNow, oldRetry := gateSleep, gateNow, retrySleep
	t.Cleanup(func() { gateSleep, gateNow, retrySleep = oldSleep, oldNow, oldRetry })
	gateNow = func() time.Time {
		fx.mu.Lock()
		defer fx.mu.Unlock()
		return fx.clock
	}
	gateSleep = func(ctx context.Context, d time.Duration) error {
		fx.mu.Lock()
		fx.clock = fx.clock.Add(d)
		fx.sleeps = append(fx.sleeps, d)
		n, hook := len(fx.sleeps), fx.onSleep
		fx.mu.Unlock()
		if hook != nil {
			hook(n)
		}
		return ctx.Err()
	}
	retrySleep = func(ctx context.Context, d time.Duration) error {
		fx.mu.Lock()
		fx.waits = append(fx.waits, d)
		fx.mu.Unlock()
		return ctx.Err()
	}
	return fx
}

// results writes a shard's results file, as drctl rollout run does.
func (fx *gateFixture) results(t *testing.T, ring string, shard int, statuses ...string) {
	t.Helper()
	var stacks []map[string]string
	for _, s := range statuses {
		customer, status, _ := strings.Cut(s, "=")
		entry := map[string]string{"customer": customer, "status": status}
		if status == "failed" {
			entry["error"] = "pulumi up: exit status 255\nmore detail"
		}
		stacks = append(stacks, entry)
	}
	b, err := json.Marshal(map[string]any{"ring": ring, "shard": shard, "commit": "c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe", "stacks": stacks})
	require.NoError(t, err)
	// As download-artifact lays them out: a folder per artifact.
	dir := filepath.Join(fx.dir, "results", "results-"+ring+"-"+string(rune('0'+shard)))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "results.json"), b, 0o644))
}

// healthy makes every stack named healthy in the fake: its profile's
// endpoints Online, its availability tests at 100%.
func (fx *gateFixture) healthy(t *testing.T, customers ...string) {
	t.Helper()
	for _, c := range customers {
		cfg, err := drconfig.LoadFile(testfleet.Path(c))
		require.NoError(t, err)
		tg := health.TargetOf(cfg, gateSub)
		if tg.ProfileID != "" {
			fx.arm.SetProfile(tg.ProfileID, fakearm.Endpoint{Name: "primary", MonitorStatus: "Online"},
				fakearm.Endpoint{Name: "secondary", MonitorStatus: "Online"})
		}
		for _, w := range tg.WebTests {
			fx.arm.SetAvailability(tg.ComponentID, w, 100, 100, 100)
		}
	}
}

func (fx *gateFixture) gate(t *testing.T, ring string, extra ...string) (int, string, string) {
	t.Helper()
	args := append([]string{"rollout", "gate", "--plan", filepath.Join(fx.dir, "plan.json"), "--ring", ring,
		"--results", filepath.Join(fx.dir, "results"), "--subscription", gateSub, "--summary", filepath.Join(fx.dir, "summary.md")}, extra...)
	return runDrctl(t, args...)
}

func (fx *gateFixture) summary(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fx.dir, "summary.md"))
	require.NoError(t, err)
	return string(b)
}

const (
	contosoRG      = "/subscriptions/sub-1/resourceGroups/rg-contoso-fhir-dr-westus"
	contosoProfile = contosoRG + "/providers/Microsoft.Network/trafficmanagerprofiles/tm-contoso-fhir"
	contosoAppi    = contosoRG + "/providers/Microsoft.Insights/components/appi-contoso-fhir"
	alertsPath     = "/subscriptions/sub-1/providers/Microsoft.AlertsManagement/alerts"
)

func TestGatePasses(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	fx.results(t, "canary", 0, "contoso=done")
	fx.results(t, "canary", 1, "litware=skipped-done")
	fx.healthy(t, "contoso", "litware")
	code, out, errOut := fx.gate(t, "canary")
	require.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, "Ring canary of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 2 stacks, 2 done, 0 failed, 0 not started (2 of 2 shards reported).\n")
	assert.Contains(t, out, "Checking the health of 2 stacks (traffic-manager-endpoints-online, availability-tests-passing, no-dr-alert-firing).\n")
	assert.Contains(t, out, "PASS: ring canary of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 2 of 2 stacks released, healthy: ring early may start.\n")
	// What is read, by the names the stack declares: the data tier
	// (litware) has alerts only.
	assert.ElementsMatch(t, []string{
		"GET alerts " + alertsPath,
		"GET trafficmanagerprofiles " + contosoProfile,
		"GET availability " + contosoAppi + "/providers/Microsoft.Insights/metrics",
	}, fx.arm.HealthReads())
	assert.Empty(t, fx.sleeps, "no bake")
	assert.Contains(t, fx.summary(t), "## Ring canary: passed\n\nCommit `c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe`: 2 of 2 stacks released, every stack healthy")
}

func TestGateHaltsAboveTheThreshold(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	fx.results(t, "canary", 0, "contoso=failed")
	fx.results(t, "canary", 1, "litware=done")
	fx.healthy(t, "contoso", "litware")
	code, out, _ := fx.gate(t, "canary")
	require.Equal(t, 1, code, out)
	assert.Contains(t, out, "HALT: ring canary of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 1 of 2 started stacks failed (50%), above the plan's 10%.\n"+
		"Failed (1 of 2 started, 50%; the plan halts above 10%):\n  contoso: pulumi up: exit status 255\n")
	assert.Contains(t, out, "Not started, the later rings: early (1 stacks), broad (3 stacks).\n")
	assert.Contains(t, out, "resume=c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe and stacks=contoso,fabrikam,adatum,northwind,tailspin ")
	assert.Contains(t, out, "after make policy: drctl rollout resume --plan "+filepath.Join(fx.dir, "plan.json")+" --policy-pack .bin/fhir-dr-policy\n")
	assert.Empty(t, fx.arm.HealthReads(), "a halt on the results reads nothing of Azure")
	s := fx.summary(t)
	assert.Contains(t, s, "## Ring canary: HALTED\n")
	assert.Contains(t, s, "### Failed (1 of 2 started)\n\n- `contoso`: pulumi up: exit status 255\n")
	assert.Contains(t, s, "### To resume\n")
}

func TestGateHaltsOnStacksNotStarted(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	fx.results(t, "canary", 0, "contoso=done") // shard 1 wrote nothing
	code, out, _ := fx.gate(t, "canary")
	require.Equal(t, 1, code, out)
	assert.Contains(t, out, "HALT: ring canary of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 1 stacks of the ring were not started: the ring did not finish "+
		"(shards 1 wrote no results: cancelled, timed out or never run).\nNot started (1): litware\n")
	assert.Contains(t, out, "stacks=litware,fabrikam,adatum,northwind,tailspin ")
	assert.Contains(t, fx.summary(t), "### Not started (1)\n\n`litware`\n")
}

// Failures within the threshold are left for a resume; the ring goes on
// to its health check.
func TestGateFailuresWithinTheThreshold(t *testing.T) {
	plan := cloneMap(t, gatePlan)
	plan["haltAbove"] = 0.5
	fx := newGateFixture(t, plan)
	fx.results(t, "canary", 0, "contoso=done")
	fx.results(t, "canary", 1, "litware=failed")
	fx.healthy(t, "contoso", "litware")
	code, out, _ := fx.gate(t, "canary")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "PASS: ring canary of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 1 of 2 stacks released, healthy: ring early may start.\n"+
		"1 stacks failed, within the plan's 50% (they are left for a resume: drctl rollout resume --plan "+filepath.Join(fx.dir, "plan.json")+
		" --policy-pack .bin/fhir-dr-policy):\n"+
		"  litware: pulumi up: exit status 255\n")
}

// Every problem of every stack at once.
func TestGateListsEveryHealthProblem(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	fx.results(t, "canary", 0, "contoso=done")
	fx.results(t, "canary", 1, "litware=done")
	fx.healthy(t, "contoso", "litware")
	fx.arm.SetEndpoint(contosoProfile, "primary", "Degraded")
	fx.arm.SetEndpoint(contosoProfile, "secondary", "CheckingEndpoint")
	fx.arm.SetAvailability(contosoAppi, "webtest-contoso-primary", 100, 60, 80)
	fx.arm.SetAvailability(contosoAppi, "webtest-contoso-secondary")
	fx.arm.SetAlertPageSize(1) // the list is read page by page
	fx.arm.FireAlert(fakearm.Alert{Rule: contosoRG + "/providers/Microsoft.Insights/metricAlerts/alert-contoso-cosmos-region-offline",
		Severity: "Sev1", Target: "fhir-contoso", Start: "2026-12-01T11:58:00Z"})
	fx.arm.FireAlert(fakearm.Alert{Rule: "/subscriptions/sub-1/resourceGroups/rg-other/providers/Microsoft.Insights/metricAlerts/alert-someone-else",
		Severity: "Sev0"})
	fx.arm.FireAlert(fakearm.Alert{Rule: "/subscriptions/sub-1/resourceGroups/rg-litware-fhir-uksouth/providers/Microsoft.Insights/metricAlerts/alert-litware-cosmos-replication-lag",
		Severity: "Sev2", Target: "fhir-litware"})
	fx.arm.FireAlert(fakearm.Alert{Rule: contosoRG + "/providers/Microsoft.Insights/metricAlerts/alert-contoso-cosmos-region-failover",
		Severity: "Sev1", Target: "fhir-contoso", Start: "2026-12-01T11:57:00Z", State: "Acknowledged"})
	fx.arm.FireAlert(fakearm.Alert{Rule: contosoRG + "/providers/Microsoft.Insights/metricAlerts/alert-contoso-cosmos-replication-lag",
		Severity: "Sev2", State: "Closed"})
	fx.arm.FireAlert(fakearm.Alert{Rule: "/subscriptions/sub-1/resourceGroups/rg-litware-fhir-uksouth/providers/Microsoft.Insights/metricAlerts/alert-litware-cosmos-region-offline",
		Severity: "Sev1", Condition: "Resolved"})
	code, out, _ := fx.gate(t, "canary")
	require.Equal(t, 1, code, out)
	assert.Contains(t, out, "HALT: ring canary of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 2 stacks are not healthy.\n"+
		"Not healthy (2 of 2 stacks checked):\n"+
		"  contoso:\n"+
		"    traffic-manager-endpoints-online: endpoint primary is Degraded, not Online: its /health/check probe fails\n"+
		"    traffic-manager-endpoints-online: endpoint secondary is CheckingEndpoint (its probe has not answered yet) (pending)\n"+
		"    availability-tests-passing: availability test webtest-contoso-primary passed 80% of its runs in the last 10m0s (at least 99% required)\n"+
		"    availability-tests-passing: availability test webtest-contoso-secondary has no result in the last 10m0s (disabled, not run yet, or not yet published) (pending)\n"+
		"    no-dr-alert-firing: alert alert-contoso-cosmos-region-offline (Sev1) is firing on fhir-contoso since 2026-12-01T11:58:00Z\n"+
		"    no-dr-alert-firing: alert alert-contoso-cosmos-region-failover (Sev1) is firing on fhir-contoso since 2026-12-01T11:57:00Z, acknowledged\n"+
		"  litware:\n"+
		"    no-dr-alert-firing: alert alert-litware-cosmos-replication-lag (Sev2) is firing on fhir-litware\n")
	assert.Contains(t, out, "stacks=fabrikam,adatum,northwind,tailspin ", "the ring is released: what is left are the later rings")
	assert.Contains(t, fx.summary(t), "| `contoso` | traffic-manager-endpoints-online | endpoint primary is Degraded, not Online: its /health/check probe fails |\n")
}

func TestGateBakeRunsItsTime(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	fx.results(t, "early", 0, "fabrikam=done")
	fx.healthy(t, "fabrikam")
	code, out, _ := fx.gate(t, "early", "--poll", "2m")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Baking 10m0s (until 2026-12-01T12:10:00Z), reading the ring's fired DR alerts every 2m0s.\n")
	assert.Contains(t, out, "PASS: ring early of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 1 of 1 stacks released, baked 10m0s, healthy: ring broad may start.\n")
	assert.Equal(t, []time.Duration{2 * time.Minute, 2 * time.Minute, 2 * time.Minute, 2 * time.Minute, 2 * time.Minute}, fx.sleeps)
	var alerts int
	for _, r := range fx.arm.HealthReads() {
		if strings.HasPrefix(r, fakearm.KeyAlerts+" ") {
			alerts++
		}
	}
	assert.Equal(t, 6, alerts, "one read per poll, one in the final check")
}

func TestGateBakeEndsEarlyOnAnAlert(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	fx.results(t, "early", 0, "fabrikam=done")
	fx.healthy(t, "fabrikam")
	fx.onSleep = func(n int) {
		if n == 3 {
			fx.arm.FireAlert(fakearm.Alert{Rule: "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Insights/metricAlerts/alert-fabrikam-traffic-manager-endpoint-degraded",
				Severity: "Sev1"})
		}
	}
	code, out, _ := fx.gate(t, "early", "--bake", "1h")
	require.Equal(t, 1, code, out)
	assert.Contains(t, out, "  1 DR alert(s) of the ring fired after 3m0s of the bake: ending the bake early.\n")
	assert.Contains(t, out, "HALT: ring early of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 1 stacks are not healthy (1 DR alert(s) of the ring fired after 3m0s of the bake).\n")
	assert.Contains(t, out, "    no-dr-alert-firing: alert alert-fabrikam-traffic-manager-endpoint-degraded (Sev1) is firing\n")
	assert.Len(t, fx.sleeps, 3)
}

// An alert someone acknowledged is a live incident with an owner: it ends
// the bake and halts the gate, the problem saying it is acknowledged.
func TestGateHaltsOnAnAcknowledgedAlert(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	fx.results(t, "early", 0, "fabrikam=done")
	fx.healthy(t, "fabrikam")
	fx.onSleep = func(n int) {
		if n == 2 {
			fx.arm.FireAlert(fakearm.Alert{Rule: "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Insights/metricAlerts/alert-fabrikam-cosmos-region-offline",
				Severity: "Sev1", Target: "fhir-fabrikam", Start: "2026-12-01T11:00:00Z", State: "Acknowledged"})
		}
	}
	code, out, _ := fx.gate(t, "early", "--bake", "1h")
	require.Equal(t, 1, code, out)
	assert.Contains(t, out, "  1 DR alert(s) of the ring fired after 2m0s of the bake: ending the bake early.\n")
	assert.Contains(t, out, "  fabrikam:\n"+
		"    no-dr-alert-firing: alert alert-fabrikam-cosmos-region-offline (Sev1) is firing on fhir-fabrikam since 2026-12-01T11:00:00Z, acknowledged\n")
	assert.Len(t, fx.sleeps, 2)
}

// An alert a person closed is over, one whose condition resolved is not
// even listed (the gate asks for Fired alerts only): neither halts.
func TestGatePassesClosedAndResolvedAlerts(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	fx.results(t, "early", 0, "fabrikam=done")
	fx.healthy(t, "fabrikam")
	rules := "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Insights/metricAlerts/"
	fx.arm.FireAlert(fakearm.Alert{Rule: rules + "alert-fabrikam-cosmos-region-offline", Severity: "Sev1", State: "Closed"})
	fx.arm.FireAlert(fakearm.Alert{Rule: rules + "alert-fabrikam-cosmos-replication-lag", Severity: "Sev2", Condition: "Resolved"})
	fx.arm.FireAlert(fakearm.Alert{Rule: rules + "alert-fabrikam-traffic-manager-endpoint-degraded", Severity: "Sev1", Condition: "Resolved", State: "Acknowledged"})
	code, out, _ := fx.gate(t, "early", "--bake", "3m")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "PASS: ring early of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 1 of 1 stacks released, baked 3m0s, healthy: ring broad may start.\n")
	assert.NotContains(t, out, "no-dr-alert-firing:")
}

// A read Azure throttles is retried as Retry-After asks; a read that
// keeps failing or hangs is a problem that halts, named, not a crash.
func TestGateFaults(t *testing.T) {
	t.Run("throttled, then answered", func(t *testing.T) {
		fx := newGateFixture(t, gatePlan)
		fx.results(t, "canary", 0, "contoso=done")
		fx.results(t, "canary", 1, "litware=done")
		fx.healthy(t, "contoso", "litware")
		fx.arm.Inject(fakearm.KeyProfile, fakearm.Fault{Status: http.StatusTooManyRequests, RetryAfter: "7"})
		fx.arm.Inject(fakearm.KeyAlerts, fakearm.Fault{Status: http.StatusServiceUnavailable})
		code, out, _ := fx.gate(t, "canary")
		require.Equal(t, 0, code, out)
		assert.ElementsMatch(t, []time.Duration{7 * time.Second, 2 * time.Second}, fx.waits)
		assert.Contains(t, out, "429 Too Many Requests; retry 1 of 4 in 7s")
	})
	t.Run("5xx beyond the retries", func(t *testing.T) {
		fx := newGateFixture(t, gatePlan)
		fx.results(t, "canary", 0, "contoso=done")
		fx.results(t, "canary", 1, "litware=done")
		fx.healthy(t, "contoso", "litware")
		fx.arm.Inject(fakearm.KeyAvailability, fakearm.Fault{Status: http.StatusInternalServerError, Times: -1})
		code, out, _ := fx.gate(t, "canary")
		require.Equal(t, 1, code, out)
		assert.Contains(t, out, "  contoso:\n    availability-tests-passing: could not read the availability of appi-contoso-fhir: reading "+
			contosoAppi+"/providers/Microsoft.Insights/metrics: ")
		assert.Contains(t, out, "500 Internal Server Error")
		assert.Len(t, fx.waits, 4, "4 retries, then the problem")
	})
	t.Run("a hung read", func(t *testing.T) {
		fx := newGateFixture(t, gatePlan)
		fx.results(t, "canary", 0, "contoso=done")
		fx.results(t, "canary", 1, "litware=done")
		fx.healthy(t, "contoso", "litware")
		fx.arm.Inject(fakearm.KeyAlerts, fakearm.Fault{Hang: true, Times: -1})
		start := time.Now()
		code, out, _ := fx.gate(t, "canary", "--try-timeout", "50ms")
		require.Equal(t, 1, code, out)
		assert.Less(t, time.Since(start), 20*time.Second, "bounded by --try-timeout and the retries")
		for _, c := range []string{"contoso", "litware"} {
			assert.Contains(t, out, "  "+c+":\n    no-dr-alert-firing: could not read the fired alerts: ")
		}
	})
	t.Run("a profile that does not exist", func(t *testing.T) {
		fx := newGateFixture(t, gatePlan)
		fx.results(t, "canary", 0, "contoso=done")
		fx.results(t, "canary", 1, "litware=done")
		fx.healthy(t, "litware")
		fx.arm.SetAvailability(contosoAppi, "webtest-contoso-traffic-manager", 100)
		fx.arm.SetAvailability(contosoAppi, "webtest-contoso-primary", 100)
		fx.arm.SetAvailability(contosoAppi, "webtest-contoso-secondary", 99.5)
		code, out, _ := fx.gate(t, "canary")
		require.Equal(t, 1, code, out)
		assert.Contains(t, out, "  contoso:\n    traffic-manager-endpoints-online: Traffic Manager profile tm-contoso-fhir not found (404): is the stack deployed?\n")
	})
}

func TestGateUsage(t *testing.T) {
	fx := newGateFixture(t, gatePlan)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--ring", "wave-1"}, `ring "wave-1" is not in the plan`},
		{[]string{"--ring", "canary", "--bake", "6h"}, "the bake time 6h0m0s is out of bounds (0 to 5h0m0s)"},
		{[]string{"--ring", "canary", "--bake", "1h", "--timeout", "30m"}, "--timeout 30m0s must be longer than the bake 1h0m0s"},
		{[]string{"--ring", "canary", "--min-availability", "120"}, "--min-availability"},
		{[]string{"--ring", "canary", "--arm-endpoint", "http://10.0.0.1:80"}, "not on the loopback interface"},
	} {
		code, _, errOut := fx.gate(t, tc.args[1], tc.args[2:]...)
		assert.Equal(t, 2, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
	}
	bad := cloneMap(t, gatePlan)
	bad["haltAbove"] = 10
	b, err := json.Marshal(bad)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(fx.dir, "plan.json"), b, 0o644))
	code, _, errOut := fx.gate(t, "canary")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "haltAbove 10 is not a fraction between 0 and 1")
	code, _, errOut = runDrctl(t, "rollout", "gate", "--ring", "canary")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `required flag(s) "plan", "results" not set`)
}

func cloneMap(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// A ring without DR stacks has nothing to read in Azure: the gate passes
// on the results alone.
func TestGateRingWithoutDR(t *testing.T) {
	plan := cloneMap(t, gatePlan)
	plan["rings"] = []map[string]any{{"name": "broad", "stacks": []string{"adatum"}, "shards": [][]string{{"adatum"}}, "bakeSeconds": 300}}
	fx := newGateFixture(t, plan)
	fx.results(t, "broad", 0, "adatum=done")
	code, out, _ := fx.gate(t, "broad")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "PASS: ring broad of commit c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe: 1 of 1 stacks released, baked 5m0s, healthy: the rollout is complete.\n")
	assert.Empty(t, fx.arm.HealthReads())
}
