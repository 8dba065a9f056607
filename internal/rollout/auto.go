package rollout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/fhir-dr/fhir-dr/internal/engine"
)

// messagePrefix starts the update message of a release.
const messagePrefix = "fhir-dr release "

// ReleaseMessage is the update message a release of commit records in the
// stack's history.
func ReleaseMessage(commit string) string { return messagePrefix + commit }

// historyDepth is how many updates LastRelease is given: refreshes after a
// release do not hide it unless there are more of them than this.
const historyDepth = 10

// LastRelease returns the commit the stack's last deployment released,
// from its history, newest first: the newest update that changed what is
// deployed decides. A refresh or rename changes no deployment and is passed
// over; a failed, cancelled or running update, a destroy, an import or an
// up by hand (without the release message) means no release is in place.
func LastRelease(updates []auto.UpdateSummary) (string, bool) {
	for _, u := range updates {
		switch u.Kind {
		case "refresh", "rename", "preview":
			continue
		}
		commit, ok := strings.CutPrefix(unquote(u.Message), messagePrefix)
		if u.Kind != "update" || u.Result != "succeeded" || !ok {
			return "", false
		}
		return commit, true
	}
	return "", false
}

// unquote undoes the Automation API's quoting of update messages: it
// passes --message=%q to the CLI without a shell, so the history holds the
// message in Go quotes.
func unquote(message string) string {
	if s, err := strconv.Unquote(message); err == nil {
		return s
	}
	return message
}

// AutoDeployer is the release's Deployer: the Pulumi engine through the
// release's engine.Auto, which opens each stack's workspace and selects its
// stack in the backend. Each stack is opened once per run, for the read and
// the deploy. Make it with NewAutoDeployer.
type AutoDeployer struct {
	auto   *engine.Auto
	commit string

	mu     sync.Mutex
	opened map[string]engine.Target
}

// NewAutoDeployer releases commit through a, whose updates it makes record
// the release (a.Message = ReleaseMessage(commit)).
func NewAutoDeployer(a *engine.Auto, commit string) *AutoDeployer {
	a.Message = ReleaseMessage(commit)
	return &AutoDeployer{auto: a, commit: commit, opened: map[string]engine.Target{}}
}

// open opens the customer's stack, once.
func (d *AutoDeployer) open(ctx context.Context, customer, commit string) (engine.Target, error) {
	if commit != d.commit {
		return nil, fmt.Errorf("this deployer releases %s, not %s", short(d.commit), short(commit))
	}
	d.mu.Lock()
	t, ok := d.opened[customer]
	d.mu.Unlock()
	if ok {
		return t, nil
	}
	t, err := d.auto.Open(ctx, customer)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opened[customer] = t
	return t, nil
}

// Released reads the stack's history.
func (d *AutoDeployer) Released(ctx context.Context, customer, commit string) (bool, error) {
	t, err := d.open(ctx, customer, commit)
	if err != nil {
		return false, err
	}
	h, ok := t.(engine.History)
	if !ok {
		return false, errors.New("the engine cannot read the stack's history")
	}
	updates, err := h.Updates(ctx, historyDepth)
	if err != nil {
		return false, err
	}
	released, ok := LastRelease(updates)
	return ok && released == commit, nil
}

// Up runs pulumi up with the release message.
func (d *AutoDeployer) Up(ctx context.Context, customer, commit string, log io.Writer) (map[string]int, error) {
	t, err := d.open(ctx, customer, commit)
	if err != nil {
		return nil, err
	}
	defer func() {
		d.mu.Lock()
		delete(d.opened, customer)
		d.mu.Unlock()
	}()
	changes, err := t.Run(ctx, engine.Up, log)
	if err != nil {
		return changes, fmt.Errorf("up: %w", err)
	}
	return changes, nil
}
