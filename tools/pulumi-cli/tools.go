//go:build tools

// Package tools records the command this module exists to build, so `go mod
// tidy` keeps its dependencies.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
