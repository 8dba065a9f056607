//go:build integration

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fhir-dr/fhir-dr/internal/review"
	"github.com/fhir-dr/fhir-dr/internal/testfleet"
	"github.com/fhir-dr/fhir-dr/program"
	"github.com/fhir-dr/fhir-dr/stackfile"
)

// The review benchmarks of issue 17: drctl diff over a synthetic fleet
// (testfleet.Synthetic) in a clone of the project, through the real engine
// and the azure-native stand-in, as runDiff runs it. Each reports the
// wall time of one review (ns/op; run with -benchtime 1x), the peak memory
// of the whole process tree (this process and every child it starts: go
// build, the Pulumi CLI, the plugins) sampled every 100 ms, this process's
// own peak (VmHWM) and the largest child's (rusage), and checks the
// report: every changed stack reviewed, the comment within GitHub's limit.
// The targets: a program change over 1,000 stacks in at most 5 minutes on
// 2 cores and under 4 GB; a one-stack change under 60 s.

// reviewSizes are the fleet sizes benchmarked: 20 checks the benchmark
// itself in minutes, 1,000 is the fleet.
var reviewSizes = []int{20, 1000}

// oldKubernetesVersion is the default the base's program declares in the
// program-change benchmark; the head's (this source's) is newer.
const oldKubernetesVersion = "1.32"

// BenchmarkReviewProgramChange reviews a program change (the default AKS
// version raised in drconfig/settings.go) over a fleet of n stacks: the
// base commit is the project with the older default, the working tree
// the current source, which is also the program compiled into this test.
func BenchmarkReviewProgramChange(b *testing.B) {
	for _, n := range reviewSizes {
		b.Run(fmt.Sprintf("stacks=%d", n), func(b *testing.B) {
			root := fleetClone(b, n)
			settings := filepath.Join(root, "drconfig", "settings.go")
			current, err := os.ReadFile(settings)
			if err != nil {
				b.Fatal(err)
			}
			const line = `Key: "compute.kubernetesVersion", Doc: "the AKS version", Default: "`
			i := bytes.Index(current, []byte(line))
			if i < 0 {
				b.Fatalf("%s: no %s", settings, line)
			}
			end := i + len(line) + bytes.IndexByte(current[i+len(line):], '"')
			if string(current[i+len(line):end]) == oldKubernetesVersion {
				b.Fatalf("the current default is %s already: raise oldKubernetesVersion's distance", oldKubernetesVersion)
			}
			old := append(append(append([]byte{}, current[:i+len(line)]...), oldKubernetesVersion...), current[end:]...)
			if err := os.WriteFile(settings, old, 0o644); err != nil {
				b.Fatal(err)
			}
			testfleet.Git(b, root, "commit", "--quiet", "-am", "base: the older AKS default")
			if err := os.WriteFile(settings, current, 0o644); err != nil {
				b.Fatal(err)
			}
			report := benchReview(b, root)
			if !report.AllStacks || len(report.Stacks) != n {
				b.Fatalf("the program change reviews every stack: got %d of %d (all: %v, %s)", len(report.Stacks), n, report.AllStacks, report.Reason)
			}
		})
	}
}

// BenchmarkReviewOneStackChange reviews a change of one stack file (a
// tag of a full-tier stack) in a fleet of n stacks.
func BenchmarkReviewOneStackChange(b *testing.B) {
	for _, n := range reviewSizes {
		b.Run(fmt.Sprintf("stacks=%d", n), func(b *testing.B) {
			root := fleetClone(b, n)
			customer := testfleet.SyntheticCustomer(1) // contoso0001: full tier, paired secondary
			path := filepath.Join(root, stackfile.Path(customer))
			content, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			edited := bytes.Replace(content, []byte(`cost-center: "4711"`), []byte(`cost-center: "4712"`), 1)
			if bytes.Equal(edited, content) {
				b.Fatalf("%s: no cost-center tag to change", path)
			}
			if err := os.WriteFile(path, edited, 0o644); err != nil {
				b.Fatal(err)
			}
			report := benchReview(b, root)
			if report.AllStacks || len(report.Stacks) != 1 || report.Stacks[0].Customer != customer {
				b.Fatalf("one stack changed: got %d stacks (all: %v)", len(report.Stacks), report.AllStacks)
			}
		})
	}
}

// fleetClone clones the project with a synthetic fleet of n stacks as its
// stacks/, committed: the base of the benchmarks' changes.
func fleetClone(b *testing.B, n int) string {
	b.Helper()
	root := testfleet.Clone(b)
	files, err := stackfile.List(root)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			b.Fatal(err)
		}
	}
	testfleet.Synthetic(b, root, n)
	testfleet.Git(b, root, "add", "-A", stackfile.Dir)
	testfleet.Git(b, root, "commit", "--quiet", "-m", fmt.Sprintf("stacks: a synthetic fleet of %d", n))
	return root
}

// benchReview reviews the working tree of root against HEAD as runDiff
// does, once per iteration, reports the time and the peak memory, checks
// the comment fits, and returns the last report.
func benchReview(b *testing.B, root string) *review.Report {
	b.Helper()
	opts := review.Options{ProjectRoot: root, Base: "HEAD", Program: program.Run, Deploy: program.Deploy}
	tree := watchTree(100 * time.Millisecond)
	defer tree.stop()
	var report *review.Report
	for b.Loop() {
		r, err := review.Run(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		report = r
	}
	tree.stop()
	if md := review.Markdown(report, 0); len(md) > review.MaxComment {
		b.Fatalf("the comment has %d characters, over GitHub's %d", len(md), review.MaxComment)
	}
	rehearsed := 0
	for _, s := range report.Stacks {
		if s.Rehearsed {
			rehearsed++
		}
	}
	b.ReportMetric(float64(tree.peak.Load())/(1<<20), "peak-tree-MB")
	b.ReportMetric(float64(vmHWM())/(1<<20), "peak-self-MB")
	var children syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children); err == nil {
		b.ReportMetric(float64(children.Maxrss)/(1<<10), "peak-child-MB") // Maxrss is in KiB on Linux
	}
	b.ReportMetric(float64(rehearsed), "rehearsed-stacks")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/review")
	return report
}

// vmHWM is this process's peak resident memory in bytes (0 where
// /proc/self/status does not say it).
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// treeWatch samples the resident memory of this process and all its
// descendants (Linux /proc) and keeps the peak of their sum: children
// such as go build and the Pulumi CLI count toward the machine's memory
// as much as the test itself does.
type treeWatch struct {
	peak atomic.Int64
	done chan struct{}
	quit chan struct{}
}

func watchTree(every time.Duration) *treeWatch {
	w := &treeWatch{done: make(chan struct{}), quit: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if rss := treeRSS(os.Getpid()); rss > w.peak.Load() {
				w.peak.Store(rss)
			}
			select {
			case <-w.quit:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// stop ends the sampling; it may be called more than once.
func (w *treeWatch) stop() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.done
}

// treeRSS is the summed resident memory, in bytes, of pid and its
// descendants.
func treeRSS(pid int) int64 {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(fields[1]); err == nil {
			children[ppid] = append(children[ppid], p)
		}
	}
	page := int64(os.Getpagesize())
	var total int64
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = append(queue[1:], children[p]...)
		statm, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "statm"))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(statm)); len(f) > 1 {
			if pages, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				total += pages * page
			}
		}
	}
	return total
}
