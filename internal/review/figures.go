package review

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/drconfig"
	"github.com/fhir-dr/fhir-dr/internal/gitexec"
	"github.com/fhir-dr/fhir-dr/internal/pricing"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// Figures are what a reviewer checks of a stack at one revision, as
// drctl report and drctl plan compute them: the DR tier, the modeled
// worst-case RPO and RTO (drconfig.Config.Objectives) and the estimated
// monthly cost of DR (internal/pricing).
type Figures struct {
	// Tier is none, data or full.
	Tier string `json:"tier"`
	// RPOSeconds, RTOSeconds and ProductRTOSeconds (the part of the RTO
	// the product controls: all but the operator's decision) are the
	// modeled worst case, with the tier's targets; all 0 without DR.
	RPOSeconds        int `json:"rpoSeconds,omitempty"`
	RTOSeconds        int `json:"rtoSeconds,omitempty"`
	ProductRTOSeconds int `json:"productRtoSeconds,omitempty"`
	TargetRPOSeconds  int `json:"targetRpoSeconds,omitempty"`
	TargetRTOSeconds  int `json:"targetRtoSeconds,omitempty"`
	// MonthlyDRCost is what DR adds to the customer's bill each month, in
	// Currency; a lower bound when Unpriced names what it leaves out.
	MonthlyDRCost float64  `json:"monthlyDrCost"`
	Currency      string   `json:"currency"`
	Unpriced      []string `json:"unpriced,omitempty"`
}

// figuresOf computes the figures of a loaded stack file; nil for none.
func figuresOf(cfg *drconfig.Config, prices *pricing.Table) *Figures {
	if cfg == nil {
		return nil
	}
	f := &Figures{Tier: cfg.TierLabel(), Currency: prices.Currency}
	if cfg.DR.Enabled {
		o := cfg.Objectives()
		f.RPOSeconds, f.RTOSeconds, f.ProductRTOSeconds = int(o.RPO.Seconds()), int(o.RTO.Seconds()), int(o.ProductRTO.Seconds())
		f.TargetRPOSeconds, f.TargetRTOSeconds = int(o.TargetRPO.Seconds()), int(o.TargetRTO.Seconds())
	}
	e := prices.DR(cfg)
	f.MonthlyDRCost, f.Unpriced = e.Total, e.Unpriced
	return f
}

// configsAt loads the customers' stack files as they were at commit, as
// configAt does one by one, but with one git process for them all: a
// program change's review gives figures to every stack of the fleet. A
// customer whose stack file commit does not have, or whose file does not
// load, is not in the map.
func configsAt(ctx context.Context, root, commit string, customers []string) (map[string]*drconfig.Config, error) {
	if len(customers) == 0 {
		return map[string]*drconfig.Config{}, nil
	}
	paths := make([]string, len(customers))
	for i, c := range customers {
		paths[i] = filepath.ToSlash(stackfile.Path(c))
	}
	files, err := gitexec.Files(ctx, root, commit, paths)
	if err != nil {
		return nil, fmt.Errorf("review: reading the stack files at %s: %w", commit, err)
	}
	out := make(map[string]*drconfig.Config, len(files))
	for i, c := range customers {
		content, ok := files[paths[i]]
		if !ok {
			continue
		}
		if cfg, err := loadContent(c, string(content)); err == nil {
			out[c] = cfg
		}
	}
	return out, nil
}

// addFigures gives every stack of the report its figures at the base
// (the stack file of the base revision) and at the head (the working
// tree's). Both are computed by this revision's code, so a change of the
// model or of the price table shows in them too. A stack file that does
// not exist or does not load at a revision has no figures there.
func addFigures(ctx context.Context, r *Report, root, commit string) error {
	prices, err := pricing.Load()
	if err != nil {
		return fmt.Errorf("review: %w", err)
	}
	customers := make([]string, len(r.Stacks))
	for i, s := range r.Stacks {
		customers[i] = s.Customer
	}
	bases, err := configsAt(ctx, root, commit, customers)
	if err != nil {
		return err
	}
	for i := range r.Stacks {
		s := &r.Stacks[i]
		s.Base = figuresOf(bases[s.Customer], prices)
		if !s.Removed {
			head, _ := drconfig.LoadFile(filepath.Join(root, stackfile.Path(s.Customer)))
			s.Head = figuresOf(head, prices)
		}
	}
	return nil
}

// The figures as the comment shows them.

func (f *Figures) rpo() time.Duration        { return time.Duration(f.RPOSeconds) * time.Second }
func (f *Figures) rto() time.Duration        { return time.Duration(f.RTOSeconds) * time.Second }
func (f *Figures) productRTO() time.Duration { return time.Duration(f.ProductRTOSeconds) * time.Second }

// figure is one figure of the comment's tables: how to read it from
// Figures, show it, and show the difference of two.
type figure struct {
	name string
	// show is the figure of f, "" when it has none (no DR).
	show func(f *Figures) string
	// delta is head minus base, "" when it has no meaning.
	delta func(base, head *Figures) string
}

var figures = []figure{
	{"Tier", func(f *Figures) string { return f.Tier }, nil},
	{"RPO", func(f *Figures) string {
		if f.Tier == "none" {
			return ""
		}
		return duration(f.rpo()) + " (target " + duration(time.Duration(f.TargetRPOSeconds)*time.Second) + ")"
	}, func(b, h *Figures) string { return durationDelta(b.rpo(), h.rpo()) }},
	{"RTO", func(f *Figures) string {
		if f.Tier == "none" {
			return ""
		}
		return duration(f.rto()) + " (target " + duration(time.Duration(f.TargetRTOSeconds)*time.Second) + ")"
	}, func(b, h *Figures) string { return durationDelta(b.rto(), h.rto()) }},
	{"RTO without the operator's decision", func(f *Figures) string {
		if f.Tier == "none" {
			return ""
		}
		return duration(f.productRTO())
	}, func(b, h *Figures) string { return durationDelta(b.productRTO(), h.productRTO()) }},
	{"DR cost per month", func(f *Figures) string { return money(f.MonthlyDRCost, f.Currency, len(f.Unpriced) > 0) },
		func(b, h *Figures) string {
			d := math.Round((h.MonthlyDRCost-b.MonthlyDRCost)*100) / 100
			if d == 0 {
				return ""
			}
			return signed(d, func(v float64) string { return money(v, "", false) })
		}},
}

// summaryFigures are the figures of the comment's summary table, by name.
var summaryFigures = []string{"Tier", "RPO", "RTO", "DR cost per month"}

// figureCell shows one figure at the base and the head: the value when it
// is the same, else base → head with the difference.
func figureCell(fig figure, base, head *Figures, short bool) string {
	b, h := showFigure(fig, base, short), showFigure(fig, head, short)
	if b == h {
		return h
	}
	out := b + " → " + h
	if fig.delta != nil && base != nil && head != nil && fig.show(base) != "" && fig.show(head) != "" {
		if d := fig.delta(base, head); d != "" {
			out += " (" + d + ")"
		}
	}
	return out
}

// showFigure shows a figure of f: "—" without a stack file, "no DR" for a
// figure DR alone has; short leaves the target out.
func showFigure(fig figure, f *Figures, short bool) string {
	if f == nil {
		return "—"
	}
	s := fig.show(f)
	if short {
		s, _, _ = strings.Cut(s, " (target")
		s = strings.TrimSuffix(s, " "+f.Currency)
	}
	if s == "" {
		return "no DR"
	}
	return s
}

// duration shows a duration briefly: 45s, 15m, 1h5m, 58m30s.
func duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func durationDelta(base, head time.Duration) string {
	if base == head {
		return ""
	}
	return signed(float64(head-base), func(v float64) string { return duration(time.Duration(v)) })
}

// signed shows a difference with its sign, + or −.
func signed(d float64, show func(float64) string) string {
	if d < 0 {
		return "−" + show(-d)
	}
	return "+" + show(d)
}

// money shows an amount with thousands separators and cents; a lower bound
// (something unpriced) with ≥.
func money(v float64, currency string, lowerBound bool) string {
	cents := int64(math.Round(v * 100))
	whole := fmt.Sprint(cents / 100)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	s := fmt.Sprintf("%s.%02d", whole, cents%100)
	if currency != "" {
		s += " " + currency
	}
	if lowerBound {
		s = "≥" + s
	}
	return s
}
