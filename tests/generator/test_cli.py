"""The ocppgen CLI: generate/check behaviour and one-line errors for bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT, SCHEMAS


def ocppgen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocppgen.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def schema_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, folder)
    return folder


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_help_explains_each_command() -> None:
    result = ocppgen("--help")
    assert result.returncode == 0
    for command in ("generate", "check"):
        assert command in result.stdout
    gen = ocppgen("generate", "--help")
    for option in ("--schemas", "--out", "--package"):
        assert option in gen.stdout


def test_check_is_clean_on_committed_output() -> None:
    result = ocppgen("check")
    assert result.returncode == 0, result.stderr
    for version in ("v16", "v201", "v21"):  # every set of schemas/ by default
        assert f"generated/ocppwire/{version}: up to date" in result.stdout


def test_generate_into_other_folder_and_package(schema_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(out), "--package", "acme_ocpp.v201")
    assert result.returncode == 0, result.stderr
    assert "enums:    88" in result.stdout and "types:    55" in result.stdout
    assert "messages: 128 (64 actions)" in result.stdout
    assert (out / "acme_ocpp" / "v201" / "messages.py").exists()
    again = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(out), "--package", "acme_ocpp.v201")
    assert "changed:  no" in again.stdout
    ok = ocppgen("check", "--schemas", str(schema_copy), "--out", str(out), "--package", "acme_ocpp.v201")
    assert ok.returncode == 0


def test_check_reports_stale_output(schema_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ocppgen("generate", "--schemas", str(schema_copy), "--out", str(out))
    target = out / "ocppwire" / "v201" / "enums.py"
    target.write_text(target.read_text() + "\n# edited by hand\n")
    result = ocppgen("check", "--schemas", str(schema_copy), "--out", str(out), "--diff")
    assert result.returncode == 1
    assert "changed: enums.py" in result.stderr
    assert "edited by hand" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_folder() -> None:
    assert_one_line_error(
        ocppgen("generate", "--schemas", "/nonexistent/folder"), "schema folder not found", "/nonexistent/folder"
    )


def test_invalid_json_names_file_and_position(schema_copy: Path, tmp_path: Path) -> None:
    (schema_copy / "HeartbeatRequest.json").write_text('{"type": "object",,}')
    result = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(tmp_path / "o"))
    assert_one_line_error(result, "HeartbeatRequest.json", "invalid JSON", "line 1")


def test_unsupported_keyword_names_file_and_pointer(schema_copy: Path, tmp_path: Path) -> None:
    path = schema_copy / "BootNotificationRequest.json"
    doc = json.loads(path.read_text())
    doc["definitions"]["ChargingStationType"]["properties"]["model"]["oneOf"] = [{"type": "string"}]
    path.write_text(json.dumps(doc))
    result = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(tmp_path / "o"))
    assert_one_line_error(
        result,
        "BootNotificationRequest.json#/definitions/ChargingStationType/properties/model/oneOf",
        "unsupported schema keyword 'oneOf'",
    )


def test_same_name_different_shape_names_both_files(schema_copy: Path, tmp_path: Path) -> None:
    path = schema_copy / "StatusNotificationRequest.json"
    doc = json.loads(path.read_text())
    doc["definitions"]["CustomDataType"]["properties"]["vendorId"]["maxLength"] = 100
    path.write_text(json.dumps(doc))
    result = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(tmp_path / "o"))
    assert_one_line_error(result, "StatusNotificationRequest.json", "CustomDataType", "differs in shape")
    assert "Response.json" in result.stderr or "Request.json" in result.stderr.split("differs")[1]


def test_description_differences_are_ignored(schema_copy: Path, tmp_path: Path) -> None:
    path = schema_copy / "StatusNotificationRequest.json"
    doc = json.loads(path.read_text())
    doc["definitions"]["CustomDataType"]["description"] = "something else"
    path.write_text(json.dumps(doc))
    result = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr


def test_action_without_direction(schema_copy: Path, tmp_path: Path) -> None:
    path = schema_copy / "actions.json"
    doc = json.loads(path.read_text())
    del doc["actions"]["Heartbeat"]
    path.write_text(json.dumps(doc))
    result = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(tmp_path / "o"))
    assert_one_line_error(result, "Heartbeat", "no direction", "actions.json")


def test_direction_for_action_without_schemas(schema_copy: Path, tmp_path: Path) -> None:
    path = schema_copy / "actions.json"
    doc = json.loads(path.read_text())
    doc["actions"]["FlyToMoon"] = "Both"
    path.write_text(json.dumps(doc))
    result = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(tmp_path / "o"))
    assert_one_line_error(result, "actions.json#/actions/FlyToMoon", "FlyToMoonRequest.json")


def test_bad_direction_value(schema_copy: Path, tmp_path: Path) -> None:
    path = schema_copy / "actions.json"
    doc = json.loads(path.read_text())
    doc["actions"]["Heartbeat"] = "Sideways"
    path.write_text(json.dumps(doc))
    result = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(tmp_path / "o"))
    assert_one_line_error(result, "actions.json#/actions/Heartbeat", "'Sideways'")


def test_bad_reference(schema_copy: Path, tmp_path: Path) -> None:
    path = schema_copy / "HeartbeatRequest.json"
    doc = json.loads(path.read_text())
    doc["properties"]["customData"]["$ref"] = "#/definitions/Nope"
    path.write_text(json.dumps(doc))
    result = ocppgen("generate", "--schemas", str(schema_copy), "--out", str(tmp_path / "o"))
    assert_one_line_error(result, "HeartbeatRequest.json#/properties/customData/$ref", "'Nope'")


def test_bad_package_name(tmp_path: Path) -> None:
    result = ocppgen("generate", "--out", str(tmp_path), "--package", "not-a.module")
    assert_one_line_error(result, "--package", "not-a.module")


def test_unknown_option_is_a_usage_error() -> None:
    result = ocppgen("generate", "--frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--frobnicate" in result.stderr


def test_repository_defaults_say_so_and_fail_in_one_line_elsewhere(tmp_path: Path) -> None:
    help_text = " ".join(ocppgen("generate", "--help").stdout.split())
    assert "repository root" in help_text and "schemas/v201" in help_text
    for command in (("check",), ("generate",), ("generate", "--package", "acme")):
        result = ocppgen(*command, cwd=tmp_path)
        assert_one_line_error(result, "not found from", "repository root")
    assert not any(tmp_path.iterdir())
    result = ocppgen("generate", "--schemas", str(SCHEMAS), cwd=tmp_path)
    assert_one_line_error(result, "generated/ not found from")


def test_generate_works_from_any_folder_with_explicit_paths(tmp_path: Path) -> None:
    result = ocppgen("generate", "--schemas", str(SCHEMAS), "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "ocppwire" / "v201" / "messages.py").exists()  # package named after the folder
    assert ocppgen("check", "--schemas", str(SCHEMAS), "--out", "out", cwd=tmp_path).returncode == 0


def test_catalog_reads_the_installed_package_without_schemas(tmp_path: Path) -> None:
    for table in ("components", "variables", "events", "reasons", "units"):
        installed = ocppgen("catalog", table, cwd=tmp_path)
        source = ocppgen("catalog", table, "--schemas", str(SCHEMAS), cwd=tmp_path)
        assert installed.returncode == 0, installed.stderr
        assert installed.stdout == source.stdout and installed.stdout.strip()
