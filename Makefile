# talks — the two commands a newcomer needs: `make ask Q="..."` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
TORCH ?= torch==2.13.0
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup ask index test test-fast lint fmt bench clean i18n

setup: $(STAMP)

# torch first, pinned: a plain `torch` requirement would pull a multi-GB CUDA build.
# --no-compile: Python writes bytecode on first import for the modules in use, instead of pip
# compiling every module of every dependency up front (≈ 350 MB, mostly never imported).
PIP := $(BIN)/python -m pip install --quiet --no-compile
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(PIP) "$(TORCH)"
	$(PIP) -e ".[dev]"
	touch $(STAMP)

# The benchmark's own tools (LangChain, ONNX, matplotlib): only `make bench` needs them.
$(BENCH_STAMP): $(STAMP)
	$(PIP) -e ".[dev,bench]"
	touch $(BENCH_STAMP)

index: setup
	$(BIN)/talks index --if-stale

ask: index
	@test -n "$(Q)" || { echo 'usage: make ask Q="What does the Kremlin require?"'; exit 2; }
	$(BIN)/talks ask "$(Q)"

test: setup
	$(BIN)/python -m pytest -m "slow or not slow" -q

test-fast: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check bot tests benchmarks tools
	$(BIN)/ruff format --check bot tests benchmarks tools
	$(BIN)/mypy bot benchmarks

fmt: setup
	$(BIN)/ruff check --fix bot tests benchmarks
	$(BIN)/ruff format bot tests benchmarks

# Speed, scale, the LangChain peer and ONNX (needs the bench extra); flags: BENCH_ARGS="--chunks 10000".
BENCH_ARGS ?=
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks --out docs/BENCHMARKS.md $(BENCH_ARGS)

# The bot's own words: collect the messages of the code (tr(language, "…"), N_("…"), plurals
# trn(language, "…", "…", n), names with their context NC_("option", "since")) into the
# template, merge them into the Ukrainian and Russian catalogues, compile those (Babel).
I18N_KEYWORDS := -k tr:2 -k trn:2,3 -k N_ -k NC_:1c,2 -k trc:2c,3
i18n: setup
	$(BIN)/pybabel extract $(I18N_KEYWORDS) --no-location --omit-header -o bot/locale/talks.pot bot
	$(BIN)/pybabel update -i bot/locale/talks.pot -d bot/locale -D talks --no-fuzzy-matching --width 100
	$(BIN)/pybabel compile -d bot/locale -D talks --statistics

clean:
	rm -rf $(VENV) index/CURRENT index/gen-* index/.tmp-* .pytest_cache .ruff_cache .mypy_cache
