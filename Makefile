# The two commands a newcomer types: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run run-cluster test check generate mypy conformance soak soak-cluster crash attack bench bench-scale bench-50k bench-cluster docs dist clean

## Supported: Python 3.11, 3.12 and 3.13 (`PYTHON=python3.13 make test`). A .venv built by another Python
## is removed and rebuilt (one line says so); an unsupported PYTHON stops make with one line.
install:
	@$(PYTHON) tools/venv_check.py $(VENV)
	@$(MAKE) --no-print-directory -s $(STAMP)

# ocppwire is installed in setuptools' "compat" editable mode: a plain path entry (.pth, generated/) that
# mypy and pyright follow, so a user's file outside the repository type-checks against the dev install.
# The default mode's import hook is invisible to type checkers. ocppgen keeps the default mode: its
# package lives in generator/ under another name, which only the import hook can map.
$(STAMP): pyproject.toml generated/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing ocppwire and ocppgen[test] into $(VENV) with $$($(PY) -V) (log: $(VENV)/install.log)"
	@$(PY) -m pip install --upgrade pip > $(VENV)/install.log 2>&1 || (tail -n 30 $(VENV)/install.log; echo "make: installing pip failed; full log: $(VENV)/install.log (\`make clean\` starts afresh)"; exit 1)
	@$(PY) -m pip install -e './generated[signing,cluster,fast]' --config-settings editable_mode=compat >> $(VENV)/install.log 2>&1 || (tail -n 30 $(VENV)/install.log; echo "make: pip install failed; full log: $(VENV)/install.log (\`make clean\` starts afresh)"; exit 1)
	@$(PY) -m pip install -e '.[test]' >> $(VENV)/install.log 2>&1 || (tail -n 30 $(VENV)/install.log; echo "make: pip install failed; full log: $(VENV)/install.log (\`make clean\` starts afresh)"; exit 1)
	@touch $(STAMP)

## Regenerate the bindings of every version (schemas/v16, v201, v21 -> generated/ocppwire/v16, v201, v21) and print a summary.
generate: install
	$(VENV)/bin/ocppgen generate

## Regenerate, then run the end-to-end demo: a CSMS and three simulated stations on 127.0.0.1.
run: generate
	$(PY) examples/demo.py

## A CSMS cluster on this machine: a nats-server, three CSMS node processes, 30 stations, routed calls,
## a takeover and a SIGKILLed node (docs/cluster.md); about 10 s, exits by itself.
run-cluster: install
	$(PY) examples/cluster_demo.py

## Exit 1 when generated/ is stale (every version).
check: install
	$(VENV)/bin/ocppgen check

## TEST_WORKERS: pytest-xdist workers (default: one per core); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS)

## Differential test at full size (100,000+ payload cases per OCPP version: 1.6, 2.0.1, 2.1) and the frame fuzzer (20,000 frames per version), fixed
## seed; prints the agreement table per message and exits 1 on any unexplained disagreement
## (docs/conformance.md).
conformance: install
	$(PY) -m conformance --cases 100000 --frames 20000 --seed 20201

## Reliability at soak size: 1,000-station CSMS restarts, 300 stations crossing calls for SOAK_SECONDS,
## 20,000 live fuzzed frames over 20 connections, 200 oversized frames (docs/reliability.md).
SOAK_SECONDS ?= 120
soak: install
	OCPPWIRE_SOAK=1 OCPPWIRE_SOAK_SECONDS=$(SOAK_SECONDS) $(PY) -m pytest tests/reliability -o timeout=$$(( $(SOAK_SECONDS) + 600 ))

## Station crash test at size: SIGKILL the station process at CRASH_ROUNDS random points of a transaction
## while the CSMS is down, then check every TransactionEvent arrives once, in order (docs/station.md).
CRASH_ROUNDS ?= 30
crash: install
	OCPPWIRE_CRASH_ROUNDS=$(CRASH_ROUNDS) $(PY) -m pytest tests/station/test_crash.py -o timeout=$$(( $(CRASH_ROUNDS) * 20 + 60 ))

mypy: install
	$(VENV)/bin/mypy --strict generated/ocppwire
	$(VENV)/bin/mypy --strict generator
	MYPYPATH=generated $(VENV)/bin/mypy --strict examples benchmarks

## Hostile peers against a CSMS process, one attack at a time (loopback, about a minute), while five well-behaved
## stations keep calling; prints what the CSMS did, its RSS growth, log volume and the stations' p99 (docs/runtime.md).
ATTACK_SECONDS ?= 4
attack: install
	$(PY) -m benchmarks.attack --seconds $(ATTACK_SECONDS) $(ATTACK_ARGS)

## Benchmarks against the ocpp package (PyPI): codec and end to end, a few minutes. BENCH_ARGS="--quick" to try it out.
bench: install
	$(PY) -m benchmarks.run $(BENCH_ARGS)

## 10,000 stations on one CSMS process with permessage-deflate (about a minute). SCALE_ARGS="--compare --stations 1000" compares deflate settings.
bench-scale: install
	$(PY) -m benchmarks.scale_bench $(SCALE_ARGS)

## 50,000 stations on one CSMS process at real rates (Heartbeat 60 s + MeterValues 10 s, staggered), from several
## 127.0.0.x addresses and simulator processes; about 3 minutes. Shrinks to the open-file limit and says so.
## FLEET_ARGS="--transport picows --loop uvloop", "--stations 1000 --duration 20" to try it out.
bench-50k: install
	$(PY) -m benchmarks.fleet_bench $(FLEET_ARGS)

## The cluster's takeover storm at soak size (CLUSTER_STORM_ROUNDS reconnects of one identity over three nodes).
CLUSTER_STORM_ROUNDS ?= 500
soak-cluster: install
	OCPPWIRE_CLUSTER_STORM_ROUNDS=$(CLUSTER_STORM_ROUNDS) $(PY) -m pytest tests/cluster/test_takeover.py -o timeout=900

## Cluster figures (docs/cluster.md): cross-node call cost, scale-out over 1-3 CSMS processes, a large fleet
## over three nodes. CLUSTER_BENCH_ARGS="--quick" to try it out, "--stations 30000" for the full fleet.
bench-cluster: install
	$(PY) -m benchmarks.cluster_bench $(CLUSTER_BENCH_ARGS)

## The documentation site (MkDocs + mkdocstrings, strict: a broken link or reference fails) in site/.
docs: install
	$(VENV)/bin/mkdocs build --strict --site-dir site

## sdist and wheel of both distributions (ocppwire from generated/, ocppgen from the root) in dist/, checked by twine.
dist: install
	rm -rf dist
	$(PY) -m build -q --sdist --wheel --outdir dist generated
	$(PY) -m build -q --sdist --wheel --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

## Remove the venv and every build output (start afresh after a Python upgrade or a failed install).
clean:
	rm -rf $(VENV) build dist site *.egg-info generated/*.egg-info generated/build .pytest_cache .mypy_cache
