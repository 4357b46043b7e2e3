"""Parsing and formatting attribute values per dataType, with the errors a station reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ocppwire.devicemodel.spec import (
    DataType,
    InvalidValueError,
    LimitViolationError,
    Mutability,
    NotInValuesListError,
    ReadOnlyError,
    VariableSpec,
)
from ocppwire.v201 import catalog


def spec(data_type: DataType, **kw: object) -> VariableSpec:
    return VariableSpec(component="AcmeCtrlr", variable="Thing", data_type=data_type).replace(**kw)


@pytest.mark.parametrize(
    ("data_type", "text", "value"),
    [
        (DataType.INTEGER, "200", 200),
        (DataType.INTEGER, "-5", -5),
        (DataType.DECIMAL, "0.5", 0.5),
        (DataType.DECIMAL, "230", 230.0),
        (DataType.BOOLEAN, "true", True),
        (DataType.BOOLEAN, "False", False),
        (DataType.STRING, "hello, world", "hello, world"),
        (DataType.DATE_TIME, "2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ],
)
def test_parse_scalars(data_type: DataType, text: str, value: object) -> None:
    assert spec(data_type).parse(text) == value


@pytest.mark.parametrize(
    ("data_type", "text"),
    [
        (DataType.INTEGER, "2.5"),
        (DataType.INTEGER, ""),
        (DataType.INTEGER, "ten"),
        (DataType.DECIMAL, "nan"),
        (DataType.DECIMAL, "1e999"),
        (DataType.BOOLEAN, "1"),
        (DataType.DATE_TIME, "2024-05-01T12:00:00"),
        (DataType.DATE_TIME, "yesterday"),
    ],
)
def test_parse_rejects_bad_text(data_type: DataType, text: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        spec(data_type).parse(text)
    assert info.value.reason_code == "InvalidValue"
    assert "AcmeCtrlr.Thing" in str(info.value)


def test_format_scalars() -> None:
    assert spec(DataType.INTEGER).format(200) == "200"
    assert spec(DataType.DECIMAL).format(230.0) == "230"
    assert spec(DataType.DECIMAL).format(0.1) == "0.1"
    assert spec(DataType.BOOLEAN).format(True) == "true"
    moment = datetime(2024, 5, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    assert spec(DataType.DATE_TIME).format(moment) == "2024-05-01T14:00:00+02:00"
    assert spec(DataType.DATE_TIME).format(datetime(2024, 5, 1, tzinfo=UTC)) == "2024-05-01T00:00:00Z"
    with pytest.raises(InvalidValueError):
        spec(DataType.INTEGER).format(True)
    with pytest.raises(InvalidValueError):
        spec(DataType.BOOLEAN).format(1)
    with pytest.raises(InvalidValueError):
        spec(DataType.DATE_TIME).format(datetime(2024, 5, 1))


def test_option_list() -> None:
    policy = catalog.AuthCacheCtrlr.Policy
    assert policy.parse("LRU") == "LRU"
    assert policy.format("FIFO") == "FIFO"
    with pytest.raises(NotInValuesListError) as info:
        policy.parse("MRU")
    assert "MRU" in str(info.value) and info.value.reason_code == "InvalidValue"
    with pytest.raises(InvalidValueError):
        policy.parse("LRU,LFU")


def test_member_list() -> None:
    measurands = catalog.SampledDataCtrlr.TxUpdatedMeasurands
    assert measurands.parse("Energy.Active.Import.Register,SoC") == ("Energy.Active.Import.Register", "SoC")
    assert measurands.parse("") == ()
    # A set is formatted in values-list order, so the text is deterministic.
    assert measurands.format({"SoC", "Current.Import"}) == "Current.Import,SoC"
    with pytest.raises(NotInValuesListError):
        measurands.parse("Energy.Active.Import.Register,Bogus")
    with pytest.raises(InvalidValueError):
        measurands.parse("SoC,SoC")


def test_sequence_list_keeps_order() -> None:
    sources = catalog.ClockCtrlr.TimeSource
    assert sources.parse("NTP,Heartbeat") == ("NTP", "Heartbeat")
    assert sources.format(["GPS", "NTP"]) == "GPS,NTP"
    with pytest.raises(InvalidValueError):
        sources.format({"GPS", "NTP"})


def test_limits() -> None:
    level = catalog.MonitoringCtrlr.MonitoringLevel
    assert level.parse("9") == 9
    with pytest.raises(LimitViolationError) as info:
        level.parse("10")
    assert info.value.too_high and info.value.reason_code == "ValueOutOfRange"
    with pytest.raises(LimitViolationError) as low:
        level.format(-1)
    assert not low.value.too_high
    # For strings the limits bound the length (BasicAuthPassword: 16..40 characters).
    password = catalog.SecurityCtrlr.BasicAuthPassword
    password.parse("x" * 16)
    with pytest.raises(LimitViolationError):
        password.parse("short")
    with pytest.raises(LimitViolationError):
        password.parse("x" * 41)


def test_check_write_refuses_read_only() -> None:
    with pytest.raises(ReadOnlyError) as info:
        catalog.SecurityCtrlr.SecurityProfile.check_write("2")
    assert info.value.reason_code == "ReadOnly"
    assert catalog.OCPPCommCtrlr.OfflineThreshold.check_write("200") == "200"
    # Unstated mutability falls back to OCPP's default for an omitted one: ReadWrite.
    assert spec(DataType.INTEGER).effective_mutability is Mutability.READ_WRITE


def test_round_trip_every_catalogued_list_value() -> None:
    for item in catalog.CATALOG:
        if item.data_type is DataType.OPTION_LIST and item.values_list:
            assert item.parse(item.format(item.values_list[0])) == item.values_list[0]
        if item.data_type in (DataType.MEMBER_LIST, DataType.SEQUENCE_LIST) and item.values_list:
            assert item.parse(item.format(item.values_list)) == item.values_list
