// Package standin is the plumbing the offline rehearsal's provider
// stand-ins (internal/azurestandin, internal/kubestandin) share: serving a
// provider on a local port for the engine's PULUMI_DEBUG_PROVIDERS, the
// answers every provider gives alike, and the property marshalling options.
package standin

import (
	"context"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Server is a provider served on a free port of 127.0.0.1.
type Server struct {
	// Package is the provider package it answers for, e.g. azure-native.
	Package string
	// Port is the TCP port it listens on.
	Port   int
	cancel chan bool
	done   <-chan error
}

// Serve starts serving p's gRPC interface for the package pkg.
func Serve(pkg string, p pulumirpc.ResourceProviderServer) (*Server, error) {
	cancel := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, p)
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%s stand-in: serve: %w", pkg, err)
	}
	return &Server{Package: pkg, Port: handle.Port, cancel: cancel, done: handle.Done}, nil
}

// DebugProvidersEnv is this server's entry of PULUMI_DEBUG_PROVIDERS.
func (s *Server) DebugProvidersEnv() string { return fmt.Sprintf("%s:%d", s.Package, s.Port) }

// Close stops the server and waits for it.
func (s *Server) Close() error {
	close(s.cancel)
	return <-s.done
}

// DebugProviders is the PULUMI_DEBUG_PROVIDERS value for several servers.
func DebugProviders(servers ...*Server) string {
	entries := make([]string, len(servers))
	for i, s := range servers {
		entries[i] = s.DebugProvidersEnv()
	}
	return strings.Join(entries, ",")
}

// MarshalOptions keep unknowns and secrets, as the engine sends them.
var MarshalOptions = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

// Unmarshal decodes a request's properties; nil is empty.
func Unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, MarshalOptions)
}

// inputChange is a Diff, DiffConfig or Update request: old inputs and new.
type inputChange interface {
	GetUrn() string
	GetOldInputs() *structpb.Struct
	GetNews() *structpb.Struct
}

// OldsAndNews decodes a request's old inputs and its new ones.
func OldsAndNews(req inputChange) (olds, news resource.PropertyMap, err error) {
	if olds, err = Unmarshal(req.GetOldInputs()); err == nil {
		news, err = Unmarshal(req.GetNews())
	}
	if err != nil {
		return nil, nil, fmt.Errorf("decoding the inputs of %s: %w", req.GetUrn(), err)
	}
	return olds, news, nil
}

// Marshal encodes properties for a response.
func Marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, MarshalOptions)
}

// TypeOf returns a request's type token; older engines leave Type empty.
func TypeOf(typ, urn string) string {
	if typ != "" {
		return typ
	}
	return string(resource.URN(urn).Type())
}

// Base answers the calls every stand-in answers alike: it accepts secrets
// and resource references, lets the engine attach, and has nothing to
// cancel. Embed it and set Version.
type Base struct {
	pulumirpc.UnimplementedResourceProviderServer
	// Version is the plugin version reported, the one the program pins.
	Version string
}

// GetPluginInfo reports the pinned version, so that state records it.
func (b *Base) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: b.Version}, nil
}

// Handshake accepts secrets and resource references.
func (b *Base) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

// Attach is how the engine connects to a provider it did not start.
func (b *Base) Attach(context.Context, *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Cancel is a no-op: every operation is immediate.
func (b *Base) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
