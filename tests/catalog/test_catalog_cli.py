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


def test_ocpp_21_tables_from_the_installed_package_match_the_source() -> None:
    schemas = SCHEMAS.parent / "v21"
    for table in ("components", "variables", "events", "reasons", "units"):
        installed = CliRunner().invoke(app, ["catalog", table, "--ocpp", "2.1"])
        source = CliRunner().invoke(app, ["catalog", table, "--schemas", str(schemas)])
        assert installed.exit_code == 0 and source.exit_code == 0, installed.output + source.output
        assert installed.output == source.output
    assert "36 of 36 components" in CliRunner().invoke(app, ["catalog", "components", "--ocpp", "2.1"]).output


def test_ocpp_16_has_no_catalogue_one_line_error() -> None:
    result = CliRunner().invoke(app, ["catalog", "units", "--ocpp", "1.6"])
    assert result.exit_code == 2
    assert "ocppwire.v16 has no device-model catalogue" in result.output
