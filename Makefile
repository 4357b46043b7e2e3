# The two commands a newcomer types: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run run-cluster test check generate mypy conformance soak bench bench-scale bench-cluster soak-cluster clean

install: $(STAMP)

$(STAMP): pyproject.toml generated/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing ocppwire and ocppgen[test] into $(VENV) (log: $(VENV)/install.log)"
	@$(PY) -m pip install --upgrade pip > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	@$(PY) -m pip install -e './generated[cluster]' -e '.[test]' >> $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	touch $(STAMP)

## Regenerate the 2.0.1 bindings from schemas/v201 and print a summary.
generate: install
	$(VENV)/bin/ocppgen generate

## Regenerate, then run the end-to-end demo: a CSMS and three simulated stations on 127.0.0.1.
run: generate
	$(PY) examples/demo.py

## A CSMS cluster on this machine: a nats-server, three CSMS node processes, 30 stations, routed calls,
## a takeover and a SIGKILLed node (docs/cluster.md); about 10 s, exits by itself.
run-cluster: install
	$(PY) examples/cluster_demo.py

## Exit 1 when generated/ is stale.
check: install
	$(VENV)/bin/ocppgen check

test: install
	$(PY) -m pytest

## Differential test at full size (100,000+ payload cases) and the frame fuzzer (20,000 frames), fixed
## seed; prints the agreement table per message and exits 1 on any unexplained disagreement
## (docs/conformance.md).
conformance: install
	$(PY) -m conformance --cases 100000 --frames 20000 --seed 20201

## Reliability at soak size: 1,000-station CSMS restarts, 300 stations crossing calls for SOAK_SECONDS,
## 20,000 live fuzzed frames over 20 connections, 200 oversized frames (docs/reliability.md).
SOAK_SECONDS ?= 120
soak: install
	OCPPWIRE_SOAK=1 OCPPWIRE_SOAK_SECONDS=$(SOAK_SECONDS) $(PY) -m pytest tests/reliability -o timeout=$$(( $(SOAK_SECONDS) + 600 ))

mypy: install
	$(VENV)/bin/mypy --strict generated/ocppwire
	MYPYPATH=generated $(VENV)/bin/mypy --strict examples benchmarks

## Benchmarks against the ocpp package (PyPI): codec and end to end, a few minutes. BENCH_ARGS="--quick" to try it out.
bench: install
	$(PY) -m benchmarks.run $(BENCH_ARGS)

## 10,000 stations on one CSMS process with permessage-deflate (about a minute). SCALE_ARGS="--compare --stations 1000" compares deflate settings.
bench-scale: install
	$(PY) -m benchmarks.scale_bench $(SCALE_ARGS)

## The cluster's takeover storm at soak size (CLUSTER_STORM_ROUNDS reconnects of one identity over three nodes).
CLUSTER_STORM_ROUNDS ?= 500
soak-cluster: install
	OCPPWIRE_CLUSTER_STORM_ROUNDS=$(CLUSTER_STORM_ROUNDS) $(PY) -m pytest tests/cluster/test_takeover.py -o timeout=900

## Cluster figures (docs/cluster.md): cross-node call cost, scale-out over 1-3 CSMS processes, a large fleet
## over three nodes. CLUSTER_BENCH_ARGS="--quick" to try it out, "--stations 30000" for the full fleet.
bench-cluster: install
	$(PY) -m benchmarks.cluster_bench $(CLUSTER_BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info generated/*.egg-info .pytest_cache .mypy_cache
