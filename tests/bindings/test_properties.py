"""Properties every generated 2.0.1 type has: constraints enforced, exact wire names, lossless customData."""

from __future__ import annotations

import ast
import inspect
import json
import keyword
from enum import StrEnum
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

import ocppwire
from ocppwire import decode, encode
from ocppwire.runtime import GenericCustomData, schema_default, value_or_default
from ocppwire.runtime.payload import decoder_for
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from ..conftest import SCHEMAS

V201 = Path(ocppwire.__file__).parent / "v201"

BOOT = {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}


def reject(tp: type[Any], payload: Any) -> str:
    with pytest.raises(msgspec.ValidationError) as info:
        decode(tp, json.dumps(payload))
    return str(info.value)


def test_module_counts() -> None:
    enums = [v for v in vars(e).values() if isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum]
    assert len(enums) == 88 == len(e.__all__)
    assert len(t.__all__) == 55
    assert len(m.__all__) == 128
    assert all(n.endswith("Request") or n.endswith("Response") for n in m.__all__)
    for module in (e, t, m):
        assert module.__all__ == sorted(module.__all__)


def test_shared_types_are_defined_once() -> None:
    # messages.py imports the shared types; it never redefines one.
    tree = ast.parse((V201 / "messages.py").read_text())
    defined = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    assert defined == set(m.__all__)
    assert m.BootNotificationRequest.__annotations__["charging_station"] == "ChargingStationType"
    assert not (defined & set(t.__all__))


def test_enum_members_are_identifiers_with_exact_values() -> None:
    for name in e.__all__:
        enum = getattr(e, name)
        for member in enum:
            assert member.name.isidentifier() and not keyword.iskeyword(member.name)
    assert e.MeasurandEnumType.ENERGY_ACTIVE_IMPORT_REGISTER == "Energy.Active.Import.Register"
    assert e.ConnectorEnumType.S309_1_P_16_A == "s309-1P-16A"
    assert e.RegistrationStatusEnumType.ACCEPTED == "Accepted"
    # every schema enum value is present, exactly
    for path in SCHEMAS.glob("*Re*.json"):
        for def_name, definition in json.loads(path.read_text()).get("definitions", {}).items():
            if "enum" in definition:
                assert [v.value for v in getattr(e, def_name)] == definition["enum"]


def test_required_missing() -> None:
    assert "missing required field `model`" in reject(m.BootNotificationRequest, {"chargingStation": {"vendorName": "V"}, "reason": "PowerUp"})


def test_wrong_type() -> None:
    assert "Expected `str`, got `int`" in reject(m.BootNotificationRequest, {**BOOT, "reason": 1})


def test_max_length() -> None:
    msg = reject(m.BootNotificationRequest, {"chargingStation": {"model": "M" * 21, "vendorName": "V"}, "reason": "PowerUp"})
    assert "length <= 20" in msg and "$.chargingStation.model" in msg
    decode(m.BootNotificationRequest, json.dumps({"chargingStation": {"model": "é" * 20, "vendorName": "V"}, "reason": "PowerUp"}))


def test_enum_value() -> None:
    assert "Invalid enum value 'powerup'" in reject(m.BootNotificationRequest, {**BOOT, "reason": "powerup"})


def test_minimum_and_maximum() -> None:
    base = {"evseId": 1, "energyTransfer": "DC", "dcChargingParameters": {"evMaxCurrent": 1, "evMaxVoltage": 1}}
    req = {"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "DC", "dcChargingParameters": {"evMaxCurrent": 1, "evMaxVoltage": 1, "stateOfCharge": 101}}}
    assert "<= 100" in reject(m.NotifyEVChargingNeedsRequest, req)
    req["chargingNeeds"]["dcChargingParameters"]["stateOfCharge"] = -1  # type: ignore[index]
    assert ">= 0" in reject(m.NotifyEVChargingNeedsRequest, req)
    del base


def test_min_items_and_max_items() -> None:
    assert "length >= 1" in reject(m.MeterValuesRequest, {"evseId": 1, "meterValue": []})
    too_many = [{"requestedMessage": "BootNotification"}] * 0
    del too_many
    entries = [{"id": 1, "stackLevel": 0, "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Absolute",
                "chargingSchedule": [{"id": i, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 1.0}]} for i in range(4)]}]
    msg = reject(m.SetChargingProfileRequest, {"evseId": 1, "chargingProfile": entries[0]})
    assert "length <= 3" in msg


def test_date_time_must_be_timezone_aware() -> None:
    assert "timezone" in reject(m.HeartbeatResponse, {"currentTime": "2026-11-28T06:00:00"})
    assert "RFC3339" in reject(m.HeartbeatResponse, {"currentTime": "yesterday"})
    res = decode(m.HeartbeatResponse, b'{"currentTime":"2026-11-28T06:00:00+02:00"}')
    assert res.current_time.utcoffset() is not None


def test_null_for_optional_field_is_rejected() -> None:
    assert "got `null`" in reject(m.BootNotificationRequest, {"chargingStation": {"model": "M", "vendorName": "V", "serialNumber": None}, "reason": "PowerUp"})


@pytest.mark.parametrize(
    "payload",
    [
        {**BOOT, "extra": 1},
        {"chargingStation": {"model": "M", "vendorName": "V", "extra": 1}, "reason": "PowerUp"},
        {"chargingStation": {"model": "M", "vendorName": "V", "modem": {"extra": 1}}, "reason": "PowerUp"},
    ],
)
def test_unknown_properties_rejected_at_every_depth(payload: dict[str, Any]) -> None:
    assert "unknown field `extra`" in reject(m.BootNotificationRequest, payload)


def test_unknown_properties_allowed_inside_custom_data() -> None:
    payload = {"chargingStation": {"model": "M", "vendorName": "V", "modem": {"customData": {"vendorId": "v", "extra": {"deep": [1]}}}}, "reason": "PowerUp"}
    req = decode(m.BootNotificationRequest, json.dumps(payload))
    modem = req.charging_station.modem
    assert isinstance(modem, t.ModemType)
    assert modem.custom_data == GenericCustomData("v", {"extra": {"deep": [1]}})
    assert json.loads(encode(req)) == payload


def _structs_with_custom_data() -> list[type[msgspec.Struct]]:
    found = []
    for name in t.__all__ + m.__all__:
        cls = getattr(t, name, None) or getattr(m, name)
        if isinstance(cls, type) and issubclass(cls, msgspec.Struct):
            if any(f.encode_name == "customData" for f in msgspec.structs.fields(cls)):
                found.append(cls)
    return found


def test_every_object_type_has_optional_custom_data() -> None:
    structs = _structs_with_custom_data()
    assert len(structs) == 54 + 128
    for cls in structs:
        field = next(f for f in msgspec.structs.fields(cls) if f.encode_name == "customData")
        assert field.default is msgspec.UNSET


@pytest.mark.parametrize("cls", _structs_with_custom_data(), ids=lambda c: c.__name__)
def test_custom_data_with_vendor_properties_roundtrips_in_every_type(cls: type[msgspec.Struct]) -> None:
    from .strategies import minimal

    base = minimal(mi.type_info(cls))
    payload = {**base, "customData": {"vendorId": "com.example", "n": 1, "s": "x", "o": {"k": [True, None]}}}
    assert json.loads(encode(decode(cls, json.dumps(payload)))) == payload
    bad = {**base, "customData": {"n": 1}}
    assert "missing required field `vendorId`" in reject(cls, bad)


def test_exact_wire_names() -> None:
    fields = {f.name: f.encode_name for f in msgspec.structs.fields(t.OCSPRequestDataType)}
    assert fields["responder_url"] == "responderURL"
    fields = {f.name: f.encode_name for f in msgspec.structs.fields(t.DCChargingParametersType)}
    assert fields["full_soc"] == "fullSoC" and fields["bulk_soc"] == "bulkSoC"
    # every schema property name appears verbatim as an encode name
    for path in SCHEMAS.glob("*Re*.json"):
        doc = json.loads(path.read_text())
        names = {f.encode_name for f in msgspec.structs.fields(getattr(m, path.stem))}
        assert names == set(doc.get("properties", {})), path.name


def test_absent_optional_fields_stay_absent_and_defaults_are_not_materialized() -> None:
    req = m.NotifyReportRequest(request_id=1, generated_at=msgspec.json.decode(b'"2026-11-28T00:00:00Z"', type=__import__("datetime").datetime), seq_no=0)
    assert json.loads(encode(req)) == {"requestId": 1, "generatedAt": "2026-11-28T00:00:00Z", "seqNo": 0}
    value = decode(t.SampledValueType, b'{"value": 1.5}')
    assert value.context is msgspec.UNSET and value.measurand is msgspec.UNSET
    assert encode(value) == b'{"value":1.5}'


def test_schema_defaults_are_readable() -> None:
    assert schema_default(m.NotifyReportRequest, "tbc") is False
    assert schema_default(t.SampledValueType, "measurand") is e.MeasurandEnumType.ENERGY_ACTIVE_IMPORT_REGISTER
    value = decode(t.SampledValueType, b'{"value": 1.5}')
    assert value_or_default(value, "context") is e.ReadingContextEnumType.SAMPLE_PERIODIC
    assert value_or_default(value, "phase") is msgspec.UNSET
    assert value_or_default(decode(t.SampledValueType, b'{"value": 1, "context": "Trigger"}'), "context") == "Trigger"
    assert t.UnitOfMeasureType.SCHEMA_DEFAULTS == {"unit": "Wh", "multiplier": 0}


def test_docstrings_are_clean() -> None:
    for module in (e, t, m):
        source = inspect.getsource(module)
        for noise in ("\r", "urn:x-oca", "urn:x-enexis", "&lt;", "&gt;", "<<", ">>", "_ Point"):
            assert noise not in source, (module.__name__, noise)
    assert t.ChargingStationType.__doc__ and t.ChargingStationType.__doc__.startswith("The physical system")
    assert m.BootNotificationRequest.__doc__


def test_py_typed_is_shipped() -> None:
    assert (V201 / "py.typed").exists()
    assert (V201.parent / "py.typed").exists()


def test_decoders_are_built_once() -> None:
    assert decoder_for(m.HeartbeatRequest) is decoder_for(m.HeartbeatRequest)
