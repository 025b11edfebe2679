# Every target bootstraps .venv on a fresh machine that has only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: test test-thorough figures bench claims docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Two worker processes (CI machines have 2 cores); `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The random, larger Hypothesis profile (16x the examples, fresh seeds each run), and the slow
# tests that make test skips (TAILPOWER_SLOW_TESTS: recomputed references, Fig. 1's star, ...).
test-thorough: $(STAMP)
	HYPOTHESIS_PROFILE=thorough TAILPOWER_SLOW_TESTS=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

figures: $(STAMP)
	$(BIN)/tailpower figures --out figures

bench: $(STAMP)
	$(BIN)/tailpower bench

claims: $(STAMP)
	$(BIN)/tailpower claims

# The documentation site (Sphinx) into docs/_build/html, warnings as errors. The docs extra is
# installed on top of the test install; its stamp is redone when pyproject.toml changes.
DOCS_STAMP := $(VENV)/.docs-stamp

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	MPLBACKEND=Agg $(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: open docs/_build/html/index.html"

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis docs/_build docs/api docs/ledger.rst docs/gallery.rst docs/examples.rst
