package rollout

import (
	"context"
	"fmt"
	"strings"

	"github.com/fhir-dr/fhir-dr/internal/gitexec"
)

// CheckCheckout refuses to release from a checkout that is not the plan's
// commit: what a run deploys is the program and stack files on disk, and
// it records the plan's commit as released, so the two must be the same.
// Changes to tracked files count; untracked files (builds) do not.
func CheckCheckout(ctx context.Context, root, commit string) error {
	head, err := gitexec.Commit(ctx, root, "HEAD")
	if err != nil {
		return fmt.Errorf("the checkout's commit: %w", err)
	}
	if head != commit {
		return fmt.Errorf("the plan releases %s, but the checkout is at %s: run git checkout %s, then this command again",
			short(commit), short(head), commit)
	}
	out, err := gitexec.Output(ctx, root, "status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "" {
		var files []string
		for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			files = append(files, strings.TrimSpace(line[min(3, len(line)):]))
		}
		return fmt.Errorf("the checkout has changes that are not in %s (%s): a release deploys only what is committed; "+
			"commit them and plan again, or git checkout -- . to drop them", short(commit), strings.Join(files, ", "))
	}
	return nil
}
