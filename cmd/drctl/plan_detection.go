package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fhir-dr/fhir-dr/detection"
	"github.com/fhir-dr/fhir-dr/drconfig"
)

// alertRule is one alert rule of the plan's JSON document.
type alertRule struct {
	Key        string   `json:"key"`
	Signal     string   `json:"signal"`
	Condition  string   `json:"condition"`
	Window     string   `json:"window"`
	Frequency  string   `json:"frequency"`
	Severity   int      `json:"severity"`
	Pages      bool     `json:"pages"`
	Reference  string   `json:"reference"`
	Deviations []string `json:"deviations,omitempty"`
	// DetectionSeconds is the worst case from the loss of the primary
	// until the rule fires; absent for a rule that does not detect it.
	DetectionSeconds *int `json:"detectionSeconds,omitempty"`
}

// alertRules are the stack's rules for the JSON document; empty without DR.
func alertRules(cfg *drconfig.Config) []alertRule {
	out := []alertRule{}
	for _, r := range cfg.AlertRules() {
		a := alertRule{
			Key: r.Key, Signal: r.Signal(), Condition: r.Condition(), Window: detection.ISO8601(r.Window),
			Frequency: detection.ISO8601(r.Frequency), Severity: r.Severity, Pages: r.Pages,
			Reference: r.Reference.String(), Deviations: r.Reference.Deviations,
		}
		if r.Detection != nil {
			s := int(signalTotal(r) / time.Second)
			a.DetectionSeconds = &s
		}
		out = append(out, a)
	}
	return out
}

func signalTotal(r detection.Rule) time.Duration {
	var d time.Duration
	for _, t := range r.Detection.Terms {
		d += t.Duration
	}
	return d
}

// printDetection prints the section "Detection and paging": who is paged,
// then per rule its signal, condition, window and frequency, whether it
// pages and how long it takes to detect the loss of the primary, with the
// terms of each detection time.
func printDetection(w io.Writer, cfg *drconfig.Config) {
	rules := cfg.AlertRules()
	fmt.Fprintf(w, "\nDetection and paging (%d rules, package detection)\n", len(rules))
	pages := "the on-call action group " + cfg.DR.Paging.ActionGroupID
	if n := len(cfg.DR.Paging.Emails); n > 0 {
		pages += fmt.Sprintf(" and the customer's action group (%d email receivers)", n)
	}
	fmt.Fprintf(w, "  every rule notifies %s\n", pages)
	if tests := detection.WebTests(cfg.DetectionInputs()); len(tests) > 0 {
		a := cfg.Monitoring.Availability
		fmt.Fprintf(w, "  availability tests (%d) every %d s from %s\n", len(tests), a.FrequencySeconds, strings.Join(a.Locations, ", "))
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  rule\tsignal\tcondition\twindow/frequency\tseverity\tpages\tdetects the primary's loss in")
	for _, r := range rules {
		detect := "-"
		if r.Detection != nil {
			detect = signalTotal(r).String()
		}
		pagesText := "no"
		if r.Pages {
			pagesText = "yes"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s/%s\t%d\t%s\t%s\n", r.Key, r.Signal(), r.Condition(),
			detection.ISO8601(r.Window), detection.ISO8601(r.Frequency), r.Severity, pagesText, detect)
	}
	_ = tw.Flush()
	for _, r := range rules {
		if r.Detection == nil {
			continue
		}
		fmt.Fprintf(w, "  %s %s:\n", r.Key, signalTotal(r))
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, t := range r.Detection.Terms {
			fmt.Fprintf(tw, "    %s\t%s\t(%s)\n", t.Duration, t.Name, t.Source)
		}
		_ = tw.Flush()
	}
}
