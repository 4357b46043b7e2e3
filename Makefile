# The two commands a newcomer types: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test check generate mypy clean

install: $(STAMP)

$(STAMP): pyproject.toml generated/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ./generated -e '.[test]'
	touch $(STAMP)

## Regenerate the 2.0.1 bindings from schemas/v201 and print a summary.
generate: install
	$(VENV)/bin/ocppgen generate

run: generate

## Exit 1 when generated/ is stale.
check: install
	$(VENV)/bin/ocppgen check

test: install
	$(PY) -m pytest

mypy: install
	$(VENV)/bin/mypy --strict generated/ocppwire

clean:
	rm -rf $(VENV) build *.egg-info generated/*.egg-info .pytest_cache .mypy_cache
