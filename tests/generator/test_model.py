"""The intermediate model read from the official 2.0.1 schemas."""

from __future__ import annotations

from ocppgen.model import ArrayOf, Direction, Ref, Scalar
from ocppgen.naming import enum_member, method_name, snake_case
from ocppgen.schema import read_schema_set

from ..conftest import SCHEMAS


def test_counts() -> None:
    s = read_schema_set(SCHEMAS)
    assert len(s.enums) == 88
    assert len(s.types) == 55
    assert len(s.enums) + len(s.types) == 143
    assert len(s.messages) == 128
    assert len(s.actions) == 64
    assert s.ocpp_version == "2.0.1" and s.subprotocol == "ocpp2.0.1"
    directions = [a.direction for a in s.actions.values()]
    assert directions.count(Direction.STATION_TO_CSMS) == 24
    assert directions.count(Direction.CSMS_TO_STATION) == 39
    assert directions.count(Direction.BOTH) == 1


def test_fields_carry_constraints() -> None:
    s = read_schema_set(SCHEMAS)
    station = {f.wire_name: f for f in s.types["ChargingStationType"].fields}
    assert station["model"].required and station["model"].type == Scalar("string", max_length=20)
    assert not station["serialNumber"].required
    assert station["modem"].type == Ref("ModemType")
    meter = {f.wire_name: f for f in s.messages["MeterValuesRequest"].fields}
    assert meter["meterValue"].type == ArrayOf(Ref("MeterValueType"), min_items=1)
    assert meter["evseId"].type == Scalar("integer")
    soc = {f.wire_name: f for f in s.types["DCChargingParametersType"].fields}["stateOfCharge"]
    assert soc.type == Scalar("integer", minimum=0, maximum=100)
    ts = {f.wire_name: f for f in s.types["MeterValueType"].fields}["timestamp"]
    assert ts.type == Scalar("string", date_time=True)
    ocsp = {f.wire_name for f in s.types["OCSPRequestDataType"].fields}
    assert "responderURL" in ocsp
    assert s.types["CustomDataType"].open and not s.types["ChargingStationType"].open
    assert s.enums["AttributeEnumType"].default == "Actual"


def test_naming() -> None:
    assert snake_case("vendorName") == "vendor_name"
    assert snake_case("responderURL") == "responder_url"
    assert snake_case("fullSoC") == "full_soc"
    assert snake_case("evseId") == "evse_id"
    assert snake_case("iso15118SchemaVersion") == "iso15118_schema_version"
    assert enum_member("Accepted") == "ACCEPTED"
    assert enum_member("Energy.Active.Import.Register") == "ENERGY_ACTIVE_IMPORT_REGISTER"
    assert enum_member("s309-1P-16A") == "S309_1_P_16_A"
    assert enum_member("V2GCertificateChain") == "V2G_CERTIFICATE_CHAIN"
    assert enum_member("SoC") == "SOC"
    assert enum_member("2G") == "_2_G"
    assert method_name("Get15118EVCertificate") == "get_15118_ev_certificate"
    assert snake_case("class") == "class_"


def test_counts_of_the_other_versions() -> None:
    from ..conftest import ROOT

    s16 = read_schema_set(ROOT / "schemas" / "v16")
    assert (s16.ocpp_version, s16.subprotocol) == ("1.6", "ocpp1.6")
    assert (len(s16.messages), len(s16.actions)) == (78, 39)
    assert s16.messages["AuthorizeRequest"].fields[0].wire_name == "idTag"  # Authorize.json is the request
    s21 = read_schema_set(ROOT / "schemas" / "v21")
    assert (s21.ocpp_version, s21.subprotocol) == ("2.1", "ocpp2.1")
    assert (len(s21.enums), len(s21.types), len(s21.messages), len(s21.actions)) == (110, 122, 181, 91)
    sends = [a for a in s21.actions.values() if a.send]
    assert [(a.name, a.response) for a in sends] == [("NotifyPeriodicEventStream", None)]
