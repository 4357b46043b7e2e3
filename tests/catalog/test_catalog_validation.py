"""A bad catalogue entry stops generation with one clear error naming file, pointer and entry."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ocppgen.catalog import read_catalog
from ocppgen.cli import app
from ocppgen.errors import GeneratorError
from ocppgen.render import render_package
from ocppgen.schema import read_schema_set

Doc = dict[str, Any]


def edit(folder: Path, name: str, change: Callable[[Doc], None]) -> Path:
    path = folder / "catalog" / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def variable(doc: Doc, component: str, name: str) -> Doc:
    comp = next(c for c in doc["components"] if c["name"] == component)
    return next(v for v in comp["variables"] if v["name"] == name)


def component_index(doc: Doc, component: str) -> int:
    return next(i for i, c in enumerate(doc["components"]) if c["name"] == component)


def fails(folder: Path) -> GeneratorError:
    with pytest.raises(GeneratorError) as info:
        read_catalog(folder)
    return info.value


def test_unknown_data_type(schemas_copy: Path) -> None:
    path = edit(schemas_copy, "components.json", lambda d: variable(d, "OCPPCommCtrlr", "HeartbeatInterval").update(dataType="int"))
    err = fails(schemas_copy)
    assert err.path == path
    assert err.pointer is not None and err.pointer.endswith("/dataType")
    assert "OCPPCommCtrlr.HeartbeatInterval" in err.message and "'int'" in err.message


def test_unexpected_property(schemas_copy: Path) -> None:
    edit(schemas_copy, "components.json", lambda d: variable(d, "OCPPCommCtrlr", "OfflineThreshold").update(unit="s"))
    err = fails(schemas_copy)
    assert "OCPPCommCtrlr.OfflineThreshold" in err.message and "'unit'" in err.message


def test_values_list_on_a_non_list_type(schemas_copy: Path) -> None:
    edit(schemas_copy, "components.json", lambda d: variable(d, "OCPPCommCtrlr", "OfflineThreshold").update(valuesList=["1", "2"]))
    err = fails(schemas_copy)
    assert "valuesList is only allowed" in err.message and err.pointer is not None and err.pointer.endswith("/valuesList")


def test_unit_not_in_units_file(schemas_copy: Path) -> None:
    edit(schemas_copy, "components.json", lambda d: variable(d, "OCPPCommCtrlr", "OfflineThreshold").update(units=["sec"]))
    err = fails(schemas_copy)
    assert "unit 'sec' is not in units.json" in err.message
    assert err.pointer is not None and err.pointer.endswith("/units/0")


def test_limits_out_of_order(schemas_copy: Path) -> None:
    edit(schemas_copy, "components.json", lambda d: variable(d, "MonitoringCtrlr", "MonitoringLevel").update(minLimit=9, maxLimit=0))
    assert "minLimit 9 is greater than maxLimit 0" in fails(schemas_copy).message


def test_limit_on_boolean(schemas_copy: Path) -> None:
    edit(schemas_copy, "components.json", lambda d: variable(d, "TxCtrlr", "StopTxOnInvalidId").update(maxLimit=1))
    assert "no meaning for a boolean" in fails(schemas_copy).message


def test_duplicate_variable_case_insensitive(schemas_copy: Path) -> None:
    def dup(d: Doc) -> None:
        comp = d["components"][component_index(d, "OCPPCommCtrlr")]
        comp["variables"].append({"name": "heartbeatinterval", "dataType": "integer"})

    edit(schemas_copy, "components.json", dup)
    err = fails(schemas_copy)
    assert "listed twice" in err.message and "OCPPCommCtrlr.heartbeatinterval" in err.message


def test_duplicate_component(schemas_copy: Path) -> None:
    edit(schemas_copy, "components.json", lambda d: d["components"].append({"name": "evse", "kind": "physical", "variables": [{"name": "X", "dataType": "string"}]}))
    assert "duplicate component 'evse' (names are case-insensitive)" in fails(schemas_copy).message


def test_reason_code_longer_than_status_info_allows(schemas_copy: Path) -> None:
    path = edit(schemas_copy, "reason_codes.json", lambda d: d["reasonCodes"].append({"name": "MissingDeviceModelInfo"}))
    err = fails(schemas_copy)
    assert err.path == path and "MissingDeviceModelInfo" in err.message and err.pointer == "/reasonCodes/43/name"


def test_security_event_needs_criticality(schemas_copy: Path) -> None:
    edit(schemas_copy, "security_events.json", lambda d: d["securityEvents"][0].pop("critical"))
    err = fails(schemas_copy)
    assert "FirmwareUpdated" in err.message and "'critical' is a required property" in err.message


def test_missing_and_unexpected_files(schemas_copy: Path) -> None:
    (schemas_copy / "catalog" / "units.json").unlink()
    assert "units.json is missing" in fails(schemas_copy).message
    (schemas_copy / "catalog" / "units.json").write_text('{"units": []}', encoding="utf-8")
    (schemas_copy / "catalog" / "extra.json").write_text("{}", encoding="utf-8")
    assert "unexpected catalogue file" in fails(schemas_copy).message


def test_invalid_json(schemas_copy: Path) -> None:
    (schemas_copy / "catalog" / "units.json").write_text("{", encoding="utf-8")
    assert "invalid JSON" in fails(schemas_copy).message


def test_name_clash_in_generated_module(schemas_copy: Path) -> None:
    edit(schemas_copy, "components.json", lambda d: d["components"].append({"name": "CATALOG", "kind": "vendor", "variables": [{"name": "X", "dataType": "string"}]}))
    with pytest.raises(GeneratorError, match="clashes with a name of the generated module"):
        render_package(read_schema_set(schemas_copy), "ocppwire.v201")


def test_cli_reports_one_line_and_exits_2(schemas_copy: Path) -> None:
    edit(schemas_copy, "components.json", lambda d: variable(d, "OCPPCommCtrlr", "HeartbeatInterval").update(dataType="int"))
    for args in (["generate", "--schemas", str(schemas_copy), "--out", str(schemas_copy / "out")], ["catalog", "variables", "--schemas", str(schemas_copy)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line]
        assert len(lines) == 1 and lines[0].startswith("ocppgen: error: ")
        assert "components.json#/components/" in lines[0] and "OCPPCommCtrlr.HeartbeatInterval" in lines[0]
