"""``ocppgen catalog ...`` prints readable tables and filters them."""

from __future__ import annotations

from typer.testing import CliRunner

from ocppgen.cli import app

from ..conftest import SCHEMAS


def run(*args: str) -> str:
    result = CliRunner().invoke(app, ["catalog", *args, "--schemas", str(SCHEMAS)])
    assert result.exit_code == 0, result.output
    return result.output


def test_components() -> None:
    out = run("components")
    assert out.splitlines()[0].split() == ["Component", "Kind", "Variables"]
    assert "74 of 74 components" in out
    assert any(line.split()[:2] == ["OCPPCommCtrlr", "controller"] for line in out.splitlines())


def test_variables_search() -> None:
    out = run("variables", "--search", "offlinethreshold")
    assert "OfflineThreshold" in out and "ReadWrite" in out
    assert "1 of 474 component variables matching 'offlinethreshold'" in out


def test_generic_variables() -> None:
    assert "91 of 91 generic variables" in run("variables", "--generic")


def test_events_reasons_units() -> None:
    events = run("events")
    assert "20 of 20 security events" in events and events.count("critical") == 15
    assert "MissingDevModelInfo" in run("reasons", "-s", "devmodel")
    assert "0 of 33 units matching 'furlong'" in run("units", "--search", "furlong")
