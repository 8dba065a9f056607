package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/fhir-dr/fhir-dr/azure/regions"
	"github.com/fhir-dr/fhir-dr/internal/pricing"
	"github.com/fhir-dr/fhir-dr/policy/rules"
)

// inventoryRow is one customer in the fleet report.
type inventoryRow struct {
	Customer          string  `json:"customer"`
	PrimaryRegion     string  `json:"primaryRegion"`
	SecondaryRegion   string  `json:"secondaryRegion,omitempty"`
	SecondaryChoice   string  `json:"secondaryChoice,omitempty"` // paired or chosen
	Tier              string  `json:"tier"`
	Ticket            string  `json:"ticket"`
	Consistency       string  `json:"consistency"`
	RPOSeconds        int     `json:"rpoSeconds,omitempty"`
	RTOSeconds        int     `json:"rtoSeconds,omitempty"`
	Throughput        int     `json:"throughputRUs"`
	Autoscale         bool    `json:"autoscale"`
	BillingMultiplier int     `json:"billingMultiplier"`
	MonthlyDRCost     float64 `json:"monthlyDrCost"`
	// Unpriced name what the price table does not know and the cost leaves
	// out: MonthlyDRCost is then a lower bound.
	Unpriced []string `json:"unpriced,omitempty"`
	// LastDrill is the customer's last drill (dr.lastDrill), nil if none.
	LastDrill *drillSummary `json:"lastDrill"`
	Status    string        `json:"status"`
}

// drillSummary is a customer's last drill in the report.
type drillSummary struct {
	At      string `json:"at"`
	Outcome string `json:"outcome"`
	Ticket  string `json:"ticket"`
}

// lastDrill is the report's text of the last drill: its date and outcome,
// or "never".
func (r inventoryRow) lastDrill() string {
	if r.LastDrill == nil {
		return "never"
	}
	date := r.LastDrill.At
	if t, err := time.Parse(time.RFC3339, date); err == nil {
		date = t.UTC().Format(time.DateOnly)
	}
	return date + " " + r.LastDrill.Outcome
}

// inventoryReport is the JSON form of the report.
type inventoryReport struct {
	Currency     string         `json:"currency"`
	PricesAsOf   string         `json:"pricesAsOf"`
	PricesSource string         `json:"pricesSource"`
	Customers    []inventoryRow `json:"customers"`
}

// reportFormats are the formats of drctl report.
var reportFormats = []string{"table", "csv", "json"}

// newReportCmd is drctl report.
func newReportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "report [customer ...]",
		Short: "the fleet inventory, with the estimated monthly cost of DR and each customer's last drill",
		Long: `drctl report prints one row per customer (every stack, or the named ones): regions, tier, ticket,
consistency, modeled RPO and RTO, throughput, billing multiplier, the estimated monthly cost of DR from the
dated price table (internal/pricing/prices.json), the last drill and the status. What the price table does
not know is a warning, and the cost a lower bound.`,
		Example: `  drctl report
  drctl report --format csv > fleet.csv
  drctl report contoso --format json`,
		Annotations:       map[string]string{exitAnnotation: "0 done; 1 a stack is invalid, or a failure; 2 usage."},
		ValidArgsFunction: completeCustomers(0),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(reportFormats, format) {
				return usagef("--format %q: one of %s", format, strings.Join(reportFormats, ", "))
			}
			return exitWith(runReport(format, args, cmd.OutOrStdout(), cmd.ErrOrStderr()))
		}),
	}
	cmd.Flags().StringVar(&format, "format", "table", "the output `format`: table, csv or json")
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords(reportFormats...))
	return cmd
}

// runReport is drctl report; it returns the exit status.
func runReport(format string, customers []string, stdout, stderr io.Writer) int {
	root, err := projectRoot()
	if err != nil {
		fmt.Fprintln(stderr, "drctl report:", err)
		return 1
	}
	files, err := stackFiles(root, customers)
	if err != nil {
		fmt.Fprintln(stderr, "drctl report:", err)
		return 1
	}
	prices, err := pricing.Load()
	if err != nil {
		fmt.Fprintln(stderr, "drctl report:", err)
		return 1
	}
	status := 0
	report := inventoryReport{Currency: prices.Currency, PricesAsOf: prices.AsOf, PricesSource: prices.Source}
	for _, r := range validateFleet(files, rules.DefaultConfig(), 0, nil) {
		if r.Config == nil {
			fmt.Fprintln(stderr, r.Err)
			report.Customers = append(report.Customers, inventoryRow{Customer: r.Customer, Status: r.Status()})
			status = 1
			continue
		}
		row := inventoryOf(r, prices)
		// The estimate is a report: what it cannot price is a warning.
		for _, u := range row.Unpriced {
			fmt.Fprintf(stderr, "%s: warning: %s\n", r.File, u)
		}
		report.Customers = append(report.Customers, row)
	}
	switch format {
	case "json":
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			fmt.Fprintln(stderr, "drctl report:", err)
			return 1
		}
		fmt.Fprintln(stdout, string(b))
	case "csv":
		w := csv.NewWriter(stdout)
		_ = w.Write([]string{"customer", "primary_region", "secondary_region", "secondary_choice", "tier", "ticket", "consistency",
			"rpo_seconds", "rto_seconds", "throughput_rus", "autoscale", "billing_multiplier", "monthly_dr_cost_" + prices.Currency, "last_drill", "status"})
		for _, c := range report.Customers {
			_ = w.Write([]string{c.Customer, c.PrimaryRegion, c.SecondaryRegion, c.SecondaryChoice, c.Tier, c.Ticket, c.Consistency,
				strconv.Itoa(c.RPOSeconds), strconv.Itoa(c.RTOSeconds), strconv.Itoa(c.Throughput), strconv.FormatBool(c.Autoscale),
				strconv.Itoa(c.BillingMultiplier), strconv.FormatFloat(c.MonthlyDRCost, 'f', 2, 64), c.lastDrill(), c.Status})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			fmt.Fprintln(stderr, "drctl report:", err)
			return 1
		}
	default:
		printInventory(stdout, report)
	}
	return status
}

func inventoryOf(r stackResult, prices *pricing.Table) inventoryRow {
	cfg := r.Config
	row := inventoryRow{
		Customer: r.Customer, PrimaryRegion: cfg.PrimaryRegion, Tier: cfg.TierLabel(), Ticket: cfg.Ticket(),
		Consistency: cfg.Consistency().Level, Throughput: cfg.Cosmos.Throughput, BillingMultiplier: cfg.BillingMultiplier(),
		Status: r.Status(),
	}
	if row.Throughput == 0 {
		row.Throughput, row.Autoscale = cfg.Cosmos.AutoscaleMaxThroughput, true
	}
	if cfg.DR.Enabled {
		row.SecondaryRegion, row.SecondaryChoice = cfg.DR.SecondaryRegion, "chosen"
		if region, ok := regions.Lookup(cfg.PrimaryRegion); ok && region.Pair == cfg.DR.SecondaryRegion {
			row.SecondaryChoice = "paired"
		}
		o := cfg.Objectives()
		row.RPOSeconds, row.RTOSeconds = int(o.RPO.Seconds()), int(o.RTO.Seconds())
	}
	if d := cfg.DR.LastDrill; d != nil {
		row.LastDrill = &drillSummary{At: d.At, Outcome: d.Outcome, Ticket: d.Ticket}
	}
	estimate := prices.DR(cfg)
	row.MonthlyDRCost, row.Unpriced = estimate.Total, estimate.Unpriced
	return row
}

func printInventory(w io.Writer, report inventoryReport) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "CUSTOMER\tPRIMARY\tSECONDARY\tTIER\tTICKET\tCONSISTENCY\tRPO\tRTO\tRU/S\tBILLING\tDR COST/MONTH (%s)\tLAST DRILL\tSTATUS\n", report.Currency)
	total := 0.0
	for _, c := range report.Customers {
		secondary, rpo, rto := "-", "-", "-"
		if c.SecondaryRegion != "" {
			secondary = c.SecondaryRegion + " (" + c.SecondaryChoice + ")"
			rpo = (time.Duration(c.RPOSeconds) * time.Second).String()
			rto = (time.Duration(c.RTOSeconds) * time.Second).String()
		}
		ru := strconv.Itoa(c.Throughput)
		if c.Autoscale {
			ru = "≤" + ru
		}
		cost := fmt.Sprintf("%.2f", c.MonthlyDRCost)
		if len(c.Unpriced) > 0 {
			cost = "≥" + cost // a lower bound: see the warnings
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tx%d\t%s\t%s\t%s\n", c.Customer, c.PrimaryRegion, secondary, c.Tier, c.Ticket,
			c.Consistency, rpo, rto, ru, c.BillingMultiplier, cost, c.lastDrill(), c.Status)
		total += c.MonthlyDRCost
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n%d customers; DR adds an estimated %.2f %s a month (list prices of %s; see internal/pricing/prices.json)\n",
		len(report.Customers), total, report.Currency, report.PricesAsOf)
}
