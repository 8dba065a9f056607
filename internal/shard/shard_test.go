package shard

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitDealsEvenly(t *testing.T) {
	got, err := Split([]string{"a", "b", "c", "d", "e"}, 2)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"a", "c", "e"}, {"b", "d"}}, got)
}

func TestSplitNeverMakesEmptyShards(t *testing.T) {
	got, err := Split([]string{"a", "b"}, 8)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"a"}, {"b"}}, got)

	got, err = Split([]string{}, 8)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestSplitStaysUnderTheMatrixLimitAtFleetSize(t *testing.T) {
	fleet := make([]int, 5000)
	got, err := Split(fleet, GitHubMatrixLimit)
	require.NoError(t, err)
	assert.Len(t, got, GitHubMatrixLimit)
	total := 0
	for _, s := range got {
		assert.InDelta(t, 5000/GitHubMatrixLimit, len(s), 1)
		total += len(s)
	}
	assert.Equal(t, 5000, total)
}

func TestSplitRefusesImpossibleShardCounts(t *testing.T) {
	for _, n := range []int{0, -1, GitHubMatrixLimit + 1} {
		_, err := Split([]string{"a"}, n)
		assert.Error(t, err, n)
	}
}
