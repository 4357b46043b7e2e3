"""``ocppgen diff`` on small hand-made schema sets: one test per kind of change, plus the CLI's contract."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ocppgen.catalog import Catalog, CatalogComponent, CatalogVariable, ReasonCodeDef, SecurityEventDef, UnitDef
from ocppgen.catalog_diff import diff_catalogs
from ocppgen.changelog import build, to_json, to_markdown
from ocppgen.diff import Change, ChangeKind, SchemaDiff, diff_sets
from ocppgen.schema import read_schema_set

from ..conftest import ROOT

DRAFT = "http://json-schema.org/draft-06/schema#"


def write_set(folder: Path, actions: dict[str, str], messages: dict[str, dict[str, Any]], defs: dict[str, Any]) -> Path:
    """A schema folder: one Request/Response pair per action; ``messages`` gives a root's properties
    ({"properties": ..., "required": [...]}), ``defs`` the definitions every file carries."""
    folder.mkdir(parents=True)
    (folder / "actions.json").write_text(
        json.dumps({"ocppVersion": "2.0.1", "subprotocol": "ocpp2.0.1", "actions": actions})
    )
    for action in actions:
        for suffix in ("Request", "Response"):
            body = messages.get(action + suffix, {"properties": {}})
            doc = {"$schema": DRAFT, "$id": f"urn:{action}{suffix}", "definitions": defs, "type": "object",
                   "additionalProperties": False, **body}  # fmt: skip
            (folder / f"{action}{suffix}.json").write_text(json.dumps(doc))
    return folder


def diff_of(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> SchemaDiff:
    """Each side: {"actions": ..., "messages": ..., "defs": ...} (defaults: one action Heartbeat, nothing in it)."""
    sides = []
    for name, side in (("old", old), ("new", new)):
        folder = write_set(
            tmp_path / name,
            side.get("actions", {"Heartbeat": "StationToCsms"}),
            side.get("messages", {}),
            side.get("defs", {}),
        )
        sides.append(read_schema_set(folder))
    return diff_sets(sides[0], sides[1])


def request(
    props: dict[str, Any], required: list[str] | None = None, defs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A side whose HeartbeatRequest has ``props``."""
    body: dict[str, Any] = {"properties": props}
    if required:
        body["required"] = required
    return {"messages": {"HeartbeatRequest": body}, "defs": defs or {}}


def changes(diff: SchemaDiff) -> list[Change]:
    return [c for m in diff.messages for c in m.changes]


def test_actions_added_and_removed_with_direction_and_block(tmp_path: Path) -> None:
    diff = diff_of(
        tmp_path,
        {"actions": {"Heartbeat": "StationToCsms", "Reset": "CsmsToStation"}},
        {"actions": {"Heartbeat": "StationToCsms", "Frobnicate": "Both", "BootNotification": "StationToCsms"}},
    )
    assert [(a.name, a.direction, a.block) for a in diff.actions_added] == [
        ("BootNotification", "StationToCsms", "B"),
        ("Frobnicate", "Both", "Other"),
    ]
    assert [(a.name, a.direction, a.block) for a in diff.actions_removed] == [("Reset", "CsmsToStation", "B")]
    assert diff.messages == []


def test_field_added_and_removed(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, request({"a": {"type": "string"}}), request({"b": {"type": "integer"}}, ["b"]))
    assert changes(diff) == [
        Change(ChangeKind.FIELD_ADDED, "b", new="integer, required"),
        Change(ChangeKind.FIELD_REMOVED, "a", old="string, optional"),
    ]
    assert diff.messages[0].block == "G" and diff.messages[0].action == "Heartbeat"
    assert diff.fields_changed == 2


def test_made_required_and_optional(tmp_path: Path) -> None:
    props = {"a": {"type": "string"}, "b": {"type": "string"}}
    diff = diff_of(tmp_path, request(props, ["a"]), request(props, ["b"]))
    assert changes(diff) == [Change(ChangeKind.MADE_OPTIONAL, "a"), Change(ChangeKind.MADE_REQUIRED, "b")]


def test_type_changed(tmp_path: Path) -> None:
    defs = {"KindEnumType": {"type": "string", "enum": ["X", "Y"]}}
    diff = diff_of(
        tmp_path,
        request({"a": {"type": "integer"}, "k": {"$ref": "#/definitions/KindEnumType"}}, defs=defs),
        request({"a": {"type": "number"}, "k": {"type": "string"}}, defs=defs),
    )
    assert changes(diff) == [
        Change(ChangeKind.TYPE_CHANGED, "a", old="integer", new="number"),
        Change(ChangeKind.TYPE_CHANGED, "k", old="KindEnumType", new="string"),
    ]


def test_every_constraint_is_compared(tmp_path: Path) -> None:
    old = {
        "s": {"type": "string", "maxLength": 20},
        "p": {"type": "string", "pattern": "^a$"},
        "t": {"type": "string"},
        "n": {"type": "integer", "minimum": 0, "maximum": 10},
        "m": {"type": "number", "multipleOf": 0.1},
        "l": {"type": "array", "items": {"type": "string", "maxLength": 5}, "minItems": 1},
        "d": {"type": "integer", "default": 1},
    }
    new = {
        "s": {"type": "string", "maxLength": 50},
        "p": {"type": "string", "pattern": "^b$"},
        "t": {"type": "string", "format": "date-time"},
        "n": {"type": "integer", "minimum": 1},
        "m": {"type": "number", "multipleOf": 0.01},
        "l": {"type": "array", "items": {"type": "string", "maxLength": 8}, "minItems": 1, "maxItems": 4},
        "d": {"type": "integer", "default": 2},
    }
    got = [(c.field, c.aspect, c.old, c.new) for c in changes(diff_of(tmp_path, request(old), request(new)))]
    assert got == [
        ("s", "maxLength", 20, 50),
        ("p", "pattern", "^a$", "^b$"),
        ("t", "format", None, "date-time"),
        ("n", "minimum", 0, 1),
        ("n", "maximum", 10, None),
        ("m", "multipleOf", 0.1, 0.01),
        ("l", "maxItems", None, 4),
        ("l", "items.maxLength", 5, 8),
        ("d", "default", 1, 2),
    ]


def test_enum_values_and_default(tmp_path: Path) -> None:
    old = {"ModeEnumType": {"type": "string", "enum": ["A", "B"], "default": "A"}}
    new = {"ModeEnumType": {"type": "string", "enum": ["A", "C"], "default": "C"}}
    prop = {"mode": {"$ref": "#/definitions/ModeEnumType"}}
    diff = diff_of(tmp_path, request(prop, defs=old), request(prop, defs=new))
    assert diff.messages == []
    assert [e.name for e in diff.enums.changed] == ["ModeEnumType"]
    assert diff.enums.changed[0].changes == (
        Change(ChangeKind.VALUE_ADDED, aspect="C"),
        Change(ChangeKind.VALUE_REMOVED, aspect="B"),
        Change(ChangeKind.CONSTRAINT_CHANGED, aspect="default", old="A", new="C"),
    )


def test_shared_type_changes_and_additions(tmp_path: Path) -> None:
    old = {"PointType": {"type": "object", "additionalProperties": False, "properties": {"x": {"type": "integer"}}}}
    new = {
        "PointType": {"type": "object", "additionalProperties": False, "properties": {"x": {"type": "number"}}},
        "LineType": {"type": "object", "additionalProperties": False,
                     "properties": {"from": {"$ref": "#/definitions/PointType"}}},
    }  # fmt: skip
    diff = diff_of(tmp_path, request({}, defs=old), request({}, defs=new))
    assert diff.types.added == ["LineType"]
    assert [(t.name, t.changes) for t in diff.types.changed] == [
        ("PointType", (Change(ChangeKind.TYPE_CHANGED, "x", old="integer", new="number"),))
    ]


def test_renamed_type_with_identical_shape(tmp_path: Path) -> None:
    shape = {"type": "object", "additionalProperties": False, "properties": {"v": {"type": "string"}}}
    enum = {"type": "string", "enum": ["On", "Off"]}
    old = request({"p": {"$ref": "#/definitions/OldType"}, "e": {"$ref": "#/definitions/StateEnum"}},
                  defs={"OldType": shape, "StateEnum": enum})  # fmt: skip
    new = request({"p": {"$ref": "#/definitions/NewType"}, "e": {"$ref": "#/definitions/StatusEnumType"}},
                  defs={"NewType": {**shape, "description": "reworded"}, "StatusEnumType": enum})  # fmt: skip
    diff = diff_of(tmp_path, old, new)
    assert [(r.old, r.new) for r in diff.types.renamed] == [("OldType", "NewType")]
    assert [(r.old, r.new) for r in diff.enums.renamed] == [("StateEnum", "StatusEnumType")]
    assert diff.types.added == diff.types.removed == []
    assert diff.messages == []  # the fields follow the rename: not a type change


def test_no_rename_when_the_shape_is_not_unique(tmp_path: Path) -> None:
    shape = {"type": "object", "additionalProperties": False, "properties": {"v": {"type": "string"}}}
    props_old = {"a": {"$ref": "#/definitions/AType"}, "b": {"$ref": "#/definitions/BType"}}
    props_new = {"a": {"$ref": "#/definitions/CType"}, "b": {"$ref": "#/definitions/DType"}}
    diff = diff_of(
        tmp_path, request(props_old, defs={"AType": shape, "BType": shape}),
        request(props_new, defs={"CType": shape, "DType": shape}),
    )  # fmt: skip
    assert diff.types.renamed == []
    assert diff.types.removed == ["AType", "BType"] and diff.types.added == ["CType", "DType"]
    assert [c.kind for c in changes(diff)] == [ChangeKind.TYPE_CHANGED, ChangeKind.TYPE_CHANGED]


def test_descriptions_are_no_change(tmp_path: Path) -> None:
    diff = diff_of(
        tmp_path,
        request({"a": {"type": "string", "description": "old words"}}),
        request({"a": {"type": "string", "description": "new words"}}),
    )
    assert diff.messages == [] and diff.fields_changed == 0


def catalog(**overrides: Any) -> Catalog:
    base: dict[str, Any] = {
        "components": (
            CatalogComponent("ClockCtrlr", "controller", (CatalogVariable("DateTime", "dateTime"),)),
            CatalogComponent(
                "TxCtrlr", "controller", (CatalogVariable("EVConnectionTimeOut", "integer", units=("s",)),)
            ),
        ),
        "generic_variables": (),
        "security_events": (SecurityEventDef("FirmwareUpdated", True), SecurityEventDef("MemoryExhaustion", True)),
        "reason_codes": (ReasonCodeDef("FixedCable", ("UnlockConnector",)),),
        "units": (UnitDef("A", "current"), UnitDef("Celsius", "temperature")),
    }
    return Catalog(**{**base, **overrides})


def test_catalog_added_removed_renamed_changed() -> None:
    old = catalog()
    new = catalog(
        components=(
            CatalogComponent("ClockController", "controller", (CatalogVariable("DateTime", "dateTime"),)),
            CatalogComponent(
                "TxCtrlr", "controller", (CatalogVariable("EVConnectionTimeOut", "decimal", units=("s",)),)
            ),
        ),
        security_events=(SecurityEventDef("FirmwareUpdated", False), SecurityEventDef("TamperDetected", True)),
        reason_codes=(ReasonCodeDef("FixedCable", ("UnlockConnector",)), ReasonCodeDef("NoCable", generic=True)),
        units=(UnitDef("A", "current"), UnitDef("DegC", "temperature")),
    )
    diff = diff_catalogs(old, new)
    assert diff["components"].renamed == [("ClockCtrlr", "ClockController")]
    assert diff["component variables"].renamed == []  # the component changed its name: not the variable's
    assert diff["component variables"].added == ["ClockController.DateTime"]
    assert [(c.entry, c.attribute, c.old, c.new) for c in diff["component variables"].changed] == [
        ("TxCtrlr.EVConnectionTimeOut", "dataType", "integer", "decimal")
    ]
    # MemoryExhaustion -> TamperDetected: same attributes, names unalike: removed and added, not renamed
    assert diff["security events"].renamed == []
    assert diff["security events"].removed == ["MemoryExhaustion"] and diff["security events"].added == [
        "TamperDetected"
    ]
    assert [(c.entry, c.old, c.new) for c in diff["security events"].changed] == [("FirmwareUpdated", True, False)]
    assert diff["reason codes"].added == ["NoCable"]
    assert diff["units"].renamed == [] and diff["units"].added == ["DegC"]  # "Celsius" vs "DegC": unalike
    assert diff["generic variables"].empty


def test_catalog_rename_needs_alike_names() -> None:
    old = catalog(units=(UnitDef("A", "current"), UnitDef("kWh", "energy")))
    new = catalog(units=(UnitDef("A", "current"), UnitDef("KWh", "energy")))
    assert diff_catalogs(old, new)["units"].renamed == [("kWh", "KWh")]


def test_markdown_groups_blocks_then_datatypes_then_enumerations(tmp_path: Path) -> None:
    defs = {"ModeEnumType": {"type": "string", "enum": ["A"]}}
    old = write_set(tmp_path / "old", {"Heartbeat": "StationToCsms", "Authorize": "StationToCsms"}, {}, defs)
    new_defs = {"ModeEnumType": {"type": "string", "enum": ["A", "B"]}}
    new = write_set(
        tmp_path / "new",
        {"Heartbeat": "StationToCsms", "Authorize": "StationToCsms", "Zap": "CsmsToStation"},
        {"AuthorizeRequest": {"properties": {"x": {"type": "string", "maxLength": 3}}}},
        new_defs,
    )
    log = build(read_schema_set(old), read_schema_set(new), "old", "new")
    text = to_markdown(log)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## C. Authorization", "## Other", "## Datatypes", "## Enumerations"]
    assert "- `Zap` (CSMS → Charging Station)" in text
    assert "- `x` added (string, maxLength 3, optional)" in text
    assert "- value `B` added" in text
    assert to_markdown(build(read_schema_set(old), read_schema_set(new), "old", "new")) == text
    doc = json.loads(to_json(log))
    assert doc["summary"]["actionsAdded"] == 1 and doc["summary"]["fieldsChanged"] == 1
    assert doc["actions"]["added"] == [{"name": "Zap", "direction": "CsmsToStation", "block": "Other", "send": False}]
    assert doc["messages"][0]["changes"][0]["kind"] == "field added"
    assert doc["catalogues"] is None and doc["extensions"] is None


def ocppgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocppgen.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_cli_json_and_one_line_errors(tmp_path: Path) -> None:
    result = ocppgen("diff", "v201", "v201", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["summary"]["actionsAdded"] == 0 and doc["messages"] == []
    assert doc["catalogues"] is not None  # both sides have schemas/v201/catalog/
    bad = ocppgen("diff", "v201", str(tmp_path / "missing"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "neither a schema folder" in bad.stderr


def test_call_becoming_send_loses_its_response(tmp_path: Path) -> None:
    old = write_set(tmp_path / "old", {"Heartbeat": "StationToCsms"}, {}, {})
    new = write_set(tmp_path / "new", {"Heartbeat": "StationToCsms"}, {}, {})
    (new / "HeartbeatResponse.json").unlink()
    (new / "actions.json").write_text(
        json.dumps({"ocppVersion": "2.1", "subprotocol": "ocpp2.1",
                    "actions": {"Heartbeat": {"direction": "StationToCsms", "frame": "SEND"}}})
    )  # fmt: skip
    diff = diff_sets(read_schema_set(old), read_schema_set(new))
    assert [(m.name, m.changes) for m in diff.messages] == [
        ("HeartbeatResponse", (Change(ChangeKind.FIELD_REMOVED, old="response message"),))
    ]


def test_catalogue_folders_end_to_end(tmp_path: Path) -> None:
    """Real catalogue files: a unit's quantity edited and a security event removed; a side without one."""
    old, new, bare = tmp_path / "old", tmp_path / "new", tmp_path / "bare"
    for folder in (old, new):
        shutil.copytree(ROOT / "schemas" / "v201", folder)
    shutil.copytree(ROOT / "schemas" / "v201", bare, ignore=shutil.ignore_patterns("catalog"))
    units = json.loads((new / "catalog" / "units.json").read_text())
    units["units"][0]["quantity"] = "electric current"
    (new / "catalog" / "units.json").write_text(json.dumps(units))
    events = json.loads((new / "catalog" / "security_events.json").read_text())
    gone = events["securityEvents"].pop()["name"]
    (new / "catalog" / "security_events.json").write_text(json.dumps(events))
    log = build(read_schema_set(old), read_schema_set(new), "old", "new")
    assert log.catalog is not None
    assert log.catalog["security events"].removed == [gone]
    unit = units["units"][0]["symbol"]
    assert [(c.entry, c.old, c.new) for c in log.catalog["units"].changed] == [(unit, "current", "electric current")]
    assert f'- `{unit}` quantity: `"current"` → `"electric current"`' in to_markdown(log)
    one_sided = build(read_schema_set(bare), read_schema_set(new), "bare", "new")
    assert one_sided.catalog is None
    assert "Only new has a catalogue: catalogues not compared." in to_markdown(one_sided)


def test_vendor_extension_versions(tmp_path: Path) -> None:
    """Two versions of one vendor's folder: a field made required and a patch dropped."""
    old_ext, new_ext = tmp_path / "ext1", tmp_path / "ext2"
    shutil.copytree(ROOT / "examples" / "vendor" / "extensions", old_ext)
    shutil.copytree(ROOT / "examples" / "vendor" / "extensions", new_ext)
    schema = json.loads((new_ext / "custom_heartbeat.json").read_text())
    schema["required"] = [*schema.get("required", []), "sessionsToDate"]
    (new_ext / "custom_heartbeat.json").write_text(json.dumps(schema))
    manifest = json.loads((new_ext / "extensions.json").read_text())
    manifest["patches"] = []
    (new_ext / "extensions.json").write_text(json.dumps(manifest))
    base = ROOT / "schemas" / "v201"
    log = build(read_schema_set(base, extensions=old_ext), read_schema_set(base, extensions=new_ext), "1", "2")
    assert log.extensions is not None and log.extensions.added == []
    assert [(c.name, c.changes) for c in log.extensions.changed] == [
        ("customData com.mycompany.customheartbeat (CustomHeartbeatData)",
         (Change(ChangeKind.MADE_REQUIRED, "sessionsToDate"),))
    ]  # fmt: skip
    assert len(log.extensions.patches_removed) == 1
    assert [(c.field, c.aspect, c.old, c.new) for m in log.schemas.messages for c in m.changes] == [
        ("exiResponse", "maxLength", 7500, 5600)
    ]
