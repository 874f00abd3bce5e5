# The one entry point. `make install` then `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
export PATH := $(BIN):$(PATH)

SPEC ?= spec/build/published.json
OLD ?=
NEW ?=
COMMIT ?=

.PHONY: help install venv spec generate spec-update spec-diff lint test fuzz demo bench clean

help:
	@echo "make install      build .venv, materialize + verify the spec, generate the client, install the package"
	@echo "make test         lint (ruff, mypy strict) and the whole test suite"
	@echo "make spec         materialize the pinned spec (SPEC_MIRROR=<dir> for an offline mirror)"
	@echo "make generate     regenerate generated/ from SPEC=<file> (default: the locked spec)"
	@echo "make spec-update COMMIT=<sha>   re-pin, show the API diff, regenerate"
	@echo "make spec-diff OLD=<file> NEW=<file>   API-level diff of two specs"
	@echo "make demo         a streamed chat against the embedded emulator (offline)"
	@echo "make fuzz         10,000 hostile completions and 3,000 hostile streams, random seed (printed)"
	@echo "make bench        benchmarks against raw httpx and openai-python"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==25.3"

venv: $(PY)
	$(PY) -m pip install --quiet -r requirements/dev.lock

install: venv
	$(MAKE) spec
	$(MAKE) generate
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@echo "install: done (.venv ready; run 'make test')"

spec:
	$(PY) spec/tools/fetch_spec.py

generate:
	$(PY) spec/tools/generate.py $(SPEC)

spec-update:
	@test -n "$(COMMIT)" || { echo "usage: make spec-update COMMIT=<upstream sha>"; exit 2; }
	$(MAKE) spec
	cp spec/build/published.json spec/build/previous.json
	$(PY) spec/tools/fetch_spec.py --repin $(COMMIT)
	@rc=0; $(PY) spec/tools/spec_diff.py spec/build/previous.json spec/build/published.json || rc=$$?; \
	if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	if [ $$rc -eq 1 ]; then echo "spec-update: BREAKING changes above: review them before committing spec/lock.json"; fi
	$(MAKE) generate

spec-diff:
	@test -n "$(OLD)" -a -n "$(NEW)" || { echo "usage: make spec-diff OLD=<file> NEW=<file>"; exit 2; }
	$(PY) spec/tools/spec_diff.py $(OLD) $(NEW)

lint:
	$(BIN)/ruff check wrapper tests spec/tools bench hatch_build.py
	$(BIN)/ruff format --check wrapper tests spec/tools bench hatch_build.py
	$(BIN)/mypy wrapper/aimlapi_grok spec/tools tests/typing hatch_build.py

test: lint
	$(PY) -m pytest

# The full fuzz run; replay a failure with FUZZ_SEED=<printed seed> make fuzz.
ifndef FUZZ_SEED
FUZZ_SEED := $(shell $(PYTHON) -c "import secrets; print(secrets.randbelow(10**9))")
endif
fuzz:
	@echo "fuzz: seed $(FUZZ_SEED)"
	FUZZ_FULL=1 FUZZ_SEED=$(FUZZ_SEED) $(PY) -m pytest tests/fuzz -q

DEMO_PROMPT := Explain in two sentences why streaming matters for chat UIs.
demo:
	@echo '$$ aimlapi-grok chat --offline "$(DEMO_PROMPT)"'
	@$(BIN)/aimlapi-grok chat --offline "$(DEMO_PROMPT)"

bench:
	$(PY) -m bench

clean:
	rm -rf $(VENV) spec/build generated/aimlapi_grok_api .mypy_cache .ruff_cache .pytest_cache .hypothesis
