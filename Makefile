# fhir-dr developer and pipeline entry points. Only Go is needed; tools are
# run at pinned versions through `go run`.
GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
STACKS      := $(patsubst stacks/Pulumi.%.yaml,%,$(wildcard stacks/Pulumi.*.yaml))
# The azure-native release: azurenative.Version is the one place it is
# written; the layer is generated from that npm package (make generate).
AZURE_NATIVE_VERSION := $(shell sed -n 's/^const Version = "\(.*\)"$$/\1/p' azure/azurenative/azurenative.go)
# The Pulumi CLI of the offline rehearsal: the SDK version in go.mod, built
# from the module proxy by tools/pulumi-cli (engine.CLIVersion; a test keeps
# the three in step). Rebuilt only when the pin changes.
PULUMI_VERSION := 3.274.1
PULUMI_CLI     := .bin/pulumi-v$(PULUMI_VERSION)/bin/pulumi

.PHONY: test lint plan validate bench preview up pulumi-cli integration rehearse policy schema-check generate generate-check

## test: unit tests under pulumi.WithMocks (no network, no credentials)
test:
	$(GO) test -timeout 30m ./...

## lint: gofmt, go vet and staticcheck (the integration tests included)
lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet -tags integration ./...
	$(GO) run $(STATICCHECK) -tags integration ./...

## plan: render every example stack offline (drctl plan), drctl built once
plan:
	@mkdir -p .bin && $(GO) build -o .bin/drctl ./cmd/drctl
	@set -e; for s in $(STACKS); do .bin/drctl plan --stack $$s; echo; done

## policy: build the policy pack binary for pulumi preview --policy-pack
policy:
	$(GO) build -o .bin/fhir-dr-policy ./policy

## pulumi-cli: build the pinned Pulumi CLI into .bin/ (about 7 minutes the
## first time on 2 cores; nothing to do afterwards)
pulumi-cli: $(PULUMI_CLI)

$(PULUMI_CLI): tools/pulumi-cli/go.mod tools/pulumi-cli/go.sum
	cd tools/pulumi-cli && $(GO) build -o ../../$@ \
		-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$(PULUMI_VERSION)" \
		github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

## integration: the real Pulumi engine, offline, against the azure-native
## stand-in (no network, no credentials)
integration: $(PULUMI_CLI)
	$(GO) test -tags integration -count=1 -timeout 60m ./...

## rehearse: preview, up and re-preview every example stack with the real
## engine against the stand-in (drctl rehearse)
rehearse: $(PULUMI_CLI)
	@set -e; for s in $(STACKS); do $(GO) run ./cmd/drctl rehearse --stack $$s; echo; done

## validate: validate, render and policy-check every stack concurrently
validate:
	$(GO) run ./cmd/drctl validate

## bench: the fleet benchmarks (1,000 synthetic stacks) and the one-stack cost
## (3 s each, so that the one stack's ratio is a median of some 20 rounds);
## then the review of a program change and of a one-stack change over 20 and
## 1,000 synthetic stacks through the real engine, offline (one run each)
bench: $(PULUMI_CLI)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3s -timeout 30m ./cmd/drctl
	$(GO) test -tags integration -run '^$$' -bench '^BenchmarkReview' -benchtime 1x -timeout 120m ./cmd/drctl

## generate: regenerate the azure-native layer (azure/<module>/zz_generated.go),
## its schema facts from @pulumi/azure-native (fetched with npm pack),
## Pulumi.yaml and the README configuration table from drconfig.Settings, and
## the README's drctl command reference from the commands
generate:
	$(GO) generate ./azure/... ./drconfig/... ./cmd/drctl

## generate-check: regenerate in memory and fail if any generated file
## differs (edited by hand, or the list or pin changed without make generate)
generate-check:
	$(GO) run ./tools/azuregen --check

## schema-check: compare the committed azure-native facts with the provider's
## own schema (needs the Pulumi CLI and the pinned azure-native plugin, so
## it runs in the pull-request workflow, not offline)
schema-check:
	@mkdir -p .bin
	pulumi package get-schema azure-native@$(AZURE_NATIVE_VERSION) > .bin/azure-native-schema.json
	$(GO) run ./tools/schemacheck --schema .bin/azure-native-schema.json

## preview / up: the real thing against Azure, for STACK=<customer>, with the
## policy pack (needs the Pulumi CLI, Azure credentials and the pinned
## provider plugin)
preview up: policy
	@test -n "$(STACK)" || { echo "usage: make $@ STACK=<customer>"; exit 2; }
	pulumi plugin install resource azure-native $(AZURE_NATIVE_VERSION)
	pulumi $@ --stack $(STACK) --policy-pack .bin/fhir-dr-policy $(if $(filter up,$@),--yes,--diff)
