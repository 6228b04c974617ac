# Trailhound — build, test and benchmark.
#   make demo    generate a small organization with an incident, ingest it, serve it
#   make test    every check CI runs: lint, unit and end-to-end tests, short fuzzing
#   make e2e     browser tests of the console in Chromium (part of make test)
#   make bench   ingest throughput against DuckDB's read_json, on generated corpora
#   make bench-query   API latencies on a generated month (BENCH_QUERY_SCALE=small|medium|large)
#   make bench-ui      the console in Chromium: initial JavaScript, time to interactive, panel render (BENCH_UI_RUNS=N)

GO        ?= go
BIN       := bin/trailhound
GEOIP_DIR ?= .geoip
FUZZTIME  ?= 60000x
STATICCHECK_VERSION := v0.8.2
VERSITYGW_VERSION   := v1.8.0
TOOLS     := $(CURDIR)/.tools

export PATH := $(TOOLS):$(PATH)

.PHONY: build test lint unit fuzz bench bench-query bench-ui demo geoip tools clean ui ui-check e2e

build:
	$(GO) build -o $(BIN) ./cmd/trailhound

# Tools the tests need, installed into .tools/ from the Go module proxy.
tools: $(TOOLS)/staticcheck $(TOOLS)/versitygw

$(TOOLS)/staticcheck:
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(TOOLS)/versitygw:
	GOBIN=$(TOOLS) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

lint: $(TOOLS)/staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	staticcheck ./...

unit: $(TOOLS)/versitygw
	$(GO) test -count=1 ./...

# Every decoder's fuzz target runs briefly, for a number of inputs rather than a
# duration: a duration that ends while a worker is busy is reported as a failure
# on a loaded machine. Failures leave a reproducer in testdata/fuzz.
fuzz:
	@set -e; for pkg in ./internal/source/cloudtrail ./internal/source/vpcflow ./internal/source/guardduty; do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$target"; \
	    $(GO) test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

test: lint ui-check unit fuzz e2e

# The console: ui/dist is committed and embedded in the binary, so a plain
# `go build` needs no Node.js. `make ui` rebuilds it from ui/src.
ui/node_modules/.package-lock.json: ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

ui: ui/node_modules/.package-lock.json
	cd ui && npm run build

# The committed build must be what the sources produce.
ui-check: ui
	@if [ -n "$$(git status --porcelain -- ui/dist)" ]; then \
	  echo "ui/dist differs from a fresh build of ui/src: run make ui and commit ui/dist"; \
	  git status --short -- ui/dist; exit 1; fi

geoip:
	bash scripts/fetch-geoip.sh $(GEOIP_DIR)

# Browser tests of the console (ui/e2e, Playwright in Debian's Chromium,
# installed with apt when missing) against `trailhound serve` over a
# generated organization with known incidents and a hostile fixture.
# Arguments for Playwright: make e2e E2E_ARGS='--grep story'.
e2e: ui geoip
	TRAILHOUND_GEOIP_DIR=$(GEOIP_DIR) bash scripts/e2e.sh $(E2E_ARGS)

demo: build geoip
	TRAILHOUND_GEOIP_DIR=$(GEOIP_DIR) ./$(BIN) demo

bench: build
	$(GO) run ./scripts/bench -bin $(BIN)

# The investigation API on a month of a generated organization, through
# serve: BENCH_QUERY_SCALE=small|medium|large (large: 100M+ events; its first
# run generates and ingests for hours, ten days at a time, resumable, and
# needs ~50 GB of disk). Corpus and store stay in bench-data/; see
# docs/performance.md.
BENCH_QUERY_SCALE ?= small
bench-query: build
	$(GO) run ./scripts/benchquery -bin $(BIN) -scale $(BENCH_QUERY_SCALE)

# The console (ui/bench/console.mjs) in Debian's headless Chromium against
# serve over the browser tests' organization: the JavaScript of the first
# load, time to interactive cold and warm, and every panel's render time,
# each against its target (PASS/FAIL; the exit status stays 0). The data
# stays in bench-data/ui/. Not part of make test.
BENCH_UI_RUNS ?= 10
bench-ui: ui geoip
	$(GO) build -o $(BIN) ./cmd/trailhound
	TRAILHOUND_GEOIP_DIR=$(GEOIP_DIR) node ui/bench/console.mjs --bin $(BIN) --runs $(BENCH_UI_RUNS)

clean:
	rm -rf bin trailhound-data
