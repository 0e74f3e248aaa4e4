# composenet: see README.md. Every target runs from a fresh clone.
GO      ?= go
BIN     ?= bin/composenet
PKGS    := ./...

.PHONY: build test test-long lint bench bench-report fuzz demo imports svgcheck clean viewer-test verify verify-engine verify-lan

build:
	CGO_ENABLED=0 $(GO) build -o bin/ ./cmd/composenet ./cmd/composenet-load ./cmd/composenet-graphviz

## test: unit, table, golden, script, corpus and bundled-scenario tests.
test:
	$(GO) vet $(PKGS)
	$(GO) test -short -count=1 $(PKGS)

## test-long: the same without -short (the 1,200-service generator case).
test-long:
	$(GO) test -count=1 $(PKGS)

## lint: gofmt, go vet, staticcheck (separate tools module), import direction.
lint: imports
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	cd tools && $(GO) build -o ../bin/staticcheck honnef.co/go/tools/cmd/staticcheck
	bin/staticcheck $(PKGS)

## imports: topology imports no project package; sim only topology;
## render never cmd; nothing imports cmd.
imports:
	./scripts/check-imports.sh

## svgcheck: draw the examples and the corpus as SVG and measure them in
## headless Chromium with this machine's fonts and with DejaVu only (needs
## chromium and npm; not part of make test).
svgcheck: build
	./scripts/svgcheck.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./bench/ ./topology/... ./sim/ ./scenarios/ ./viewer/

bench-report:
	./scripts/bench-report.sh

## fuzz: each fuzz target for 30 s.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 30s -fuzzminimizetime 10x ./topology/snapshot
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshal$$' -fuzztime 30s -fuzzminimizetime 10x ./internal/wire
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime 30s -fuzzminimizetime 10x ./topology/loader
	$(GO) test -run '^$$' -fuzz '^FuzzPositions$$' -fuzztime 30s -fuzzminimizetime 10x ./topology/loader
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 30s -fuzzminimizetime 10x ./scenarios
	$(GO) test -run '^$$' -fuzz '^FuzzParseReply$$' -fuzztime 30s -fuzzminimizetime 10x ./verify
	$(GO) test -run '^$$' -fuzz '^FuzzParseFlow$$' -fuzztime 30s -fuzzminimizetime 10x ./sim
	$(GO) test -run '^$$' -fuzz '^FuzzParseIptablesSave$$' -fuzztime 30s -fuzzminimizetime 10x ./topology
	$(GO) test -run '^$$' -fuzz '^FuzzParseNginx$$' -fuzztime 30s -fuzzminimizetime 10x ./topology/loader
	$(GO) test -run '^$$' -fuzz '^FuzzParseHAProxy$$' -fuzztime 30s -fuzzminimizetime 10x ./topology/loader
	$(GO) test -run '^$$' -fuzz '^FuzzParseCaddyfile$$' -fuzztime 30s -fuzzminimizetime 10x ./topology/loader

## viewer-test: the report and serve pages driven in Debian's chromium with
## playwright-core (browsertest/, npm lockfile); not part of make test.
viewer-test: build
	cd browsertest && npm ci --no-audit --no-fund --silent
	COMPOSENET=$(CURDIR)/$(BIN) node browsertest/viewer.test.mjs

## verify: composenet verify against the local Docker Engine (it must be
## running, with docker compose v2) over the bundled examples, their
## scenario suites, testdata/cases and the several-projects hosts of
## examples/proxyhost and testdata/projects (a folder with a verify.args
## file is run with those flags); every query must agree with the model of the engine's own
## version. verify-engine sets up an engine first.
VERIFY_FLAGS ?= --dns-upstream --timeout 10m
VERIFY_CASES ?= examples/ecommerce examples/secure examples/production examples/proxyhost $(wildcard testdata/cases/*.yaml) testdata/projects
verify:
	CGO_ENABLED=0 $(GO) build -o bin/ ./cmd/composenet ./cmd/composenet-load
	@pass=0; fail=0; for c in $(VERIFY_CASES); do \
	  if [ -f "$$c/verify.args" ]; then args=$$(cat "$$c/verify.args"); \
	  elif [ -d "$$c" ]; then args="-f $$c/compose.yaml"; for s in $$c/*.scenario.yaml; do args="$$args --scenario $$s"; done; \
	  else args="-f $$c"; fi; \
	  echo "== composenet verify $$args"; \
	  if bin/composenet verify $(VERIFY_FLAGS) $$args; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	done; echo "verify: $$pass passed, $$fail failed"; [ $$fail = 0 ]

verify-engine:
	./scripts/verify-engine.sh

## verify-lan: composenet verify from a LAN client (a network namespace
## joined to the host by a veth pair, testdata/lan cases with their
## DOCKER-USER rules); needs root, iproute2 and a running engine.
verify-lan: build
	./scripts/verify-lan.sh

demo: build
	$(BIN) inspect -f examples/ecommerce/compose.yaml

clean:
	rm -rf bin
