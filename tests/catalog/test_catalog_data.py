"""The committed catalogue matches the reference counts and carries the 2.0.1 names and decisions."""

from __future__ import annotations

import pytest

from ocppgen.catalog import read_catalog
from ocppwire.devicemodel.spec import ComponentKind, DataType, Mutability
from ocppwire.v201 import catalog
from ocppwire.v201 import enums as e

from ..conftest import SCHEMAS


def test_counts_match_the_reference() -> None:
    assert len(catalog.COMPONENTS) == 74
    assert len(catalog.ControllerComponent) == 18
    assert len(catalog.PhysicalComponent) == 56
    assert len(catalog.CATALOG) >= 470
    assert len(catalog.SecurityEvent) == 20
    assert sum(event.critical for event in catalog.SecurityEvent) == 15
    assert len(catalog.ReasonCode) == 43
    assert len(catalog.UnitOfMeasure) == 33
    assert len(catalog.GENERIC_VARIABLES) == 91


def test_generator_reads_the_same_counts() -> None:
    data = read_catalog(SCHEMAS)
    assert len(data.components) == 74
    assert data.variable_count == len(catalog.CATALOG)
    assert sum(e.critical for e in data.security_events) == 15


@pytest.mark.parametrize(
    ("component", "variable"),
    [
        ("ChargingStation", "VendorName"),
        ("ClockCtrlr", "NtpServerUri"),
        ("SampledDataCtrlr", "SignReadings"),
        ("AlignedDataCtrlr", "SignReadings"),
        ("AuthCtrlr", "AdditionalInfoItemsPerMessage"),
        ("TxCtrlr", "TxBeforeAcceptedEnabled"),
        ("EVSE", "AllowReset"),
        ("EVSE", "AvailabilityState"),
        ("Connector", "AvailabilityState"),
        ("OCPPCommCtrlr", "OfflineThreshold"),
        ("SecurityCtrlr", "BasicAuthPassword"),
    ],
)
def test_renamed_and_added_names_are_present(component: str, variable: str) -> None:
    spec = catalog.CATALOG.lookup(component, variable)
    assert spec is not None, f"{component}.{variable}"
    assert spec.component == component and spec.variable == variable


def test_naming_facts() -> None:
    assert catalog.CATALOG.lookup("TxCtrlr", "ChargingBeforeAcceptedEnabled") is None
    assert catalog.ReasonCode.MISSING_DEV_MODEL_INFO == "MissingDevModelInfo"
    assert "MissingDeviceModelInfo" not in {r.value for r in catalog.ReasonCode}
    # StatusInfo.reasonCode has maxLength 20: every standardized code fits.
    assert max(len(r.value) for r in catalog.ReasonCode) <= 20


def test_typed_constants() -> None:
    spec = catalog.OCPPCommCtrlr.HeartbeatInterval
    assert (spec.component, spec.variable, spec.instance) == ("OCPPCommCtrlr", "HeartbeatInterval", None)
    assert spec.data_type is DataType.INTEGER
    assert spec.unit == "s"
    assert spec.mutability is Mutability.READ_WRITE
    assert spec.component_kind is ComponentKind.CONTROLLER
    assert catalog.OCPPCommCtrlr.NAME == "OCPPCommCtrlr"
    assert spec in catalog.OCPPCommCtrlr.VARIABLES
    inst = catalog.DeviceDataCtrlr.ItemsPerMessage_GetReport
    assert (inst.variable, inst.instance) == ("ItemsPerMessage", "GetReport")
    with pytest.raises(AttributeError):
        spec.variable = "Other"  # type: ignore[misc]


def test_enums_and_flags() -> None:
    assert catalog.SecurityEvent.FIRMWARE_UPDATED.critical is True
    assert catalog.SecurityEvent.INVALID_MESSAGES.critical is False
    assert catalog.SecurityEvent("FirmwareUpdated") is catalog.SecurityEvent.FIRMWARE_UPDATED
    assert catalog.ControllerComponent.OCPP_COMM_CTRLR == "OCPPCommCtrlr"
    assert catalog.PhysicalComponent.EVSE == "EVSE"
    assert catalog.UnitOfMeasure.kWh == "kWh"
    assert catalog.UNIT_QUANTITIES[catalog.UnitOfMeasure.kWh] == "active energy"
    assert "SetVariables" in catalog.REASON_CODE_USAGE[catalog.ReasonCode.READ_ONLY]


def test_case_insensitive_lookup_and_placeholders() -> None:
    assert catalog.CATALOG.lookup("ocppcommctrlr", "HEARTBEATINTERVAL") is catalog.OCPPCommCtrlr.HeartbeatInterval
    spec = catalog.CATALOG.lookup("CustomizationCtrlr", "CustomImplementationEnabled", "org.acme")
    assert spec is not None and spec.instance == "org.acme" and not spec.instance_is_placeholder
    assert catalog.CustomizationCtrlr.CustomImplementationEnabled.instance_is_placeholder
    assert catalog.CATALOG.generic("power") is not None
    assert catalog.CATALOG.component("evse") is catalog.EVSE.SPEC


def test_decisions_follow_the_schemas() -> None:
    measurands = tuple(v.value for v in e.MeasurandEnumType)
    for spec in (
        catalog.AlignedDataCtrlr.Measurands,
        catalog.AlignedDataCtrlr.TxEndedMeasurands,
        catalog.SampledDataCtrlr.TxStartedMeasurands,
        catalog.SampledDataCtrlr.TxUpdatedMeasurands,
        catalog.SampledDataCtrlr.TxEndedMeasurands,
    ):
        assert spec.values_list == measurands, spec.path
    assert catalog.MonitoringCtrlr.ActiveMonitoringBase.values_list == tuple(v.value for v in e.MonitoringBaseEnumType)
    assert catalog.ISO15118Ctrlr.RequestedEnergyTransferMode.values_list == tuple(
        v.value for v in e.EnergyTransferModeEnumType
    )
    assert set(catalog.TxCtrlr.TxStartPoint.values_list) == {
        "Authorized", "DataSigned", "EnergyTransfer", "EVConnected", "ParkingBayOccupancy", "PowerPathClosed"
    }
    assert catalog.SecurityCtrlr.BasicAuthPassword.data_type is DataType.STRING
    assert catalog.SecurityCtrlr.BasicAuthPassword.mutability is Mutability.WRITE_ONLY
    assert catalog.OCPPCommCtrlr.ActiveNetworkProfile.data_type is DataType.INTEGER
    assert catalog.EVSE.Power.units == ("W", "kW")
    # Every data type is one of OCPP's DataEnumType values.
    assert {s.data_type.value for s in catalog.CATALOG} <= {d.value for d in e.DataEnumType}
    # Every unit used is a standardized unit.
    units = {u.value for u in catalog.UnitOfMeasure}
    assert {u for s in catalog.CATALOG for u in s.units} <= units
