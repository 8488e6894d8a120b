# bdt — the two commands of the README are `make demo` (the main job, on the
# embedded SQLite default) and `make test` (every test). Both install what
# they need first (`make deps`).

GO      ?= go
BIN     ?= bin/bdt
SHELL   := /bin/bash

.PHONY: all deps build demo test vet fmt-check bench clean

all: build

# deps makes sure the C libraries cgo needs are present: libxml2 (headers and
# pkg-config file) and gcc. As root on Debian/Ubuntu it installs them with
# apt-get; otherwise it stops and prints the one command that does.
deps:
	@.ci/deps.sh

build: deps
	$(GO) build -o $(BIN) ./cmd/bdt

# demo runs the main job on the embedded default: a scratch register from the
# sample fixture, then every sample file through bdt.
demo: build
	@.ci/demo.sh $(BIN)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: deps
	$(GO) vet ./...

# test is what CI runs (.ci/run calls it): formatting, vet, and every test
# with the race detector. cmd/bdt runs the real binary, and Chromium through
# the portal, under -race: more than go test's default 10 minutes for one
# package on a loaded 2-core machine.
test: deps fmt-check vet
	$(GO) test -race -count=1 -timeout 30m ./...

# bench prints bdt's speed and memory beside xmllint's on the same files,
# and uploads over the API to bdt serve (--uploads N files, in a folder and
# in S3) (PERFORMANCE.md); BENCH_ARGS=--sizes 10000,100000,1000000 for the
# big size, --go for the Go benchmarks of the hot paths too.
BENCH_ARGS ?= --quick --uploads 200
bench: deps
	.ci/bench.sh $(BENCH_ARGS)

clean:
	rm -rf bin demo
