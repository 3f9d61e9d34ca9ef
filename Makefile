# copyhold: `make` lists the targets. Environment variables (DATABASE_URL,
# COPYHOLD_DATA, COPYHOLD_ADDR, ...) pass through to the binary.

.DEFAULT_GOAL := help
.PHONY: help frontend openapi build binary run deps audit test bench clean

GO      ?= go
NPM     ?= npm
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN     := bin/copyhold
# VCS stamping fails when git refuses the checkout (other owner, e.g. in CI);
# the version comes from VERSION instead.
export GOFLAGS ?= -buildvcs=false

# How the copyhold binary is built, here, in the Dockerfile (make binary) and in
# the start-up benchmark (cmd/copyhold/startup_bench_test.go runs make binary),
# so what is measured is what ships. A static binary (no cgo: the pure-Go DNS
# resolver) without gin's MessagePack codec (nomsgpack; the API speaks JSON
# only) starts faster: docs/BENCHMARKS.md, "Start-up". The tests build with
# the same tags.
GO_TAGS     := nomsgpack
GO_BUILD    := CGO_ENABLED=0 $(GO) build -tags $(GO_TAGS) -trimpath -ldflags "-s -w -X main.version=$(VERSION)"

# govulncheck, pinned; installed into bin/ so that its exit code (3: findings) reaches make.
GOVULNCHECK_VERSION := v1.10.0
GOVULNCHECK := bin/govulncheck-$(GOVULNCHECK_VERSION)

# Runs its arguments against a throwaway PostgreSQL cluster (see cmd/with-postgres).
WITH_POSTGRES := $(GO) run ./cmd/with-postgres --

help: ## List the targets
	@echo 'make TARGET, where TARGET is one of:'
	@awk 'BEGIN { FS = ":.*## " } /^[a-z]+:.*## / { printf "  %-9s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# npm ci only when node_modules is missing or older than the lock file.
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	$(NPM) --prefix frontend ci
	@mkdir -p frontend/node_modules && touch $@

frontend: frontend/node_modules/.package-lock.json ## Build the browser app into frontend/dist
	$(NPM) --prefix frontend run build

openapi: ## Rewrite docs/openapi.json from the server's routes and types (the browser app's types come from it)
	COPYHOLD_WRITE_OPENAPI=1 $(GO) test -tags $(GO_TAGS) ./server -run TestOpenAPIFileIsCurrent -count=1

build: frontend ## Build bin/copyhold (with the browser app embedded)
	$(GO_BUILD) -o $(BIN) ./cmd/copyhold
	$(GO) build -o bin/copyhold-modeltest ./cmd/modeltest

binary: ## Build only bin/copyhold (BIN=path), embedding frontend/dist as it is
	$(GO_BUILD) -o $(BIN) ./cmd/copyhold

run: build ## Build, migrate, load the demo data, serve
	./$(BIN) migrate up
	./$(BIN) demo
	./$(BIN) serve

$(GOVULNCHECK):
	mkdir -p bin/tmp
	GOBIN="$(CURDIR)/bin/tmp" $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	mv bin/tmp/govulncheck $@ && rmdir bin/tmp

# Known vulnerabilities in reachable Go code (govulncheck) and in the npm
# packages the app ships (frontend/scripts/audit.mjs) fail the build. Only a
# vulnerability database that cannot be reached is skipped, loudly.
deps: ## Install the system packages the tests need when missing (Debian: chromium, postgresql, gcc, make, python3)
	@./.ci/deps

audit: $(GOVULNCHECK) ## Check Go and npm dependencies against the vulnerability databases
	@out=$$(./$(GOVULNCHECK) ./... 2>&1); status=$$?; echo "$$out"; \
	if [ $$status -eq 0 ]; then echo 'audit: go: no known vulnerabilities in reachable code'; \
	elif [ $$status -ne 3 ] && echo "$$out" | grep -q 'fetching vulnerabilities' && \
		echo "$$out" | grep -Eq 'no such host|dial tcp|connection refused|connection reset|i/o timeout|network is unreachable|TLS handshake timeout|server misbehaving'; then \
		echo 'audit: go: SKIPPED: the Go vulnerability database (vuln.go.dev) could not be reached; nothing was checked'; \
	else echo "audit: go: FAILED (govulncheck exit $$status)"; exit 1; fi
	@node frontend/scripts/audit.mjs

# The Go tests and the browser tests share one throwaway cluster, so both run
# in one shell under with-postgres; both run even if the first fails.
test: deps audit build ## Install missing system packages, audit, vet, frontend unit tests, Go tests (-race) and browser tests on SQLite and PostgreSQL
	$(GO) vet -tags $(GO_TAGS) ./...
	$(NPM) --prefix frontend test
	$(WITH_POSTGRES) sh -c 'status=0; \
		COPYHOLD_BIN="$(CURDIR)/$(BIN)" $(GO) test -tags $(GO_TAGS) -race -count=1 -timeout 30m ./... || status=1; \
		COPYHOLD_BIN="$(CURDIR)/$(BIN)" MODELTEST_BIN="$(CURDIR)/bin/copyhold-modeltest" $(NPM) --prefix frontend run e2e || status=1; \
		exit $$status'

# Every benchmark and, in the same run on the same cluster, its baseline: the
# Go benchmarks (BENCH=regexp and PKG=./path/... pick some), then the pgbench
# scripts that send the Go paths' exact SQL. CI runs none of them.
BENCH ?= .
PKG   ?= ./...
bench: ## Run every benchmark and its baseline (BENCH=regexp, PKG=./pkg/... to pick): Go benchmarks, pgbench, psql \copy
	$(WITH_POSTGRES) sh -c 'set -e; echo "load average: $$(cut -d" " -f1-3 /proc/loadavg)"; \
		$(GO) test -tags $(GO_TAGS) -run "^$$" -bench "$(BENCH)" -benchtime 2s -timeout 60m $(PKG); \
		if [ "$(BENCH)" = . ] && [ "$(PKG)" = ./... ]; then \
			docs/bench/run-claim-bench.sh "$$TEST_DATABASE_URL" 8 300; \
			docs/bench/run-claim-bench.sh "$$TEST_DATABASE_URL" 1 600; \
			docs/bench/run-vest-bench.sh "$$TEST_DATABASE_URL"; \
		fi'

clean: ## Remove build output (keeps data/ and node_modules/)
	rm -rf bin frontend/test-results
	find frontend/dist -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
