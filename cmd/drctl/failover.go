package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/clock"
	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/objectives"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// stdin is where confirmations are read; tests replace it.
var stdin io.Reader = os.Stdin

// recordReadTimeout bounds drctl record's read of the account: ARM answers
// a GET in seconds, retries included; a release waits no longer than this.
var recordReadTimeout = 2 * time.Minute

// stateReadTimeout bounds the read of the account's state after a failed
// or interrupted change, for the summary.
var stateReadTimeout = 30 * time.Second

// now is the clock of the failover records; tests replace it.
var now = time.Now

// retrySleep is how retries and operation polls wait; tests replace it so
// that a Retry-After of minutes takes no time.
var retrySleep = clock.Sleep

// pollFrequency is how often long-running operations are polled.
var pollFrequency = 5 * time.Second

// restoreTimeout bounds turning service-managed failover back on after a
// failure or the first Ctrl-C.
var restoreTimeout = failover.RestoreTimeout

// notifySignals delivers SIGINT and SIGTERM to c until stop is called;
// tests replace it to interrupt a run.
var notifySignals = func(c chan<- os.Signal) (stop func()) {
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return func() { signal.Stop(c) }
}

// armFlags are the flags that say how drctl reaches Azure Resource Manager.
type armFlags struct {
	subscription, cloud, endpoint      string
	tryTimeout, timeout, maxRetryAfter time.Duration
}

// addARMFlags defines the flags of a; timeout is the command's default
// bound.
func addARMFlags(cmd *cobra.Command, a *armFlags, timeout time.Duration) {
	f := cmd.Flags()
	f.StringVar(&a.subscription, "subscription", "", "the customer's subscription `id` (default $AZURE_SUBSCRIPTION_ID)")
	f.StringVar(&a.cloud, "cloud", "AzurePublic", "the Azure `cloud`: "+strings.Join(failover.CloudNames, ", "))
	f.StringVar(&a.endpoint, "arm-endpoint", "", "for tests only: the `url` of a stand-in for Resource Manager on the loopback "+
		"interface, http://127.0.0.1:PORT (default $AZURE_ARM_ENDPOINT); no credential is created or sent, any other address is refused")
	f.DurationVar(&a.tryTimeout, "try-timeout", failover.DefaultRetry.TryTimeout, "the longest one try of a request may take")
	f.DurationVar(&a.timeout, "timeout", timeout, "the longest the command may take, retries and operation polling included "+
		"(restoring service-managed failover afterwards has its own "+restoreTimeout.String()+")")
	f.DurationVar(&a.maxRetryAfter, "max-retry-after", failover.DefaultRetry.MaxRetryAfter, "the longest Retry-After honoured; a longer one fails the request")
	_ = cmd.RegisterFlagCompletionFunc("cloud", completeWords(failover.CloudNames...))
}

// resolve fills the flags not given from the environment: the
// subscription from AZURE_SUBSCRIPTION_ID, the endpoint from
// AZURE_ARM_ENDPOINT (an --arm-endpoint given empty overrides it).
func (a *armFlags) resolve(cmd *cobra.Command) {
	if !cmd.Flags().Changed("subscription") {
		a.subscription = os.Getenv("AZURE_SUBSCRIPTION_ID")
	}
	if !cmd.Flags().Changed("arm-endpoint") {
		a.endpoint = os.Getenv("AZURE_ARM_ENDPOINT")
	}
}

// retryHelp states the retry bounds, for --help.
func retryHelp() string {
	r := failover.DefaultRetry
	return wrap(fmt.Sprintf("Requests: each try is bounded by --try-timeout. Answers 408, 429, 500, 502, 503 and 504, and reads that fail in transport "+
		"or time out, are retried up to %d times, waiting what Retry-After asks (up to --max-retry-after; a longer one fails at once, naming it), "+
		"else %s doubling up to %s. A conflict with another operation's exclusive lock (409/412) is retried up to %d times, waiting "+
		"Retry-After or %s, %s, ... up to %s. Long-running operations are polled every %s until --timeout.\n",
		r.MaxRetries, r.RetryDelay, r.MaxRetryDelay, r.LockRetries, r.LockDelay, 2*r.LockDelay, r.MaxLockDelay, pollFrequency), helpWidth)
}

// failoverExit states the exit statuses of failover and failback.
const failoverExit = "0 done and recorded; 1 refused, failed or not recorded (the message says which and what to run); " +
	"2 usage; 130 interrupted."

// interruptHelp says what Ctrl-C does and how each exit is recovered
// from, for --help.
const interruptHelp = `Before its first write the command records dr.failoverIntent in the stack file; on success it replaces it with
dr.writeRegion and dr.writeRegionChange (a drill: dr.lastDrill). On a failure or an interrupt the intent stays, the
command prints Azure's state (read again, bounded) and the one command that finishes the change: the same command
again, which plans from where Azure is. The first Ctrl-C (or SIGTERM) starts no new write, turns service-managed
failover back on (bounded by its own minute) and exits 130; a second exits at once, 130, with the state as last known.
`

// client builds the ARM client: with --arm-endpoint for a loopback
// stand-in without any credential, else for the --cloud with the default
// Azure credential chain of that cloud.
func (a *armFlags) client(out io.Writer) (*failover.Client, error) {
	opts := failover.Options{Out: out, PollFrequency: pollFrequency,
		Retry: failover.RetryPolicy{TryTimeout: a.tryTimeout, MaxRetryAfter: a.maxRetryAfter, Sleep: retrySleep}}
	if a.endpoint != "" {
		opts.Endpoint = a.endpoint
		return newClient(opts)
	}
	cfg, ok := failover.Clouds[a.cloud]
	if !ok {
		return nil, fmt.Errorf("unknown cloud %q: one of %s", a.cloud, strings.Join(failover.CloudNames, ", "))
	}
	cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: policy.ClientOptions{Cloud: cfg}})
	if err != nil {
		return nil, fmt.Errorf("azure credentials: %w", err)
	}
	opts.Cloud, opts.Credential = cfg, cred
	return newClient(opts)
}

func newClient(opts failover.Options) (*failover.Client, error) {
	c, err := failover.NewClient(opts)
	if err != nil {
		return nil, err
	}
	c.RestoreTimeout = restoreTimeout
	return c, nil
}

// check validates the flags before anything is read.
func (a *armFlags) check() error {
	switch {
	case a.subscription == "":
		return errors.New("--subscription (or AZURE_SUBSCRIPTION_ID) is required")
	case a.endpoint != "":
		if _, err := failover.LoopbackEndpoint(a.endpoint); err != nil {
			return fmt.Errorf("--arm-endpoint: %w", err)
		}
	default:
		if _, ok := failover.Clouds[a.cloud]; !ok {
			return fmt.Errorf("--cloud %q: one of %s", a.cloud, strings.Join(failover.CloudNames, ", "))
		}
	}
	if a.tryTimeout <= 0 || a.timeout <= 0 || a.maxRetryAfter < 0 {
		return errors.New("--try-timeout and --timeout must be positive, --max-retry-after not negative")
	}
	return nil
}

// args are the flags that reach the same account again, for the command
// that finishes a change.
func (a *armFlags) args() []string {
	out := []string{"--subscription", a.subscription}
	if a.endpoint != "" {
		return append(out, "--arm-endpoint", a.endpoint)
	}
	if a.cloud != "AzurePublic" {
		out = append(out, "--cloud", a.cloud)
	}
	return out
}

// failoverRun is one drctl failover or failback.
type failoverRun struct {
	command, customer, path string
	cfg                     *drconfig.Config
	arm                     *armFlags
	client                  *failover.Client
	accountID               string
	action, kind            string
	from, target            string
	ticket, operator        string
	forced, drill, online   bool
	acceptDataLoss          bool
	intent                  *drconfig.FailoverIntent
	// resuming is true when the run finishes an intent an earlier run
	// left in the stack file.
	resuming       bool
	stdout, stderr io.Writer
}

// failoverOptions are the flags of drctl failover and failback.
type failoverOptions struct {
	ticket, operator                           string
	dryRun, forced, acceptDataLoss, yes, drill bool
	online                                     bool
	arm                                        armFlags
}

// newFailoverCmd is drctl failover.
func newFailoverCmd() *cobra.Command {
	var o failoverOptions
	cmd := &cobra.Command{
		Use:   "failover <customer> --ticket <id>",
		Short: "move a customer's Cosmos DB writes to the secondary region: planned, --forced (outage) or --drill",
		Long: `drctl failover moves a customer's Cosmos DB writes to the secondary region, through Azure Resource
Manager (no release): planned (both regions healthy: a priority change), --forced (the write region is
down: offlineRegion, guarded by the replication lag against the RPO; --accept-data-loss proceeds anyway)
or --drill (fail over, check, fail back, check, each step timed and recorded in dr.lastDrill). Every
run, --dry-run included, first reads the account and plans from what Azure reports, never from the stack
file. Re-run the same command to finish an interrupted one.

` + retryHelp() + "\n" + interruptHelp,
		Example: `  drctl failover contoso --ticket INC-42 --subscription <id> --dry-run
  drctl failover contoso --ticket INC-42 --subscription <id> --forced --accept-data-loss --yes
  drctl failover contoso --ticket CHG-9 --subscription <id> --drill`,
		Args:              oneCustomer,
		Annotations:       map[string]string{exitAnnotation: failoverExit},
		ValidArgsFunction: completeCustomers(1),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			return runFailover(cmd, "failover", args[0], &o)
		}),
	}
	addFailoverFlags(cmd, &o)
	f := cmd.Flags()
	f.BoolVar(&o.forced, "forced", false, "the write region is down: take it offline (seconds; may lose unreplicated writes)")
	f.BoolVar(&o.acceptDataLoss, "accept-data-loss", false, "with --forced: proceed although the secondary is not online, "+
		"or the replication lag exceeds the RPO or cannot be read")
	f.BoolVar(&o.yes, "yes", false, "with --forced: do not ask for confirmation")
	f.BoolVar(&o.drill, "drill", false, "run the drill (fail over, check, fail back, check), time each step and record it in dr.lastDrill")
	cmd.MarkFlagsMutuallyExclusive("forced", "drill")
	addARMFlags(cmd, &o.arm, 10*time.Minute)
	return cmd
}

// addFailoverFlags defines the flags failover and failback share, but the
// azure flags.
func addFailoverFlags(cmd *cobra.Command, o *failoverOptions) {
	f := cmd.Flags()
	f.StringVar(&o.ticket, "ticket", "", "the `id` of the incident or change ticket. Required.")
	f.StringVar(&o.operator, "operator", "", "the `name` of who runs it, for the record (default $USER, else the operating system's user)")
	f.BoolVar(&o.dryRun, "dry-run", false, "read the account and print the plan derived from Azure's state; change nothing")
}

// runFailover is drctl failover and drctl failback: it checks the flags
// (a mistake is a usage error), then runs the change and returns its exit
// status.
func runFailover(cmd *cobra.Command, command, customer string, o *failoverOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	switch {
	case o.ticket == "":
		return usagef("--ticket is required: every write-region change and drill is recorded with its ticket")
	case (o.acceptDataLoss || o.yes) && !o.forced:
		return usagef("--accept-data-loss and --yes go with --forced")
	}
	arm := &o.arm
	arm.resolve(cmd)
	if err := arm.check(); err != nil {
		return usageError{err: err}
	}
	operator := o.operator
	if !o.dryRun {
		var err error
		if operator, err = operatorName(o.operator); err != nil {
			return err
		}
	}

	path, cfg, err := loadDRStack(customer)
	if err != nil {
		fmt.Fprintf(stderr, "drctl %s: %v\n", command, err)
		return exitStatus(exitFailed)
	}
	r := &failoverRun{command: command, customer: customer, path: path, cfg: cfg, arm: arm, accountID: cfg.AccountID(arm.subscription),
		ticket: o.ticket, operator: operator, forced: o.forced, drill: o.drill, online: o.online, acceptDataLoss: o.acceptDataLoss,
		intent: cfg.DR.FailoverIntent, stdout: stdout, stderr: stderr}
	primary, secondary := cfg.PrimaryRegion, cfg.DR.SecondaryRegion
	r.from, r.target = primary, secondary
	switch {
	case o.drill:
		r.action, r.kind = drconfig.ActionDrill, "drill"
	case o.forced:
		r.action, r.kind = drconfig.ActionForcedFailover, "forced failover"
	case command == "failback":
		r.action, r.kind, r.from, r.target = drconfig.ActionFailback, "failback", secondary, primary
	default:
		r.action, r.kind = drconfig.ActionPlannedFailover, "planned failover"
	}
	if i := r.intent; i != nil && (i.Action != r.action || i.Ticket != r.ticket) {
		fmt.Fprintf(stderr, "drctl %s: a %s is in progress (dr.failoverIntent in %s: %s): finish it first with:\n  %s\n",
			command, i.Action, stackfile.Path(customer), i, r.commandFor(i))
		return exitStatus(exitFailed)
	}
	if r.intent == nil {
		switch {
		case command == "failback" && !cfg.WriteRegionMoved():
			fmt.Fprintf(stderr, "drctl failback: %s takes writes already (stack file); nothing to fail back\n", primary)
			return exitStatus(exitFailed)
		case command == "failover" && cfg.WriteRegionMoved():
			fmt.Fprintf(stderr, "drctl failover: %s has failed over to %s already (%s); fail back first\n", customer, secondary, cfg.DR.WriteRegionChange)
			return exitStatus(exitFailed)
		}
	}
	if r.client, err = arm.client(stdout); err != nil {
		fmt.Fprintf(stderr, "drctl %s: %v\n", command, err)
		return exitStatus(exitFailed)
	}
	return exitWith(r.run(o.dryRun, o.yes))
}

// commandFor is the one command that finishes the change an intent
// records.
func (r *failoverRun) commandFor(i *drconfig.FailoverIntent) string {
	parts := []string{"drctl", "failover", r.customer, "--ticket", i.Ticket}
	switch i.Action {
	case drconfig.ActionFailback:
		parts[1] = "failback"
		if r.online && r.action == drconfig.ActionFailback {
			parts = append(parts, "--online")
		}
	case drconfig.ActionForcedFailover:
		parts = append(parts, "--forced")
		if r.acceptDataLoss && r.action == drconfig.ActionForcedFailover {
			parts = append(parts, "--accept-data-loss")
		}
	case drconfig.ActionDrill:
		parts = append(parts, "--drill")
	}
	return strings.Join(append(parts, r.arm.args()...), " ")
}

// finishCommand is the command that finishes this run's change.
func (r *failoverRun) finishCommand() string {
	return r.commandFor(&drconfig.FailoverIntent{Action: r.action, Ticket: r.ticket})
}

func (r *failoverRun) run(dryRun, yes bool) int {
	// Everything is bounded by --timeout; the first Ctrl-C stops writes
	// (writes), the second everything (kill), including the restoration
	// of service-managed failover and the last read of the state.
	kill, killAll := context.WithCancel(context.Background())
	defer killAll()
	overall, cancelOverall := context.WithTimeout(kill, r.arm.timeout)
	defer cancelOverall()
	writes, stopWrites := context.WithCancel(overall)
	defer stopWrites()

	acct, err := r.client.Get(writes, r.accountID)
	if err != nil {
		fmt.Fprintf(r.stderr, "drctl %s: reading the account: %v\nNothing was changed.\n", r.command, err)
		return 1
	}
	restoreOn := acct.AutomaticFailover
	r.resuming = r.intent != nil
	switch {
	case r.resuming:
		restoreOn = r.intent.ServiceManagedFailoverWasOn
		fmt.Fprintf(r.stdout, "Finishing the %s recorded in %s (%s).\n", r.intent.Action, stackfile.Path(r.customer), r.intent)
	case r.action != drconfig.ActionDrill && failover.SameRegion(acct.WriteRegion(), r.target):
		// Azure is where this change leads, but no intent says how it got
		// there: a run that stopped halfway on another checkout (a
		// workflow re-run starts from main), or Azure on its own. Finish
		// from Azure's state with service-managed failover on, as the
		// stack declares it, and record what Azure reports.
		restoreOn = true
		fmt.Fprintf(r.stdout, "%s takes writes in Azure already, but %s says %s (and holds no dr.failoverIntent): an earlier run of this "+
			"change stopped halfway, or Azure moved on its own. Finishing from Azure's state and recording what it reports.\n",
			acct.WriteRegion(), stackfile.Path(r.customer), r.cfg.DR.WriteRegion)
	}
	plan, err := r.plan(acct, restoreOn)
	if err != nil {
		fmt.Fprintf(r.stderr, "drctl %s: %v\nNothing was changed. Azure's state: %s\n", r.command, err, acct.Summary())
		return 1
	}
	fmt.Fprintf(r.stdout, "%s's account as Azure reports it: %s\n", r.customer, acct.Summary())
	if !restoreOn && r.action != drconfig.ActionForcedFailover {
		fmt.Fprintf(r.stdout, "Note: service-managed failover was OFF before this change and is left so; the stack declares it on, "+
			"so the next release turns it on (or: %s).\n", r.enableCommand())
	}
	if dryRun {
		if plan.Empty() {
			fmt.Fprintf(r.stdout, "dry run: nothing left to do in Azure; then record in %s: writeRegion: %s\n", stackfile.Path(r.customer), r.target)
			return 0
		}
		code := 0
		if r.forced && plan.Steps[0].Kind == failover.TakeOffline {
			code = r.guard(writes, acct) // read-only: what the run would say
		}
		for _, s := range plan.Steps {
			fmt.Fprintf(r.stdout, "dry run: %s: %s\n", s.Name, s.Request(r.accountID))
		}
		if r.drill {
			fmt.Fprintf(r.stdout, "dry run: then record the drill in %s (dr.lastDrill)\n", stackfile.Path(r.customer))
		} else {
			fmt.Fprintf(r.stdout, "dry run: then record in %s: writeRegion: %s\n", stackfile.Path(r.customer), r.target)
		}
		return code
	}
	if plan.Empty() {
		fmt.Fprintln(r.stdout, "Nothing is left to do in Azure; recording what it reports.")
		return r.succeeded(failover.Outcome{Account: acct})
	}
	if r.forced && plan.Steps[0].Kind == failover.TakeOffline {
		if code := r.guard(writes, acct); code != 0 {
			return code
		}
		if !yes {
			fmt.Fprintf(r.stdout, "Forced failover of %s: %s is taken offline and %s takes writes within seconds.\n"+
				"Writes not yet replicated to %s may be lost (RPO %s). Type the customer name to confirm: ",
				r.customer, r.from, r.target, r.target, r.cfg.Objectives().RPO)
			line, _ := bufio.NewReader(stdin).ReadString('\n')
			if strings.TrimSpace(line) != r.customer {
				fmt.Fprintf(r.stderr, "drctl %s: not confirmed; nothing was changed\n", r.command)
				return 1
			}
		}
	}

	// The intent, before the first write.
	if r.intent == nil {
		r.intent = &drconfig.FailoverIntent{Action: r.action, From: r.from, To: r.target, At: now().UTC().Format(time.RFC3339),
			By: r.operator, Ticket: r.ticket, ServiceManagedFailoverWasOn: restoreOn}
		if err := drconfig.StartFailover(r.path, *r.intent); err != nil {
			fmt.Fprintf(r.stderr, "drctl %s: recording the intent in %s: %v\nNothing was changed.\n", r.command, stackfile.Path(r.customer), err)
			return 1
		}
		fmt.Fprintf(r.stdout, "Recorded the intent in %s (dr.failoverIntent): %s\n", stackfile.Path(r.customer), r.intent)
	}

	sigs := make(chan os.Signal, 2)
	stopSignals := notifySignals(sigs)
	defer stopSignals()
	var interrupts atomic.Int32
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-sigs:
				if interrupts.Add(1) == 1 {
					stopWrites()
				} else {
					killAll()
				}
			case <-done:
				return
			}
		}
	}()

	started := now()
	outcome, err := r.client.Execute(writes, kill, r.accountID, plan)
	if err == nil { // every step done, even if an interrupt came at the end
		if r.drill {
			return r.drilled(outcome, started, nil)
		}
		return r.succeeded(outcome)
	}
	return r.failed(kill, outcome, err, started, int(interrupts.Load()))
}

func (r *failoverRun) plan(acct failover.Account, restoreOn bool) (failover.Plan, error) {
	resume := r.resuming
	switch r.action {
	case drconfig.ActionDrill:
		return failover.PlanDrill(acct, r.from, r.target, restoreOn, resume)
	case drconfig.ActionForcedFailover:
		return failover.PlanForced(acct, r.from, r.target)
	case drconfig.ActionFailback:
		return failover.PlanFailback(acct, r.target, r.online, restoreOn)
	default:
		return failover.PlanPlanned(acct, r.target, restoreOn)
	}
}

// guard refuses a forced failover that would risk more than the RPO,
// unless --accept-data-loss: the secondary must be online and the
// replication lag to it known and within the stack's RPO.
func (r *failoverRun) guard(ctx context.Context, acct failover.Account) int {
	rpo := r.cfg.Objectives().RPO
	name := r.target
	region, ok := acct.Region(r.target)
	if ok {
		name = region.Name
	}
	var problems []string
	if !ok || !region.Online {
		problems = append(problems, fmt.Sprintf("%s is not online (%s)", name, acct.Summary()))
	}
	lag, err := r.client.ReplicationLag(ctx, r.accountID, name)
	risk := fmt.Sprintf("P99 replication lag to %s over the last 15 minutes: %s", name, lag.Round(time.Millisecond))
	switch {
	case err != nil:
		risk = fmt.Sprintf("unknown: the metric could not be read: %v", firstLine(err))
		problems = append(problems, "the replication lag is unknown")
	case lag > rpo:
		problems = append(problems, fmt.Sprintf("the replication lag %s exceeds the RPO %s", lag.Round(time.Millisecond), rpo))
	}
	if len(problems) == 0 {
		fmt.Fprintf(r.stdout, "Guard passed: %s is online; %s, within the RPO %s.\n", name, risk, rpo)
		return 0
	}
	if !r.acceptDataLoss {
		fmt.Fprintf(r.stderr, "drctl %s: refusing the forced failover of %s: %s.\nData at risk: the writes not yet replicated to %s; %s; the stack's RPO is %s.\n"+
			"Nothing was changed. If losing them is accepted (by the incident's decision maker), re-run with --accept-data-loss.\n",
			r.command, r.customer, strings.Join(problems, "; "), name, risk, rpo)
		return 1
	}
	fmt.Fprintf(r.stdout, "Proceeding with --accept-data-loss although %s. Data at risk: %s; the stack's RPO is %s.\n", strings.Join(problems, "; "), risk, rpo)
	return 0
}

// succeeded records the change Azure made and removes the intent.
func (r *failoverRun) succeeded(outcome failover.Outcome) int {
	if r.drill {
		return r.drilled(outcome, now(), nil)
	}
	acct := outcome.Account
	operation := outcome.OperationID
	if operation == "" {
		operation = acct.RequestID // the read that saw the change made
	}
	record := newRecord(r.action, r.cfg.DR.WriteRegion, r.target, r.operator, r.ticket, acct.ID, acct.Locations, operation)
	if code := writeRecord("drctl "+r.command, r.path, r.target, record, r.stderr); code != 0 {
		return code
	}
	fmt.Fprintf(r.stdout, "\n%s now takes writes; service-managed failover is %s. Recorded in %s:\n  writeRegion: %s\n"+
		"  writeRegionChange: %s (Azure request %s)\n  (dr.failoverIntent removed)\n\n"+
		"Commit it so that code and Azure agree, before any other release of %s:\n"+
		"  git add %s\n  git commit -m %q\n"+
		"and open a pull request: drctl diff checks the record against the base and shows a recorded %s, "+
		"and its release changes nothing in Azure.\n",
		r.target, strings.ToUpper(onOffWord(acct.AutomaticFailover)), stackfile.Path(r.customer), r.target, &record, record.OperationID, r.customer,
		stackfile.Path(r.customer), fmt.Sprintf("%s: record %s (%s)", r.customer, r.kind, r.ticket), r.kind)
	if r.acceptDataLoss {
		fmt.Fprintf(r.stdout, "The failover was forced with --accept-data-loss: say so in the incident %s.\n", r.ticket)
	}
	return 0
}

// failed reports a change that did not finish: Azure's state (re-read,
// bounded, unless a second Ctrl-C asked to exit at once), whether
// service-managed failover is off, and the one command that finishes it.
func (r *failoverRun) failed(kill context.Context, outcome failover.Outcome, err error, started time.Time, interrupts int) int {
	code := 1
	what := "did not finish"
	if interrupts > 0 {
		code, what = exitInterrupted, "was interrupted"
	}
	acct, state := outcome.Account, "as last read"
	if interrupts < 2 {
		ctx, cancel := context.WithTimeout(kill, stateReadTimeout)
		fresh, rerr := r.client.Get(ctx, r.accountID)
		cancel()
		if rerr == nil {
			acct, state = fresh, "as Azure reports it now"
		} else {
			state = fmt.Sprintf("as last read; reading it again failed: %s", firstLine(rerr))
		}
	} else {
		state = "as last known, counting the requests Azure accepted as done; a second interrupt exits without reading it again"
	}
	if r.drill {
		r.drilled(outcome, started, err)
	}
	fmt.Fprintf(r.stderr, "drctl %s: the %s of %s %s: %v\n\nAzure's state (%s): %s\n\n"+
		"The intent stays in %s (dr.failoverIntent): no release of %s passes the gate (drctl record --verify --before-release) until it is finished.\n"+
		"Finish it with:\n  %s\n",
		r.command, r.kind, r.customer, what, err, state, acct.Summary(), stackfile.Path(r.customer), r.customer, r.finishCommand())
	if !acct.AutomaticFailover {
		fmt.Fprintf(r.stderr, "Service-managed failover is OFF: the command above turns it back on; or, directly:\n  %s\n", r.enableCommand())
	}
	return code
}

// enableCommand is the Azure CLI command that turns service-managed
// failover on.
func (r *failoverRun) enableCommand() string {
	return fmt.Sprintf("az cosmosdb update --subscription %s --resource-group %s --name %s --enable-automatic-failover true",
		r.arm.subscription, r.cfg.PrimaryResourceGroupName(), r.cfg.Cosmos.AccountName)
}

// drilled prints a drill's measured steps beside the model's budget and
// records it in dr.lastDrill; a drill that failed (stepErr) is recorded
// as failed and keeps its intent.
func (r *failoverRun) drilled(outcome failover.Outcome, started time.Time, stepErr error) int {
	record := drconfig.DrillRecord{At: started.UTC().Format(time.RFC3339), By: r.operator, Ticket: r.ticket, Outcome: drconfig.DrillPassed}
	if r.resuming || stepErr != nil {
		// A drill passes only when it runs through in one go.
		record.Outcome = drconfig.DrillFailed
	}
	o := r.cfg.Objectives()
	var measuredFailover time.Duration
	failoverStep := ""
	tw := tabwriter.NewWriter(r.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(r.stdout, "\nDrill of %s, measured against Azure:\n", r.customer)
	fmt.Fprintln(tw, "  STEP\tMEASURED\tBUDGET\tRESULT")
	for _, e := range outcome.Steps {
		budget, result := "-", "ok"
		if e.Step.Kind == failover.MoveWrites && failoverStep == "" && failover.SameRegion(e.Step.Region, r.target) {
			failoverStep, measuredFailover = e.Step.Name, e.Took.Round(100*time.Millisecond)
			budget = objectives.ForcedFailoverExecution.String() + " (model)"
			if e.Took > objectives.ForcedFailoverExecution {
				result = "over budget"
				record.Outcome = drconfig.DrillFailed
			}
		}
		if e.Err != nil {
			result = "failed: " + firstLine(e.Err)
			record.Outcome = drconfig.DrillFailed
		}
		record.Steps = append(record.Steps, drconfig.DrillStep{Name: e.Step.Name, Seconds: e.Took.Round(100 * time.Millisecond).Seconds()})
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", e.Step.Name, e.Took.Round(100*time.Millisecond), budget, result)
	}
	_ = tw.Flush()
	fmt.Fprintf(r.stdout, "Modeled RTO by forced failover: %s", o.RTO)
	if failoverStep != "" {
		for _, t := range o.RTOTerms {
			if t.Duration == objectives.ForcedFailoverExecution {
				fmt.Fprintf(r.stdout, "; with the measured failover (%s) in place of its %s budget: %s",
					measuredFailover, objectives.ForcedFailoverExecution, o.RTO-objectives.ForcedFailoverExecution+measuredFailover)
				break
			}
		}
	}
	fmt.Fprintln(r.stdout, ".")
	finished := stepErr == nil
	if err := drconfig.RecordDrill(r.path, record, finished); err != nil {
		doc, _ := yaml.Marshal(map[string]any{"lastDrill": record})
		fmt.Fprintf(r.stderr, "drctl failover: the drill's record could not be written to %s: %v\nPut this under fhir-dr:dr:\n%s", r.path, err, doc)
		return 1
	}
	if !finished {
		return 1
	}
	if r.resuming {
		fmt.Fprintf(r.stdout, "\nThe interrupted drill of %s is finished: %s takes writes again. Recorded as failed (a drill passes only "+
			"when it runs through) in %s (dr.lastDrill; dr.failoverIntent removed). Commit it:\n", r.customer, r.from, stackfile.Path(r.customer))
	} else {
		fmt.Fprintf(r.stdout, "\nDrill of %s %s: %s took writes and %s took them back. Recorded in %s (dr.lastDrill). Commit it:\n",
			r.customer, record.Outcome, r.target, r.from, stackfile.Path(r.customer))
	}
	fmt.Fprintf(r.stdout, "  git add %s\n  git commit -m %q\n", stackfile.Path(r.customer), fmt.Sprintf("%s: record drill (%s)", r.customer, r.ticket))
	if record.Outcome == drconfig.DrillFailed && !r.resuming {
		return 1
	}
	return 0
}

func onOffWord(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// firstLine is the first line of an error: azcore's span many.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// newRecord is the record of a write-region change Azure made, with what
// it answered: the account's ID, its failover priorities after the change
// and the request's ID.
func newRecord(action, from, to, by, ticket, accountID string, locations []failover.Location, operationID string) drconfig.WriteRegionRecord {
	r := drconfig.WriteRegionRecord{Action: action, From: from, To: to, At: now().UTC().Format(time.RFC3339), By: by, Ticket: ticket,
		AccountID: accountID, OperationID: operationID}
	for _, l := range locations {
		r.FailoverPolicies = append(r.FailoverPolicies, drconfig.FailoverPolicy{LocationName: l.Name, FailoverPriority: l.Priority})
	}
	return r
}

// writeRecord writes the record into the stack file and removes any
// intent, in one edit; when it cannot, it prints what to put there, since
// Azure has made the change already.
func writeRecord(command, path, region string, record drconfig.WriteRegionRecord, stderr io.Writer) int {
	err := drconfig.FinishFailover(path, region, record)
	if err == nil {
		return 0
	}
	doc, _ := yaml.Marshal(map[string]any{"writeRegion": region, "writeRegionChange": record})
	fmt.Fprintf(stderr, "%s: %s takes writes, but the stack file could not be updated: %v\n"+
		"Put this under fhir-dr:dr in %s (and remove failoverIntent) before any release:\n%s", command, region, err, path, doc)
	return 1
}

// loadDRStack loads a customer's stack file, which must have DR enabled:
// write regions move only between its two regions.
func loadDRStack(customer string) (string, *drconfig.Config, error) {
	root, err := projectRoot()
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(root, stackfile.Path(customer))
	cfg, err := drconfig.LoadFile(path)
	if err != nil {
		return "", nil, err
	}
	if !cfg.DR.Enabled {
		return "", nil, fmt.Errorf("%s has no DR: there is no other region", customer)
	}
	return path, cfg, nil
}
