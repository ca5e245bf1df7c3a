# Two commands matter: `make run` serves ./storage on http://127.0.0.1:8080, `make test` runs every check CI runs.
SWIFT ?= swift
PYTHON ?= python3
DEBUG_BIN := .build/debug/refract
RELEASE_BIN := .build/release/refract
SERVE_ARGS ?=

.PHONY: all setup run build test lint unit-test e2e fuzz bench clean
FUZZ_SECONDS ?= 300

all: build

setup:
	@scripts/setup.sh

build:
	$(SWIFT) build

run: setup build
	$(DEBUG_BIN) serve $(SERVE_ARGS)

# One build of the product and its tests, which every later step reuses; the fuzzer has its own sanitized build.
test: setup
	$(SWIFT) build --build-tests
	$(MAKE) --no-print-directory lint unit-test e2e
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60

lint:
	$(SWIFT) format lint --strict --configuration .swift-format -r Sources Tests Package.swift

# Tests that measure the whole process (its resident memory, its open files) run in a process of their own, after
# the others, which would disturb them; so do those that wait on child processes and leases against the clock (plugin
# runs, pipeline workers), which the others would starve on two cores.
PROCESS_MEASURING_TESTS := /Streaming/|FlatMemory
CLOCK_BOUND_TESTS := ExecTransformConcurrencyTests|ExecTransformLifetimeTests|PipelineWorkerTests

unit-test:
	$(SWIFT) test --skip-build --skip '$(PROCESS_MEASURING_TESTS)|$(CLOCK_BOUND_TESTS)'
	$(SWIFT) test --skip-build --filter '$(CLOCK_BOUND_TESTS)'
	$(SWIFT) test --skip-build --filter '$(PROCESS_MEASURING_TESTS)'

# The example plugins' own tests (transforms/), then the whole gateway from outside.
e2e:
	$(PYTHON) -m pytest transforms -q
	REFRACT_BIN=$(CURDIR)/$(DEBUG_BIN) $(PYTHON) -m pytest Tests/e2e -q

# libFuzzer with AddressSanitizer on the EXIF reader, in its own build folder (.build-fuzz).
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

bench:
	@scripts/setup.sh --bench
	$(SWIFT) build -c release
	REFRACT_BIN=$(CURDIR)/$(RELEASE_BIN) $(PYTHON) bench/run

clean:
	rm -rf .build .build-fuzz bench/out
