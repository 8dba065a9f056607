# fhir-dr developer and pipeline entry points. Only Go is needed; tools are
# run at pinned versions through `go run`.
GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
STACKS      := $(patsubst stacks/Pulumi.%.yaml,%,$(wildcard stacks/Pulumi.*.yaml))
AZURE_NATIVE_VERSION := 3.23.0

.PHONY: test lint plan preview up

## test: unit tests under pulumi.WithMocks (no network, no credentials)
test:
	$(GO) test ./...

## lint: gofmt, go vet and staticcheck
lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## plan: render every example stack offline (drctl plan)
plan:
	@set -e; for s in $(STACKS); do $(GO) run ./cmd/drctl plan --stack $$s; echo; done

## preview / up: the real thing against Azure, for STACK=<customer>
## (needs the Pulumi CLI, Azure credentials and the pinned provider plugin)
preview up:
	@test -n "$(STACK)" || { echo "usage: make $@ STACK=<customer>"; exit 2; }
	pulumi plugin install resource azure-native $(AZURE_NATIVE_VERSION)
	pulumi $@ --stack $(STACK) $(if $(filter up,$@),--yes,--diff)
