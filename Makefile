# Two commands matter: `make run` serves ./storage on http://127.0.0.1:8080, `make test` runs every check CI runs.
SWIFT ?= swift
PYTHON ?= python3
DEBUG_BIN := .build/debug/refract
RELEASE_BIN := .build/release/refract
SERVE_ARGS ?=

.PHONY: all setup run build test lint unit-test e2e bench clean

all: build

setup:
	@scripts/setup.sh

build:
	$(SWIFT) build

run: setup build
	$(DEBUG_BIN) serve $(SERVE_ARGS)

# One build of the product and its tests; every later step reuses it.
test: setup
	$(SWIFT) build --build-tests
	$(MAKE) --no-print-directory lint unit-test e2e

lint:
	$(SWIFT) format lint --strict --configuration .swift-format -r Sources Tests Package.swift

unit-test:
	$(SWIFT) test --skip-build

e2e:
	REFRACT_BIN=$(CURDIR)/$(DEBUG_BIN) $(PYTHON) -m pytest Tests/e2e -q

bench:
	@scripts/setup.sh --bench
	$(SWIFT) build -c release
	REFRACT_BIN=$(CURDIR)/$(RELEASE_BIN) $(PYTHON) bench/run

clean:
	rm -rf .build bench/out
