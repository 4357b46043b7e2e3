"""The naming rules for inline objects and enums (ocppgen.inline; stated in schemas/v16/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ocppgen.errors import GeneratorError
from ocppgen.inline import canonical_shape, pascal_case
from ocppgen.model import ArrayOf, Ref
from ocppgen.schema import read_schema_set

from ..conftest import ROOT

V16 = ROOT / "schemas" / "v16"


def obj(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": props, "additionalProperties": False, "required": list(required)}


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "additionalProperties": False, "enum": list(values)}


def write_set(folder: Path, files: dict[str, dict[str, Any]], directions: dict[str, str]) -> Path:
    folder.mkdir()
    for name, doc in files.items():
        (folder / name).write_text(json.dumps({"$schema": "http://json-schema.org/draft-04/schema#", **doc}))
    (folder / "actions.json").write_text(
        json.dumps({"ocppVersion": "1.6", "subprotocol": "ocpp1.6", "actions": directions})
    )
    return folder


def test_rule_1_candidate_is_the_holding_property_in_pascal_case(tmp_path: Path) -> None:
    assert pascal_case("sampledValue") == "SampledValue" and pascal_case("idTagInfo") == "IdTagInfo"
    files = {
        "Meter.json": obj(
            {
                "meterValue": {
                    "type": "array",
                    "items": obj({"sampledValue": {"type": "array", "items": obj({"measurand": enum("A", "B")})}}),
                }
            }
        ),
        "MeterResponse.json": obj({}),
    }
    s = read_schema_set(write_set(tmp_path / "s", files, {"Meter": "StationToCsms"}))
    assert sorted(s.types) == ["MeterValue", "SampledValue"] and sorted(s.enums) == ["Measurand"]
    fields = {f.wire_name: f.type for f in s.messages["MeterRequest"].fields}
    assert fields["meterValue"] == ArrayOf(Ref("MeterValue"))
    assert s.types["SampledValue"].fields[0].type == Ref("Measurand")


def test_rule_2_same_name_and_shape_is_one_type_descriptions_ignored(tmp_path: Path) -> None:
    info = obj({"status": enum("Accepted", "Blocked")}, ("status",))
    described = {**info, "description": "the same shape, another text"}
    files = {
        "Authorize.json": obj({}),
        "AuthorizeResponse.json": obj({"idTagInfo": info}),
        "Start.json": obj({}),
        "StartResponse.json": obj({"idTagInfo": described}),
    }
    s = read_schema_set(write_set(tmp_path / "s", files, {"Authorize": "StationToCsms", "Start": "StationToCsms"}))
    assert list(s.types) == ["IdTagInfo"] and list(s.enums) == ["Status"]


def test_rule_3_clashing_shapes_are_all_qualified_by_their_holder(tmp_path: Path) -> None:
    files = {
        "Boot.json": obj({}),
        "BootResponse.json": obj({"status": enum("Accepted", "Pending")}),
        "Reset.json": obj({"type": enum("Hard", "Soft")}),
        "ResetResponse.json": obj({"status": enum("Accepted", "Rejected")}),
        "Auth.json": obj({}),
        "AuthResponse.json": obj({"idTagInfo": obj({"status": enum("Accepted", "Blocked")})}),
    }
    directions = {"Boot": "StationToCsms", "Reset": "CsmsToStation", "Auth": "StationToCsms"}
    s = read_schema_set(write_set(tmp_path / "s", files, directions))
    assert sorted(s.enums) == ["BootStatus", "IdTagInfoStatus", "ResetStatus", "Type"]
    assert s.enums["IdTagInfoStatus"].values == ("Accepted", "Blocked")


def test_rule_4_request_and_response_clash_use_the_full_holder_name(tmp_path: Path) -> None:
    files = {
        "Get.json": obj({"status": enum("A")}),
        "GetResponse.json": obj({"status": enum("B")}),
        "Other.json": obj({"status": enum("C")}),
        "OtherResponse.json": obj({}),
    }
    s = read_schema_set(write_set(tmp_path / "s", files, {"Get": "CsmsToStation", "Other": "CsmsToStation"}))
    assert sorted(s.enums) == ["GetRequestStatus", "GetResponseStatus", "OtherStatus"]


def test_a_definition_keeps_its_name_and_absorbs_equal_inline_shapes(tmp_path: Path) -> None:
    firmware = obj({"location": {"type": "string"}}, ("location",))
    files = {
        "Signed.json": {**obj({"firmware": {"$ref": "#/definitions/Firmware"}}), "definitions": {"Firmware": firmware}},
        "SignedResponse.json": obj({}),
        "Update.json": obj({"firmware": {**firmware, "description": "inline"}}),
        "UpdateResponse.json": obj({}),
        "Other.json": obj({"firmware": obj({"url": {"type": "string"}})}),
        "OtherResponse.json": obj({}),
    }
    directions = {"Signed": "CsmsToStation", "Update": "CsmsToStation", "Other": "CsmsToStation"}
    s = read_schema_set(write_set(tmp_path / "s", files, directions))
    # Firmware (the definition) clashes with Other's inline shape: the definition keeps its name,
    # the inline shapes take qualified ones (Update's equal shape too: rule 3 qualifies all inline ones).
    assert sorted(s.types) == ["Firmware", "OtherFirmware", "UpdateFirmware"]


def test_a_name_that_stays_ambiguous_stops_generation_in_one_line(tmp_path: Path) -> None:
    files = {
        "Get.json": obj({"status": enum("A")}),
        "GetResponse.json": obj({"getStatus": enum("B"), "status": enum("C")}),
    }
    # GetResponse.status → GetStatus (rule 3) clashes with the plain candidate of getStatus, whose shape differs;
    # rule 4 renames the qualified one to GetResponseStatus, and GetRequestStatus for the request.
    s = read_schema_set(write_set(tmp_path / "s", files, {"Get": "CsmsToStation"}))
    assert sorted(s.enums) == ["GetRequestStatus", "GetResponseStatus", "GetStatus"]
    clash = {"Boot.json": obj({"bootResponse": obj({})}), "BootResponse.json": obj({})}
    folder = write_set(tmp_path / "t", clash, {"Boot": "StationToCsms"})
    with pytest.raises(GeneratorError) as info:
        read_schema_set(folder)
    assert "'BootResponse', the name of a message" in str(info.value)
    assert "Boot.json#/properties/bootResponse" in str(info.value) and "\n" not in str(info.value)


def test_shapes_compare_without_annotations_only_at_schema_positions() -> None:
    a = obj({"description": {"type": "string", "description": "a property named description"}})
    b = obj({"description": {"type": "string"}})
    assert canonical_shape(a) == canonical_shape(b)
    assert canonical_shape(obj({"x": {"type": "string"}})) != canonical_shape(b)


def test_names_of_the_official_16_set_are_stable_and_readable() -> None:
    s = read_schema_set(V16)
    # merged across files
    assert "IdTagInfo" in s.types and "ChargingSchedulePeriod" in s.types and "ChargingSchedule" in s.types
    # the official StopTransaction lists fewer units than MeterValues, so the sampled values clash (rule 3)
    assert {"MeterValueSampledValue", "TransactionDataSampledValue"} <= set(s.types)
    assert {"MeterValueSampledValueUnit", "TransactionDataSampledValueUnit"} <= set(s.enums)
    assert {"Measurand", "Location", "Phase", "ChargingProfilePurpose", "ErrorCode"} <= set(s.enums)
    assert {"BootNotificationStatus", "IdTagInfoStatus", "ChangeAvailabilityType", "ResetType"} <= set(s.enums)
    # security extension definitions keep their names
    assert {"FirmwareType", "CertificateHashDataType", "LogParametersType"} <= set(s.types)
    assert (len(s.enums), len(s.types), len(s.messages), len(s.actions)) == (51, 14, 78, 39)
    assert read_schema_set(V16) == s  # stable across readings
    # 1.6 describes nothing: an inline type's docstring says where it is first used
    assert s.enums["BootNotificationStatus"].description == "The values of ``status`` in BootNotificationResponse."
    assert s.types["MeterValueSampledValue"].description == "The object of ``sampledValue[]`` in MeterValue."
