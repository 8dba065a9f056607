// Command policy is fhir-dr's policy pack: a program that serves Pulumi's
// Analyzer gRPC interface, for `pulumi preview --policy-pack <this binary>`
// (Pulumi CLI v3.255 or later loads a compiled analyzer directly).
//
// The engine starts it as it starts a provider plugin, with the engine's
// address as the only argument, and reads the port it listens on from its
// standard output. Build it with `make policy` (into .bin/fhir-dr-policy).
// The rules are in policy/rules; drctl runs the same rules in-process.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"

	"github.com/fhir-dr/fhir-dr/policy/analyzer"
)

func main() {
	if err := serve(); err != nil {
		fmt.Fprintln(os.Stderr, "fhir-dr policy pack:", err)
		os.Exit(1)
	}
}

func serve() error {
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterAnalyzerServer(srv, analyzer.New())
			return nil
		},
	})
	if err != nil {
		return err
	}
	// The engine reads the port from the first line of standard output.
	fmt.Println(handle.Port)
	return <-handle.Done
}
