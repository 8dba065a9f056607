// Package pipeline holds the tests of the release pipeline's definition in
// .github/workflows (Go ignores directories that start with a dot, so the
// tests live here): actionlint finds nothing, and the properties the
// pipeline promises hold.
package pipeline
