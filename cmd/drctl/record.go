package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/failover"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// recordOptions are drctl record's flags.
type recordOptions struct {
	ticket, operator      string
	verify, beforeRelease bool
	arm                   armFlags
}

// newRecordCmd is drctl record.
func newRecordCmd() *cobra.Command {
	var o recordOptions
	cmd := &cobra.Command{
		Use:   "record <customer> (--ticket <id> | --verify [--before-release])",
		Short: "record the write region Azure reports, after a failover nobody ran from here; --verify checks it",
		Long: `drctl record reads the account's write region from Azure Resource Manager and records it in the stack
file (dr.writeRegion and dr.writeRegionChange), after a failover nobody ran from here (service-managed
failover during an outage), so that no release fails back by restating the old one. With --verify it
changes nothing and checks that Azure and the stack file agree; --before-release is the release
pipeline's check before it applies: a stack without DR, or whose account does not exist yet, passes. While
a failover is in progress (dr.failoverIntent) it refuses, naming the command that finishes it.

` + retryHelp(),
		Example: `  drctl record contoso --ticket INC-5 --subscription <id>
  drctl record contoso --verify --before-release --subscription <id>`,
		Args: oneCustomer,
		Annotations: map[string]string{exitAnnotation: "0 recorded, verified, or nothing to do; 1 Azure and the stack file " +
			"disagree, a failover is in progress, or a failure; 2 usage."},
		ValidArgsFunction: completeCustomers(1),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			return runRecord(cmd, args[0], &o)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.ticket, "ticket", "", "the `id` of the incident ticket. Required, except with --verify.")
	f.StringVar(&o.operator, "operator", "", "the `name` of who records it (default $USER, else the operating system's user)")
	f.BoolVar(&o.verify, "verify", false, "record nothing: check that Azure's write region and account are the ones the stack file records (exit 1 if not)")
	f.BoolVar(&o.beforeRelease, "before-release", false, "with --verify, the release's check: a stack without DR, or whose account does not exist yet, passes; "+
		"one with a failover in progress (dr.failoverIntent) fails")
	addARMFlags(cmd, &o.arm, recordReadTimeout)
	return cmd
}

// runRecord is drctl record: after a failover nobody ran from here
// (service-managed failover during an outage), it reads the account's write
// region from Azure and records it in the stack file, so that no release
// fails back by restating the old one. With --verify it changes nothing and
// checks that Azure and the stack file agree: the release pipeline's
// credentialed check before it applies. While a failover intent is in the
// stack file it refuses, naming the command that finishes the change.
func runRecord(cmd *cobra.Command, customer string, o *recordOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	switch {
	case o.ticket == "" && !o.verify:
		return usagef("--ticket is required, except with --verify: the record names the incident")
	case o.beforeRelease && !o.verify:
		return usagef("--before-release goes with --verify")
	}
	arm := &o.arm
	arm.resolve(cmd)
	if err := arm.check(); err != nil {
		return usageError{err: err}
	}
	operator := ""
	if !o.verify {
		var err error
		if operator, err = operatorName(o.operator); err != nil {
			return err
		}
	}
	return exitWith(recordWriteRegion(customer, o.ticket, operator, o.verify, o.beforeRelease, arm, stdout, stderr))
}

// recordWriteRegion records (or, verify, checks) the write region Azure
// reports; it returns the exit status.
func recordWriteRegion(customer, ticket, operator string, verify, beforeRelease bool, arm *armFlags, stdout, stderr io.Writer) int {
	if beforeRelease {
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
	if i := cfg.DR.FailoverIntent; i != nil {
		r := &failoverRun{customer: customer, arm: arm}
		fmt.Fprintf(stderr, "drctl record: a failover is in progress (dr.failoverIntent in %s: %s): finish it with:\n  %s\n"+
			"Do not release %s until it is finished and recorded.\n", stackfile.Path(customer), i, r.commandFor(i), customer)
		return 1
	}
	client, err := arm.client(io.Discard)
	if err != nil {
		fmt.Fprintln(stderr, "drctl record:", err)
		return 1
	}
	// A read: bounded, and Ctrl-C stops it with nothing left half-done.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, min(arm.timeout, recordReadTimeout))
	defer cancel()
	acct, err := client.Get(ctx, cfg.AccountID(arm.subscription))
	var notFound *azcore.ResponseError
	if beforeRelease && errors.As(err, &notFound) && notFound.StatusCode == http.StatusNotFound {
		fmt.Fprintf(stdout, "%s's account %s does not exist yet: the release creates it; nothing to verify.\n", customer, cfg.Cosmos.AccountName)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "drctl record:", err)
		return 1
	}
	if verify {
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
	record := newRecord(drconfig.ActionObserved, cfg.DR.WriteRegion, region, operator, ticket, acct.ID, acct.Locations, acct.RequestID)
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
