"""The committed 2.1 catalogue matches the OCA's Appendices_CSV_v2.1 export and the README's decisions."""

from __future__ import annotations

from ocppgen.catalog import read_catalog
from ocppwire.devicemodel.spec import ComponentKind, DataType
from ocppwire.v21 import catalog

from ..conftest import ROOT

SCHEMAS = ROOT / "schemas" / "v21"


def test_counts_match_the_export() -> None:
    # dm_components_vars.csv: 438 rows = 74 <generic> + 364 component rows, 5 of them merged (attribute rows).
    assert len(catalog.COMPONENTS) == 36
    assert len(catalog.ControllerComponent) == 24
    assert len(catalog.PhysicalComponent) == 12
    assert len(catalog.CATALOG) == 359
    assert len(catalog.GENERIC_VARIABLES) == 74
    assert len(catalog.SecurityEvent) == 21
    assert sum(event.critical for event in catalog.SecurityEvent) == 16
    assert len(catalog.ReasonCode) == 62
    assert len(catalog.UnitOfMeasure) == 34
    # The export marks 122 rows "yes" in Required?, across 23 components; merging kept every one.
    required = [s for s in catalog.CATALOG if s.required]
    assert len(required) == 122 and len({s.component for s in required}) == 23


def test_generator_reads_the_same_counts() -> None:
    data = read_catalog(SCHEMAS)
    assert len(data.components) == 36
    assert data.variable_count == len(catalog.CATALOG)


def test_new_in_21() -> None:
    for name in (
        "V2XChargingCtrlr",
        "BatterySwapCtrlr",
        "PaymentCtrlr",
        "WebPaymentsCtrlr",
        "ACDERCtrlr",
        "DCDERCtrlr",
    ):
        assert catalog.CATALOG.component(name) is not None, name
        assert catalog.ControllerComponent(name) == name
    assert catalog.NetworkConfiguration.SPEC.kind is ComponentKind.PHYSICAL
    assert catalog.SecurityEvent.MAINTENANCE_LOGIN_FAILED.critical is True
    assert catalog.UnitOfMeasure.mHz == "mHz"
    assert catalog.UNIT_QUANTITIES[catalog.UnitOfMeasure.mHz] == "frequency"
    assert catalog.REASON_CODE_USAGE[catalog.ReasonCode("NoBatteryAvailable")] == ("BatterySwap", "RequestBatterySwap")


def test_decisions_on_the_exports_spelling() -> None:
    # TxCtlrl (one row's misspelling) is TxCtrlr.
    assert catalog.CATALOG.component("TxCtlrl") is None
    assert catalog.TxCtrlr.EnergyTransferResumptionRandomRange.units == ("s",)
    # Attribute notation in the name cell: one variable per name.
    assert catalog.CATALOG.lookup("ConnectedEV", "EnergyImport(MaxSet)") is None
    assert catalog.ConnectedEV.EnergyImport.units == ("Wh",)
    # DCCurrent(Target) says V in the export; a current is in A like its Min/MaxSet row.
    assert catalog.ConnectedEV.DCCurrent.units == ("A",)
    # DateTime -> dateTime; passwordString / identifierString -> string.
    assert catalog.ClockCtrlr.DateTime.data_type is DataType.DATE_TIME
    assert catalog.SecurityCtrlr.BasicAuthPassword.data_type is DataType.STRING
    assert catalog.SecurityCtrlr.Identity.data_type is DataType.STRING
    # % -> Percent, Var -> var.
    assert catalog.ConnectedEV.StateOfCharge.units == ("Percent",)
    assert {u for s in catalog.CATALOG for u in s.units} >= {"Percent", "var"}
    # Empty data type: variables.csv's type for the name.
    assert catalog.SampledDataCtrlr.SignStartedReadings.data_type is DataType.BOOLEAN
    # "1, 2 .. 20" is a numbered instance: a placeholder.
    assert catalog.ISO15118Ctrlr.ProtocolSupported.instance == "<n>"
    # Required? "V2X" or empty: not stated.
    assert catalog.ConnectedEV.VehicleID.required is None
    assert catalog.SampledDataCtrlr.SignStartedReadings.required is None
    # Usage naming no 2.1 action is left out.
    assert catalog.REASON_CODE_USAGE[catalog.ReasonCode("TxNotFound")] == (
        "RequestStopTransaction",
        "SetChargingProfile",
    )
    assert catalog.REASON_CODE_USAGE[catalog.ReasonCode("InvalidNetworkConf")] == ("SetVariables", "SetNetworkProfile")


def test_facts_are_the_exports_not_the_201_decisions() -> None:
    # No mutability, limits or value lists: the export states none (the 2.0.1 catalogue took them elsewhere).
    assert all(s.mutability is None and s.min_limit is None and s.max_limit is None for s in catalog.CATALOG)
    assert all(not s.values_list and not s.known_values for s in catalog.CATALOG)
    assert catalog.OCPPCommCtrlr.HeartbeatInterval.required is False
    assert catalog.AuthCtrlr.AuthorizeRemoteStart.required is True
