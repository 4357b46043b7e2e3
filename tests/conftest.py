"""Shared paths for the test suite, and the figures table reliability and interop tests fill.

Tests record the numbers they measure (reconnect times, call counts, fuzz cases, fields compared)
with the ``figures`` fixture; they are printed at the end of the run, so ``make test`` and
``make soak`` both show the figures ``docs/reliability.md`` quotes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .loopback import raw_connect, start_csms, start_station  # noqa: F401 - fixtures for every folder

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas" / "v201"
GENERATED = ROOT / "generated"


TRANSPORTS = ("websockets", "picows")


@pytest.fixture(params=TRANSPORTS)
def each_transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once per transport: every ServerOptions/ClientOptions it builds (also in a CSMS subprocess it
    starts) takes its default ``transport`` from $OCPPWIRE_TRANSPORT. Modules that test transport behaviour
    use it with ``pytestmark = pytest.mark.usefixtures("each_transport")``."""
    transport = str(request.param)
    monkeypatch.setenv("OCPPWIRE_TRANSPORT", transport)
    return transport


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def schemas_dir() -> Path:
    return SCHEMAS


_FIGURES: list[tuple[str, dict[str, Any]]] = []


class Figures:
    """Collects named measurements for the end-of-run summary."""

    def record(self, name: str, **values: Any) -> None:
        _FIGURES.append((name, values))


@pytest.fixture
def figures() -> Figures:
    return Figures()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist (``make test`` runs two workers), hand this worker's figures to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["ocpp_figures"] = json.dumps(_FIGURES, default=str)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller: collect a finished worker's figures for the summary."""
    data = getattr(node, "workeroutput", {}).get("ocpp_figures")
    if data:
        _FIGURES.extend((name, values) for name, values in json.loads(data))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("reliability figures")
    for name, values in _FIGURES:
        terminalreporter.write_line(f"{name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
