"""Vendor extensions generated from schemas: typed customData and DataTransfer, patches, errors."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import msgspec
import pytest

from ocppgen.output import package_dir, write
from ocppgen.render import render_package
from ocppgen.schema import read_schema_set
from ocppwire import decode, encode
from ocppwire.runtime import GenericCustomData, datatransfer
from ocppwire.runtime.errors import ErrorCode, error_for_validation

from ..conftest import ROOT, SCHEMAS
from ..generator.test_cli import assert_one_line_error, ocppgen

VENDOR = ROOT / "examples" / "vendor"
EXTENSIONS = VENDOR / "extensions"

sys.path.insert(0, str(VENDOR))
import acme_ocpp  # noqa: E402
from acme_ocpp import extensions as acme  # noqa: E402
from acme_ocpp import messages as am  # noqa: E402
from ocppwire.v201 import messages as m  # noqa: E402

HEARTBEAT = {"customData": {"vendorId": "com.mycompany.customheartbeat", "mainMeterValue": 12345, "sessionsToDate": 342}}


def test_vendor_package_is_current(tmp_path: Path) -> None:
    files = render_package(read_schema_set(SCHEMAS, extensions=EXTENSIONS), "acme_ocpp")
    write(files, package_dir(tmp_path, "acme_ocpp"))
    for name in files:
        assert (tmp_path / "acme_ocpp" / name).read_bytes() == (VENDOR / "acme_ocpp" / name).read_bytes(), name


def test_patch_is_applied_and_listed_in_header() -> None:
    header = (VENDOR / "acme_ocpp" / "messages.py").read_text().splitlines()[:6]
    assert any("exiResponse/maxLength replace = 7500" in line for line in header)
    payload = json.dumps({"status": "Accepted", "exiResponse": "x" * 7000})
    decode(am.Get15118EVCertificateResponse, payload)  # vendor bindings: patched limit
    with pytest.raises(msgspec.ValidationError):
        decode(m.Get15118EVCertificateResponse, payload)  # official bindings: 5600


def test_registered_custom_data_decodes_typed_at_any_depth() -> None:
    req = decode(m.HeartbeatRequest, json.dumps(HEARTBEAT))
    assert isinstance(req.custom_data, acme.CustomHeartbeatData)
    assert req.custom_data.main_meter_value == 12345 and req.custom_data.sessions_to_date == 342
    assert json.loads(encode(req)) == HEARTBEAT
    boot = {
        "chargingStation": {"model": "M", "vendorName": "V", "modem": {"customData": HEARTBEAT["customData"]}},
        "reason": "PowerUp",
    }
    decoded = decode(m.BootNotificationRequest, json.dumps(boot))
    assert isinstance(decoded.charging_station.modem.custom_data, acme.CustomHeartbeatData)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("custom", "code", "path"),
    [
        ({"mainMeterValue": "lots"}, ErrorCode.TYPE_CONSTRAINT_VIOLATION, "customData.mainMeterValue"),
        ({"mainMeterValue": -1}, ErrorCode.PROPERTY_CONSTRAINT_VIOLATION, "customData.mainMeterValue"),
        ({}, ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION, "customData.mainMeterValue"),
        ({"mainMeterValue": 1, "other": 2}, ErrorCode.PROTOCOL_ERROR, "customData.other"),
    ],
)
def test_registered_custom_data_is_validated_like_any_field(custom: dict[str, object], code: ErrorCode, path: str) -> None:
    payload = {"customData": {"vendorId": "com.mycompany.customheartbeat", **custom}}
    with pytest.raises(msgspec.ValidationError) as info:
        decode(m.HeartbeatRequest, json.dumps(payload))
    error = error_for_validation(info.value)
    assert error.code is code
    assert error.details["path"] == path


def test_unregistered_vendor_stays_generic_and_lossless() -> None:
    payload = {"customData": {"vendorId": "com.other", "mainMeterValue": "not checked", "x": [1, {"y": None}]}}
    req = decode(m.HeartbeatRequest, json.dumps(payload))
    assert req.custom_data == GenericCustomData("com.other", {"mainMeterValue": "not checked", "x": [1, {"y": None}]})
    assert json.loads(encode(req)) == payload


def test_data_transfer_registration() -> None:
    entry = datatransfer.lookup("com.acme", "GetPrice")
    assert entry is acme.GET_PRICE
    data = datatransfer.decode_request_data("com.acme", "GetPrice", {"evseId": 1, "kinds": ["Energy"]})
    assert data == acme.GetPriceRequestData(evse_id=1, kinds=[acme.TariffKindEnumType.ENERGY])
    with pytest.raises(msgspec.ValidationError) as info:
        datatransfer.decode_request_data("com.acme", "GetPrice", {"evseId": "one"})
    assert error_for_validation(info.value).code is ErrorCode.TYPE_CONSTRAINT_VIOLATION
    assert "data.evseId" in error_for_validation(info.value).description
    raw = {"anything": [1, 2]}
    assert datatransfer.decode_request_data("com.acme", "Unknown", raw) is raw
    res = acme.GetPriceResponseData(currency="EUR", price_per_kwh=0.31)
    assert datatransfer.encode_data(res) == {"currency": "EUR", "pricePerKWh": 0.31}


def test_vendor_package_exports_extensions() -> None:
    assert "extensions" in acme_ocpp.__all__
    assert acme_ocpp.extensions is acme


@pytest.fixture
def ext_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "ext"
    shutil.copytree(EXTENSIONS, folder)
    return folder


def _edit_manifest(folder: Path, edit: object) -> None:
    path = folder / "extensions.json"
    doc = json.loads(path.read_text())
    edit(doc)  # type: ignore[operator]
    path.write_text(json.dumps(doc))


def test_error_missing_manifest(tmp_path: Path) -> None:
    (tmp_path / "ext").mkdir()
    result = ocppgen("generate", "--extensions", str(tmp_path / "ext"), "--out", str(tmp_path / "o"), "--package", "x")
    assert_one_line_error(result, "extensions.json is missing")


def test_error_patch_pointer_not_found(ext_copy: Path, tmp_path: Path) -> None:
    _edit_manifest(ext_copy, lambda d: d["patches"][0].update(pointer="/properties/nope/maxLength"))
    result = ocppgen("generate", "--extensions", str(ext_copy), "--out", str(tmp_path / "o"), "--package", "x")
    assert_one_line_error(result, "extensions.json#/patches/0", "/properties/nope/maxLength", "does not exist")


def test_error_open_extension_object(ext_copy: Path, tmp_path: Path) -> None:
    path = ext_copy / "custom_heartbeat.json"
    doc = json.loads(path.read_text())
    del doc["additionalProperties"]
    path.write_text(json.dumps(doc))
    result = ocppgen("generate", "--extensions", str(ext_copy), "--out", str(tmp_path / "o"), "--package", "x")
    assert_one_line_error(result, "custom_heartbeat.json", "additionalProperties")


def test_error_unsupported_keyword_in_extension(ext_copy: Path, tmp_path: Path) -> None:
    path = ext_copy / "get_price_response.json"
    doc = json.loads(path.read_text())
    doc["properties"]["currency"]["const"] = "EUR"
    path.write_text(json.dumps(doc))
    result = ocppgen("generate", "--extensions", str(ext_copy), "--out", str(tmp_path / "o"), "--package", "x")
    assert_one_line_error(result, "get_price_response.json#/properties/currency/const", "unsupported schema keyword")


def test_error_class_name_clash(ext_copy: Path, tmp_path: Path) -> None:
    _edit_manifest(ext_copy, lambda d: d["customData"][0].update(name="HeartbeatRequest"))
    result = ocppgen("generate", "--extensions", str(ext_copy), "--out", str(tmp_path / "o"), "--package", "x")
    assert_one_line_error(result, "'HeartbeatRequest'", "already used")
