package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/fhir-dr/fhir-dr/stackfile"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"gopkg.in/yaml.v3"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/failover"
)

// stdin is where confirmations are read; tests replace it.
var stdin io.Reader = os.Stdin

// recordReadTimeout bounds drctl record's read of the account: ARM answers
// a GET in seconds, retries included; a release waits no longer than this.
var recordReadTimeout = 2 * time.Minute

// now is the clock of the failover records; tests replace it.
var now = time.Now

// newFailoverClient builds the ARM client; tests point it at a fake ARM.
var newFailoverClient = func() (*failover.Client, error) {
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("azure credentials: %w", err)
	}
	return failover.NewClient(cred, nil)
}

// runFailover is drctl failover and drctl failback.
func runFailover(command string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drctl "+command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	ticket := fs.String("ticket", "", "the incident or change ticket. Required.")
	subscription := fs.String("subscription", os.Getenv("AZURE_SUBSCRIPTION_ID"), "the customer's subscription (default $AZURE_SUBSCRIPTION_ID)")
	operator := fs.String("operator", os.Getenv("USER"), "who runs it, for the record")
	dryRun := fs.Bool("dry-run", false, "print the requests instead of sending them")
	forced := fs.Bool("forced", false, "failover only: the write region is down; take it offline (seconds; may lose unreplicated writes)")
	yes := fs.Bool("yes", false, "with --forced: do not ask for confirmation")
	drill := fs.Bool("drill", false, "failover only: run the drill (fail over, check, fail back, check); the stack file is not changed")
	online := fs.Bool("online", false, "failback only: first bring the primary region online (after a forced failover took it offline)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: drctl %s <customer> --ticket <id> [flags]\n", command)
		fs.PrintDefaults()
	}
	// The customer comes first, flags after it.
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		return 2
	}
	customer := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	switch {
	case fs.NArg() > 0:
		fs.Usage()
		return 2
	case *ticket == "" && !*drill:
		fmt.Fprintf(stderr, "drctl %s: --ticket is required: every write-region change is recorded with its ticket\n", command)
		return 2
	case command == "failback" && (*forced || *drill):
		fmt.Fprintln(stderr, "drctl failback: --forced and --drill are failover options")
		return 2
	case command == "failover" && *online:
		fmt.Fprintln(stderr, "drctl failover: --online is a failback option")
		return 2
	case *forced && *drill:
		fmt.Fprintln(stderr, "drctl failover: --forced and --drill exclude each other")
		return 2
	}
	if *subscription == "" {
		if !*dryRun {
			fmt.Fprintf(stderr, "drctl %s: --subscription (or AZURE_SUBSCRIPTION_ID) is required\n", command)
			return 2
		}
		*subscription = "<subscription>"
	}

	path, cfg, err := loadDRStack(customer)
	if err != nil {
		fmt.Fprintf(stderr, "drctl %s: %v\n", command, err)
		return 1
	}
	primary, secondary := cfg.PrimaryRegion, cfg.DR.SecondaryRegion
	var target string
	switch {
	case command == "failback":
		if !cfg.WriteRegionMoved() {
			fmt.Fprintf(stderr, "drctl failback: %s takes writes already (stacks file); nothing to fail back\n", primary)
			return 1
		}
		target = primary
	case cfg.WriteRegionMoved():
		fmt.Fprintf(stderr, "drctl failover: %s has failed over to %s already (%s); fail back first\n", customer, secondary, cfg.DR.WriteRegionChange)
		return 1
	default:
		target = secondary
	}

	client := &failover.Client{}
	if !*dryRun {
		if client, err = newFailoverClient(); err != nil {
			fmt.Fprintf(stderr, "drctl %s: %v\n", command, err)
			return 1
		}
	}
	client.Out, client.DryRun = stdout, *dryRun
	accountID := cfg.AccountID(*subscription)
	// What the stack file says the account looks like, for dry runs.
	known := failover.Account{ID: accountID, AutomaticFailover: true,
		Locations: []failover.Location{{Name: primary, Priority: 0}, {Name: secondary, Priority: 1}}}
	if cfg.WriteRegionMoved() {
		known.Locations = []failover.Location{{Name: secondary, Priority: 0}, {Name: primary, Priority: 1}}
	}

	if *forced && !*dryRun && !*yes {
		fmt.Fprintf(stdout, "Forced failover of %s: %s is taken offline and %s takes writes within seconds.\n"+
			"Writes not yet replicated to %s may be lost (RPO %s). Type the customer name to confirm: ",
			customer, primary, secondary, secondary, cfg.Objectives().RPO)
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(line) != customer {
			fmt.Fprintln(stderr, "drctl failover: not confirmed; nothing was changed")
			return 1
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	kind, action := "planned failover", drconfig.ActionPlannedFailover
	var res failover.Result
	switch {
	case *drill:
		kind = "drill"
		err = client.Drill(ctx, accountID, secondary, known)
	case *forced:
		kind, action = "forced failover", drconfig.ActionForcedFailover
		res, err = client.Forced(ctx, accountID, primary, known)
	case command == "failback":
		kind, action = "failback", drconfig.ActionFailback
		if *online {
			err = client.OnlineRegion(ctx, accountID, primary)
		}
		if err == nil {
			res, err = client.Planned(ctx, accountID, target, known)
		}
	default:
		res, err = client.Planned(ctx, accountID, target, known)
	}
	if err != nil {
		fmt.Fprintf(stderr, "drctl %s: %s of %s failed: %v\n", command, kind, customer, err)
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "interrupted: check the account's write region in the portal before anything else")
		}
		return 1
	}
	if *drill {
		fmt.Fprintf(stdout, "\nDrill of %s passed: %s took writes and %s took them back; nothing to record.\n", customer, secondary, primary)
		return 0
	}
	if *dryRun {
		fmt.Fprintf(stdout, "\ndry run: then record in %s: writeRegion: %s\n", stackfile.Path(customer), target)
		return 0
	}

	record := newRecord(action, cfg.DR.WriteRegion, target, *operator, *ticket, res.AccountID, res.Locations, res.OperationID)
	if code := writeRecord("drctl "+command, path, target, record, stderr); code != 0 {
		return code
	}
	fmt.Fprintf(stdout, "\n%s now takes writes. Recorded in %s:\n  writeRegion: %s\n  writeRegionChange: %s (Azure request %s)\n\n"+
		"Commit it so that code and Azure agree, before any other release of %s:\n"+
		"  git add %s\n  git commit -m %q\n"+
		"and open a pull request: drctl diff checks the record against the base and shows a recorded %s, "+
		"and its release changes nothing in Azure.\n",
		target, stackfile.Path(customer), target, &record, record.OperationID, customer, stackfile.Path(customer),
		fmt.Sprintf("%s: record %s (%s)", customer, kind, *ticket), kind)
	return 0
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

// writeRecord writes the record into the stack file; when it cannot, it
// prints what to put there, since Azure has made the change already.
func writeRecord(command, path, region string, record drconfig.WriteRegionRecord, stderr io.Writer) int {
	err := drconfig.RecordWriteRegion(path, region, record)
	if err == nil {
		return 0
	}
	doc, _ := yaml.Marshal(map[string]any{"writeRegion": region, "writeRegionChange": record})
	fmt.Fprintf(stderr, "%s: %s takes writes, but the stack file could not be updated: %v\n"+
		"Put this under fhir-dr:dr in %s before any release:\n%s", command, region, err, path, doc)
	return 1
}

// runRecord is drctl record: after a failover nobody ran from here
// (service-managed failover during an outage), it reads the account's write
// region from Azure and records it in the stack file, so that no release
// fails back by restating the old one. With --verify it changes nothing and
// checks that Azure and the stack file agree: the release pipeline's
// credentialed check before it applies.
func runRecord(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drctl record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ticket := fs.String("ticket", "", "the incident ticket. Required, except with --verify.")
	subscription := fs.String("subscription", os.Getenv("AZURE_SUBSCRIPTION_ID"), "the customer's subscription (default $AZURE_SUBSCRIPTION_ID)")
	operator := fs.String("operator", os.Getenv("USER"), "who records it")
	verify := fs.Bool("verify", false, "record nothing: check that Azure's write region and account are the ones the stack file records (exit 1 if not)")
	beforeRelease := fs.Bool("before-release", false, "with --verify, the release's check: a stack without DR, or whose account does not exist yet, passes")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: drctl record <customer> --ticket <id> [--subscription <id>] | drctl record <customer> --verify [--subscription <id>]")
		return 2
	}
	customer := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if (*ticket == "" && !*verify) || *subscription == "" || fs.NArg() > 0 || *beforeRelease && !*verify {
		fmt.Fprintln(stderr, "drctl record: --ticket and --subscription (or AZURE_SUBSCRIPTION_ID) are required; --before-release goes with --verify")
		return 2
	}
	if *beforeRelease {
		if cfg, err := drconfig.LoadFile(stackfile.Path(customer)); err == nil && !cfg.DR.Enabled {
			fmt.Fprintf(stdout, "%s has no DR: its account has one region, which takes writes; nothing to verify.\n", customer)
			return 0
		}
	}
	path, cfg, err := loadDRStack(customer)
	if err != nil {
		fmt.Fprintf(stderr, "drctl record: %v\n", err)
		return 1
	}
	client, err := newFailoverClient()
	if err != nil {
		fmt.Fprintln(stderr, "drctl record:", err)
		return 1
	}
	// A read: bounded, and Ctrl-C stops it with nothing left half-done.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, recordReadTimeout)
	defer cancel()
	acct, err := client.Get(ctx, cfg.AccountID(*subscription))
	var notFound *azcore.ResponseError
	if *beforeRelease && errors.As(err, &notFound) && notFound.StatusCode == http.StatusNotFound {
		fmt.Fprintf(stdout, "%s's account %s does not exist yet: the release creates it; nothing to verify.\n", customer, cfg.Cosmos.AccountName)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "drctl record:", err)
		return 1
	}
	if *verify {
		return verifyRecorded(customer, cfg, acct, stdout, stderr)
	}
	actual := acct.WriteRegion()
	var region string
	for _, r := range []string{cfg.PrimaryRegion, cfg.DR.SecondaryRegion} {
		if failover.SameRegion(r, actual) {
			region = r
		}
	}
	switch {
	case region == "":
		fmt.Fprintf(stderr, "drctl record: %s takes writes, which is neither %s nor %s: investigate before recording anything\n",
			actual, cfg.PrimaryRegion, cfg.DR.SecondaryRegion)
		return 1
	case region == cfg.DR.WriteRegion:
		fmt.Fprintf(stdout, "%s takes writes, as %s says: nothing to record.\n", region, stackfile.Path(customer))
		return 0
	}
	record := newRecord(drconfig.ActionObserved, cfg.DR.WriteRegion, region, *operator, *ticket, acct.ID, acct.Locations, acct.RequestID)
	if code := writeRecord("drctl record", path, region, record, stderr); code != 0 {
		return code
	}
	fmt.Fprintf(stdout, "%s takes writes in Azure. Recorded in %s:\n  writeRegion: %s\n  writeRegionChange: %s (Azure request %s)\n"+
		"Commit it and open a pull request before any other release of %s.\n", region, stackfile.Path(customer), region, &record,
		record.OperationID, customer)
	return 0
}

// verifyRecorded compares what Azure reports of the account with the stack
// file: the write region, and the account the record names. This is what
// the offline review cannot do: a record typed to look like drctl's passes
// the review, but not this check, because Azure's own answer differs.
func verifyRecorded(customer string, cfg *drconfig.Config, acct failover.Account, stdout, stderr io.Writer) int {
	file := stackfile.Path(customer)
	var problems []string
	if w := acct.WriteRegion(); !failover.SameRegion(w, cfg.DR.WriteRegion) {
		problems = append(problems, fmt.Sprintf("Azure says %s takes writes, %s says %s", w, file, cfg.DR.WriteRegion))
	}
	if r := cfg.DR.WriteRegionChange; r != nil && r.Legacy == "" && !strings.EqualFold(r.AccountID, acct.ID) {
		problems = append(problems, fmt.Sprintf("the record names the account %s, Azure's is %s", r.AccountID, acct.ID))
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "drctl record: %s does not match Azure: %s. A release would move the write region by config: "+
			"do not release %s; find out who changed what (drctl audit %s), then record what Azure reports (drctl record %s --ticket <incident>).\n",
			file, strings.Join(problems, "; "), customer, customer, customer)
		return 1
	}
	fmt.Fprintf(stdout, "verified: %s takes writes in Azure (account %s), as %s records.\n", cfg.DR.WriteRegion, acct.ID, file)
	return 0
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
