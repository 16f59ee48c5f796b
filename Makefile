# Yueyuetan — the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
GO ?= go
NPM ?= npm
MYSQL_DSN ?= root@tcp(127.0.0.1:3306)/test
BIN := bin/yueyuetan
UI_STAMP := frontend/node_modules/.package-lock.json

.PHONY: run test test-mysql e2e ui ui-bundle ui-typecheck api-types api-check build vet fmt-check bench clean

## run: build the UI, then start the server on http://localhost:8080 with SQLite in ./data and demo data
run: ui
	YYT_DATA_DIR=$${YYT_DATA_DIR:-./data} $(GO) run -tags embedui ./server serve --demo

## test: the Go suite on embedded SQLite (no database server, no Node needed)
test:
	$(GO) test -count=1 -timeout 25m ./...

## test-mysql: the same suite on MySQL/MariaDB (MYSQL_DSN=user:pass@tcp(host:3306)/db)
test-mysql:
	YYT_TEST_MYSQL_DSN='$(MYSQL_DSN)' $(GO) test -count=1 -timeout 25m ./...

## e2e: browser tests (Playwright with Debian's chromium) against a freshly built server; the
## UI's bundle only, without the type check (make ui, make build and CI run that)
e2e: ui-bundle
	cd frontend && YYT_E2E_SKIP_BUILD=1 $(NPM) run e2e

## ui: install the UI's packages when needed, check the UI's types and build frontend/dist
ui: $(UI_STAMP)
	cd frontend && $(NPM) run build

## ui-bundle: build frontend/dist without the type check
ui-bundle: $(UI_STAMP)
	cd frontend && $(NPM) run bundle

## ui-typecheck: the UI's type check (vue-tsc) without building
ui-typecheck: $(UI_STAMP)
	cd frontend && $(NPM) run typecheck

$(UI_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && $(NPM) ci --no-audit --no-fund
	@touch $(UI_STAMP)

## api-types: regenerate the UI's API types (frontend/src/api/schema.d.ts) from handlers/openapi.yaml
api-types: $(UI_STAMP)
	cd frontend && $(NPM) run api:types

## api-check: fail when frontend/src/api/schema.d.ts is not what handlers/openapi.yaml generates
api-check: $(UI_STAMP)
	cd frontend && $(NPM) run api:check

## build: a static binary with the UI embedded, in bin/
build: ui
	CGO_ENABLED=0 $(GO) build -tags embedui -trimpath -ldflags='-s -w' -o $(BIN) ./server

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## bench: the figures of the README (cold start, RSS, binary size, logins/s, GET /me req/s)
bench:
	$(GO) run ./cmd/yytbench

clean:
	rm -rf bin frontend/dist
