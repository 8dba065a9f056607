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

	"github.com/fhir-dr/fhir-dr/internal/runner"
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
// release runner's Auto, which opens each stack's workspace and selects
// its stack in the backend. Each stack is opened once per run, for the
// read and the deploy.
type AutoDeployer struct {
	// Auto opens the stacks. Its Message is set per commit; the rest is
	// used as it is.
	Auto *runner.Auto

	mu     sync.Mutex
	opened map[string]runner.Target
}

// open opens the customer's stack for commit, once.
func (d *AutoDeployer) open(ctx context.Context, customer, commit string) (runner.Target, error) {
	d.mu.Lock()
	t, ok := d.opened[customer]
	d.mu.Unlock()
	if ok {
		return t, nil
	}
	a := *d.Auto
	a.Message = ReleaseMessage(commit)
	t, err := a.Open(ctx, customer)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.opened == nil {
		d.opened = map[string]runner.Target{}
	}
	d.opened[customer] = t
	return t, nil
}

// Released reads the stack's history.
func (d *AutoDeployer) Released(ctx context.Context, customer, commit string) (bool, error) {
	t, err := d.open(ctx, customer, commit)
	if err != nil {
		return false, err
	}
	h, ok := t.(runner.History)
	if !ok {
		return false, errors.New("the runner cannot read the stack's history")
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
	changes, err := t.Run(ctx, runner.Up, log)
	if err != nil {
		return changes, fmt.Errorf("up: %w", err)
	}
	return changes, nil
}
