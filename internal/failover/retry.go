package failover

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/fhir-dr/fhir-dr/internal/clock"
)

// RetryPolicy bounds the retries of one request. azcore's own retry
// policy gives up at once when Retry-After exceeds its MaxRetryDelay and
// sleeps on the wall clock; this one honours Retry-After up to
// MaxRetryAfter and sleeps through Sleep, which tests replace.
type RetryPolicy struct {
	// MaxRetries is how often a request answered 408, 429, 500, 502, 503
	// or 504 is retried, and a read (GET) that failed in transport or hit
	// TryTimeout.
	MaxRetries int
	// LockRetries is how often a request is retried that met another
	// operation's exclusive lock on the account (409 or 412 "exclusive
	// lock").
	LockRetries int
	// RetryDelay is the first wait without Retry-After; it doubles with
	// each retry up to MaxRetryDelay.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
	// LockDelay is the first wait after a lock conflict without
	// Retry-After; the nth retry waits n times as long, up to
	// MaxLockDelay.
	LockDelay    time.Duration
	MaxLockDelay time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a longer one
	// fails the request at once, with a RetryAfterError.
	MaxRetryAfter time.Duration
	// TryTimeout bounds each try (azcore's policy.RetryOptions.TryTimeout).
	TryTimeout time.Duration
	// Sleep waits d or until ctx ends; nil sleeps on the wall clock.
	Sleep func(ctx context.Context, d time.Duration) error

	notify func(format string, args ...any)
}

// DefaultRetry are the bounds drctl states in its help.
var DefaultRetry = RetryPolicy{
	MaxRetries: 4, LockRetries: 6,
	RetryDelay: 2 * time.Second, MaxRetryDelay: 30 * time.Second,
	LockDelay: 10 * time.Second, MaxLockDelay: time.Minute,
	MaxRetryAfter: 2 * time.Minute, TryTimeout: 30 * time.Second,
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetry
	set := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	if p.MaxRetries == 0 {
		p.MaxRetries = d.MaxRetries
	}
	if p.LockRetries == 0 {
		p.LockRetries = d.LockRetries
	}
	set(&p.RetryDelay, d.RetryDelay)
	set(&p.MaxRetryDelay, d.MaxRetryDelay)
	set(&p.LockDelay, d.LockDelay)
	set(&p.MaxLockDelay, d.MaxLockDelay)
	set(&p.MaxRetryAfter, d.MaxRetryAfter)
	set(&p.TryTimeout, d.TryTimeout)
	if p.Sleep == nil {
		p.Sleep = clock.Sleep
	}
	return p
}

// RetryAfterError is a request Azure asked to retry later than the bound.
type RetryAfterError struct {
	// Method and URL are the request's.
	Method, URL string
	// Status is the answer's HTTP status and Header its Retry-After.
	Status int
	Header string
	// Delay is what Retry-After asked for; Bound is MaxRetryAfter.
	Delay, Bound time.Duration
}

// Error says what Azure asked for and the bound it exceeds.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%s %s: Azure answered %d and asked to retry after %s (Retry-After: %s), longer than the bound of %s (--max-retry-after)",
		e.Method, e.URL, e.Status, e.Delay, e.Header, e.Bound)
}

// retryPolicy is the pipeline policy of RetryPolicy. It sits before
// azcore's own retry policy, which is set to make one try per call.
type retryPolicy struct{ p RetryPolicy }

var retryStatuses = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

// Do sends the request, and again while Azure's answer is one to retry
// and the bounds allow.
func (rp *retryPolicy) Do(req *policy.Request) (*http.Response, error) {
	p := rp.p
	ctx := req.Raw().Context()
	what := req.Raw().Method + " " + req.Raw().URL.Path
	retries, locks := 0, 0
	for {
		if err := req.RewindBody(); err != nil {
			return nil, err
		}
		resp, err := req.Clone(ctx).Next()
		if ctxErr := ctx.Err(); ctxErr != nil {
			if err == nil {
				runtime.Drain(resp)
			}
			return nil, ctxErr
		}
		var delay time.Duration
		switch {
		case err != nil:
			// A transport error or a try that timed out. Retry reads only:
			// a write may have reached Azure, and the procedures re-read
			// the account to find out.
			if req.Raw().Method != http.MethodGet || retries >= p.MaxRetries {
				return nil, err
			}
			retries++
			delay = backoff(p.RetryDelay, p.MaxRetryDelay, retries)
			p.say("%s: %v; retry %d of %d in %s", what, err, retries, p.MaxRetries, delay)
		case lockConflict(resp):
			if locks >= p.LockRetries {
				return resp, nil
			}
			locks++
			d, ok, rerr := p.retryAfter(req, resp)
			if rerr != nil {
				runtime.Drain(resp)
				return nil, rerr
			}
			delay = min(p.LockDelay*time.Duration(locks), p.MaxLockDelay)
			if ok {
				delay = d
			}
			p.say("%s: another operation holds the account's lock; retry %d of %d in %s", what, locks, p.LockRetries, delay)
		case runtime.HasStatusCode(resp, retryStatuses...):
			if retries >= p.MaxRetries {
				return resp, nil
			}
			retries++
			d, ok, rerr := p.retryAfter(req, resp)
			if rerr != nil {
				runtime.Drain(resp)
				return nil, rerr
			}
			delay = backoff(p.RetryDelay, p.MaxRetryDelay, retries)
			if ok {
				delay = d
			}
			p.say("%s: %s; retry %d of %d in %s", what, resp.Status, retries, p.MaxRetries, delay)
		default:
			return resp, nil
		}
		if resp != nil {
			runtime.Drain(resp)
		}
		if err := p.Sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

func (p RetryPolicy) say(format string, args ...any) {
	if p.notify != nil {
		p.notify(format, args...)
	}
}

// backoff is base doubled for each retry after the first, at most limit.
func backoff(base, limit time.Duration, retry int) time.Duration {
	d := base
	for i := 1; i < retry && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// retryAfter reads the answer's Retry-After (seconds, or an HTTP date):
// the delay and whether there is one, or a RetryAfterError when it is
// longer than MaxRetryAfter.
func (p RetryPolicy) retryAfter(req *policy.Request, resp *http.Response) (time.Duration, bool, error) {
	h := resp.Header.Get("Retry-After")
	if h == "" {
		return 0, false, nil
	}
	var d time.Duration
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	} else {
		return 0, false, nil
	}
	d = max(d, 0)
	if d > p.MaxRetryAfter {
		return 0, false, &RetryAfterError{Method: req.Raw().Method, URL: req.Raw().URL.Path, Status: resp.StatusCode, Header: h,
			Delay: d, Bound: p.MaxRetryAfter}
	}
	return d, true, nil
}

// lockConflict reports whether resp is ARM refusing a request because
// another operation on the account holds its exclusive lock.
func lockConflict(resp *http.Response) bool {
	if resp == nil || (resp.StatusCode != http.StatusConflict && resp.StatusCode != http.StatusPreconditionFailed) {
		return false
	}
	body, err := runtime.Payload(resp)
	return err == nil && strings.Contains(strings.ToLower(string(body)), "exclusive lock")
}

// IsLockConflict reports whether err is ARM refusing a request because
// another operation holds the account's exclusive lock.
func IsLockConflict(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && (re.StatusCode == http.StatusConflict || re.StatusCode == http.StatusPreconditionFailed) &&
		strings.Contains(strings.ToLower(re.Error()), "exclusive lock")
}
