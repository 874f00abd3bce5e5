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

.PHONY: help install venv lock spec generate spec-update spec-diff lint test fuzz mutate demo demo-batch bench clean

help:
	@echo "make install      build .venv, materialize + verify the spec, generate the client, install the package"
	@echo "make test         lint (ruff, mypy strict) and the whole test suite"
	@echo "make lock         rebuild requirements/dev.lock (with hashes) from requirements/dev.in"
	@echo "make spec         materialize the pinned spec (SPEC_MIRROR=<dir> for an offline mirror)"
	@echo "make generate     regenerate generated/ from SPEC=<file> (default: the locked spec)"
	@echo "make spec-update COMMIT=<sha>   re-pin, show the API diff, regenerate"
	@echo "make spec-diff OLD=<file> NEW=<file>   API-level diff of two specs"
	@echo "make demo         a streamed chat against the embedded emulator (offline)"
	@echo "make fuzz         10,000 hostile completions and 3,000 hostile streams, random seed (printed)"
	@echo "make demo-batch   a batch run against a faulty emulator: kill -9, budget stop, resume (offline)"
	@echo "make bench        benchmarks against raw httpx and openai-python"
	@echo "make mutate [MODULE=_cost] [PIN=1]  mutation testing of the core (mutmut): score per module, survivors; PIN=1 re-pins the equivalents"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Every download is checked against the hashes in the lock (pip itself included). The lock is
# complete (--no-deps installs exactly it, whatever pip the venv starts with); pip check proves it.
venv: $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/dev.lock
	$(PY) -m pip check

# The lock is built from the direct pins in requirements/dev.in; the versions it already holds are kept.
lock: venv
	$(BIN)/uv pip compile --quiet requirements/dev.in --generate-hashes --python-version 3.11 \
		--custom-compile-command "make lock" --output-file requirements/dev.lock

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
	$(BIN)/mypy wrapper/aimlapi_grok spec/tools tests hatch_build.py
	$(BIN)/lint-imports --no-logo

# Branch coverage of wrapper/ and spec/tools (subprocesses included); the gate is fail_under in pyproject.toml.
test: lint
	$(PY) -m pytest --cov

# The full fuzz run; replay a failure with FUZZ_SEED=<printed seed> make fuzz.
ifndef FUZZ_SEED
FUZZ_SEED := $(shell $(PYTHON) -c "import secrets; print(secrets.randbelow(10**9))")
endif
fuzz:
	@echo "fuzz: seed $(FUZZ_SEED)"
	FUZZ_FULL=1 FUZZ_SEED=$(FUZZ_SEED) $(PY) -m pytest tests/fuzz -q

# Mutation testing (mutmut, slow: not part of `make test`); MODULE=<name> runs one (see tests/mutation/mutate.py; PIN=1 re-pins the equivalents).
MODULE ?=
PIN ?=
mutate:
	$(PY) -m tests.mutation.mutate $(if $(PIN),--pin) $(MODULE)

DEMO_PROMPT := Explain in two sentences why streaming matters for chat UIs.
demo:
	@echo '$$ aimlapi-grok chat --offline "$(DEMO_PROMPT)"'
	@$(BIN)/aimlapi-grok chat --offline "$(DEMO_PROMPT)"

# A batch of 300 requests against a local emulator (16 concurrent requests per key, a seeded fault mix): killed (kill -9) after 3 s,
# resumed under a budget that stops it, resumed again to the end; then the journal's status.
DEMO_BATCH_DIR := $(CURDIR)/.demo-batch
DEMO_BATCH_PORT ?= 8766
DEMO_BATCH_RUN := env AIMLAPI_API_KEY=demo-key $(BIN)/aimlapi-grok batch run $(DEMO_BATCH_DIR)/requests.jsonl \
	--out $(DEMO_BATCH_DIR)/results.jsonl --base-url http://127.0.0.1:$(DEMO_BATCH_PORT) --progress-interval 1
demo-batch:
	@rm -rf $(DEMO_BATCH_DIR) && mkdir -p $(DEMO_BATCH_DIR)
	@$(PY) -c 'import json; [print(json.dumps({"custom_id": f"item-{i}", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "x-ai/grok-4-1-fast-reasoning", "messages": [{"role": "user", "content": f"Label item {i} in one word."}], "reasoning": {"effort": "low"}}})) for i in range(300)]' > $(DEMO_BATCH_DIR)/requests.jsonl
	@$(BIN)/aimlapi-grok emulator --port $(DEMO_BATCH_PORT) --concurrent-requests 16 --seed 7 --slow-seconds 0.3 \
		--faults "429=0.01,500=0.02,503=0.01,drop=0.01,slow=0.5" 2>$(DEMO_BATCH_DIR)/emulator.log & echo $$! > $(DEMO_BATCH_DIR)/emulator.pid
	@$(PY) -c 'import socket, time; [time.sleep(0.1) for _ in range(100) if socket.socket().connect_ex(("127.0.0.1", $(DEMO_BATCH_PORT)))]'
	@echo '$$ aimlapi-grok batch run requests.jsonl --out results.jsonl   # killed with kill -9 after 3 s'
	@timeout -s KILL 3 $(DEMO_BATCH_RUN) || echo "(killed by SIGKILL; the journal kept every state:)"
	@$(BIN)/aimlapi-grok batch status $(DEMO_BATCH_DIR)/results.jsonl.journal.db
	@echo '$$ aimlapi-grok batch run requests.jsonl --out results.jsonl --budget-usd 0.0040'
	@$(DEMO_BATCH_RUN) --budget-usd 0.0040 || true
	@echo '$$ aimlapi-grok batch run requests.jsonl --out results.jsonl --budget-usd 1'
	@$(DEMO_BATCH_RUN) --budget-usd 1 || true
	@echo '$$ aimlapi-grok batch status results.jsonl.journal.db'
	@$(BIN)/aimlapi-grok batch status $(DEMO_BATCH_DIR)/results.jsonl.journal.db
	@echo "$$(wc -l < $(DEMO_BATCH_DIR)/results.jsonl) lines in results.jsonl, $$(cut -d'"' -f8 $(DEMO_BATCH_DIR)/results.jsonl | sort -u | wc -l) distinct custom_ids"
	@kill $$(cat $(DEMO_BATCH_DIR)/emulator.pid)

bench:
	$(PY) -m bench

clean:
	rm -rf $(VENV) spec/build build/mutate mutants generated/aimlapi_grok_api .mypy_cache .ruff_cache .pytest_cache .hypothesis .coverage .coverage.*
