# Every target bootstraps .venv on a fresh machine that has only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: test test-thorough figures bench claims clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Two worker processes (CI machines have 2 cores); `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The random, larger Hypothesis profile (16x the examples, fresh seeds each run).
test-thorough: $(STAMP)
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

figures: $(STAMP)
	$(BIN)/tailpower figures --out figures

bench: $(STAMP)
	$(BIN)/tailpower bench

claims: $(STAMP)
	$(BIN)/tailpower claims

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
