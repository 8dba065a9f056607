// Package shard splits a list of stacks into CI jobs. GitHub Actions allows
// at most 256 jobs in one matrix, so whatever the size of the fleet a job
// matrix over stacks is a matrix over shards, each a list of stacks one job
// works through.
package shard

import "fmt"

// GitHubMatrixLimit is the most jobs GitHub Actions starts from one matrix.
const GitHubMatrixLimit = 256

// Split deals items into at most maxShards shards of near-equal size
// (sizes differ by at most one), keeping their order within a shard: shard
// i gets items i, i+n, i+2n, ... so that every shard starts at once with
// the first of its stacks. It returns no shards for no items, and an error
// when maxShards is below 1 or above GitHubMatrixLimit.
func Split[T any](items []T, maxShards int) ([][]T, error) {
	if maxShards < 1 || maxShards > GitHubMatrixLimit {
		return nil, fmt.Errorf("shard: the number of shards must be 1-%d, got %d", GitHubMatrixLimit, maxShards)
	}
	n := min(maxShards, len(items))
	shards := make([][]T, n)
	for i, item := range items {
		shards[i%n] = append(shards[i%n], item)
	}
	return shards, nil
}
