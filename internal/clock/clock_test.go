package clock

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSleep(t *testing.T) {
	assert.NoError(t, Sleep(t.Context(), time.Millisecond), "the time passes")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	assert.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled, "the context ends first")
	assert.Less(t, time.Since(start), time.Minute)
}
