# xfwatch: `make demo` and `make test` do all their own set-up.
SHELL := /bin/bash
CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/xfwatch
CHDB_VERSION := 26.5.3
CHDB_SHA1 := 3e52ecb7d894d9ebb1a6a50ac03f64208cc65501
CHDB_LIB := $(CACHE)/chdb/$(CHDB_VERSION)/libchdb.so
export XFWATCH_CHDB_LIB ?= $(CHDB_LIB)
ASSETS := $(CACHE)/assets/echarts-6.1.0
export XFWATCH_ASSETS ?= $(ASSETS)
BIN := bin/xfwatch
DEMO_DATA ?= $(CURDIR)/demo-data

.PHONY: all build chdb assets test test-tools demo demo-once bench faults vet fuzz clean

all: build

build:
	go build -o $(BIN) ./cmd/xfwatch

## chdb: fetch libchdb.so (chDB $(CHDB_VERSION)) into the cache once.
chdb: $(CHDB_LIB)
$(CHDB_LIB):
	scripts/fetch-chdb.sh $(CHDB_VERSION) $(CHDB_SHA1) $(dir $@)

## assets: fetch the chart scripts and the 兰州 map from npm into the cache once.
assets: $(ASSETS)/echarts.min.js
$(ASSETS)/echarts.min.js:
	scripts/fetch-assets.sh $(ASSETS)

## test: every test, against the real embedded engine.
test: chdb assets test-tools
	XFWATCH_REQUIRE_CHDB=1 go test -count=1 -timeout 30m ./...

## test-tools: Debian packages some tests drive (kcat, chromium); skipped with a note where apt is unavailable.
test-tools:
	@for pkg in kcat chromium; do \
		command -v $$pkg >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
			(apt-get install -y -qq $$pkg >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $$pkg >/dev/null 2>&1)); } || \
			echo "note: $$pkg not installed; the tests that drive it will be skipped"; \
	done

## demo: run the whole job on the embedded defaults; Ctrl-C stops it.
demo: chdb assets build
	$(BIN) demo --data $(DEMO_DATA)

## demo-once: the same, run through once, then exit.
demo-once: chdb assets build
	$(BIN) demo --once --data $(DEMO_DATA)

## bench: SPEC section 10's figures measured in one run, the table also written to BENCHMARKS.md.
## BENCH_FLAGS=--recompute-records 1000000 for a shorter run.
bench: chdb assets build
	$(BIN) bench $(BENCH_FLAGS) --markdown BENCHMARKS.md

## faults: the long fault, poison and privacy runs (kill -9 ×20 over 200k records, 3 warehouse outages of 30 s,
## consumers joining and leaving, broker restart, SIGTERM ×20, 1% poison of 100k, 10^5 identities scanned,
## the engine killed ×20 in the middle of transform ticks).
faults: chdb
	set -o pipefail; XFWATCH_FAULTS=full XFWATCH_REQUIRE_CHDB=1 go test -count=1 -p 1 -timeout 90m -v \
		-run 'KillNine|WarehouseOutage|Rebalance|BrokerRestart|SIGTERM|Poison|BrokenProducer|NoPII|SameKey|TicksSurviveEngineKills' ./ingest ./cmd/xfwatch \
		| tee $(or $(TMPDIR),/tmp)/xfwatch-faults.log | grep -E '^FAULTS|^--- |^(ok|FAIL)'

vet:
	go vet ./...

## fuzz: run each fuzz target for a while; new corpus entries land in testdata/fuzz.
fuzz:
	go test ./ingest -run '^$$' -fuzz FuzzDecode -fuzztime 120s
	go test ./warehouse/chhttp -run '^$$' -fuzz FuzzScanStatement -fuzztime 60s

clean:
	rm -rf bin $(DEMO_DATA)
