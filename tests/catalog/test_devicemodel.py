"""DeviceModel get/set/report semantics, driven in-process through the JSON payload codec.

Every request is encoded and decoded the way it crosses the wire (so customData takes its wire
shape) and every response is decoded back as the CSMS would see it. The end-to-end version over a
real station connection lives with the station runtime (see docs/catalog.md).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from msgspec import UNSET

from ocppwire.devicemodel import (
    DeviceModel,
    DeviceModelHandlers,
    Mutability,
    ReadOnlyError,
    attach,
    component_type,
    component_variable,
    get_variable_data,
    send_notify_reports,
    set_variable_data,
    variable_type,
)
from ocppwire.runtime import payload
from ocppwire.runtime.customdata import GenericCustomData
from ocppwire.devicemodel.spec import DataType, VariableSpec
from ocppwire.runtime.errors import OccurrenceConstraintViolationError
from ocppwire.v201 import catalog as c
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

T = TypeVar("T")
NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)
OCTT = GenericCustomData("com.openchargealliance.octt", {"note": "TC_P_03", "level": 3})


def wire(obj: Any, tp: type[T]) -> T:
    """What the other side decodes: encode to JSON bytes and decode as ``tp``."""
    return payload.decode(tp, payload.encode(obj))


def station_model(items_per_message: int = 25) -> DeviceModel:
    dm = DeviceModel(items_per_message=items_per_message, clock=lambda: NOW)
    dm.add(c.OCPPCommCtrlr.HeartbeatInterval, 300)
    dm.add(c.OCPPCommCtrlr.OfflineThreshold, 60)
    dm.add(c.OCPPCommCtrlr.FileTransferProtocols, ["HTTPS", "FTPS"])
    dm.add(c.SecurityCtrlr.SecurityProfile, 2)
    dm.add(c.SecurityCtrlr.BasicAuthPassword)  # WriteOnly: no value to report
    dm.add(c.AuthCacheCtrlr.Policy, "LRU")
    dm.add(c.SampledDataCtrlr.TxUpdatedMeasurands, ["Energy.Active.Import.Register"])
    dm.add(c.MonitoringCtrlr.MonitoringLevel, 5)
    dm.add(c.DeviceDataCtrlr.ItemsPerMessage_GetVariables, 10)
    dm.add(c.DeviceDataCtrlr.ItemsPerMessage_SetVariables, 10)
    dm.add(c.DeviceDataCtrlr.ItemsPerMessage_GetReport, 4)
    dm.add(c.ChargingStation.AvailabilityState, "Available")
    dm.add(c.ChargingStation.Available, True)
    for evse in (1, 2):
        dm.add(c.EVSE.AvailabilityState, "Available", evse=evse)
        dm.add(c.EVSE.Power, 22000.0, evse=evse, attributes={e.AttributeEnumType.MAX_SET: 22000.0})
        dm.add(c.Connector.ConnectorType, "cType2", evse=evse, connector=1)
    return dm


def set_vars(dm: DeviceModel, *items: t.SetVariableDataType, custom: Any = None) -> list[t.SetVariableResultType]:
    req = m.SetVariablesRequest(set_variable_data=list(items), custom_data=custom if custom is not None else UNSET)
    res = dm.set_variables(wire(req, m.SetVariablesRequest))
    return wire(res, m.SetVariablesResponse).set_variable_result


def get_vars(dm: DeviceModel, *items: t.GetVariableDataType) -> list[t.GetVariableResultType]:
    res = dm.get_variables(wire(m.GetVariablesRequest(get_variable_data=list(items)), m.GetVariablesRequest))
    return wire(res, m.GetVariablesResponse).get_variable_result


# ---- TC_P_03-style set then get ------------------------------------------------------------------


def test_set_then_get_offline_threshold_with_custom_data() -> None:
    dm = station_model()
    seen: list[Any] = []
    dm.on_change(lambda event: seen.append((event.variable.spec.path, event.old, event.new, event.custom_data)))
    item = set_variable_data(c.OCPPCommCtrlr.OfflineThreshold, 200, custom_data=OCTT)
    [result] = set_vars(dm, item, custom=OCTT)
    assert result.attribute_status is e.SetVariableStatusEnumType.ACCEPTED
    assert result.component.name == "OCPPCommCtrlr" and result.variable.name == "OfflineThreshold"
    assert seen == [("OCPPCommCtrlr.OfflineThreshold", "60", "200", OCTT)]

    [got] = get_vars(dm, get_variable_data(c.OCPPCommCtrlr.OfflineThreshold, custom_data=OCTT))
    assert got.attribute_status is e.GetVariableStatusEnumType.ACCEPTED
    assert got.attribute_value == "200"
    assert dm.get(c.OCPPCommCtrlr.OfflineThreshold) == 200


def test_names_match_case_insensitively() -> None:
    dm = station_model()
    item = t.GetVariableDataType(
        component=t.ComponentType(name="ocppcommctrlr"), variable=t.VariableType(name="HEARTBEATINTERVAL")
    )
    [got] = get_vars(dm, item)
    assert got.attribute_status is e.GetVariableStatusEnumType.ACCEPTED and got.attribute_value == "300"


# ---- rejections ----------------------------------------------------------------------------------


def test_write_to_read_only_is_rejected() -> None:
    dm = station_model()
    with pytest.raises(ReadOnlyError):  # the CSMS-side helper refuses it up front ...
        set_variable_data(c.SecurityCtrlr.SecurityProfile, 3)
    item = set_variable_data(c.SecurityCtrlr.SecurityProfile, 3, check=False)  # ... unless told not to check
    [result] = set_vars(dm, item)
    assert result.attribute_status is e.SetVariableStatusEnumType.REJECTED
    assert result.attribute_status_info is not None and result.attribute_status_info.reason_code == "ReadOnly"
    assert dm.get(c.SecurityCtrlr.SecurityProfile) == 2


def test_invalid_values_are_rejected_with_reason_codes() -> None:
    dm = station_model()
    results = set_vars(
        dm,
        set_variable_data(c.AuthCacheCtrlr.Policy, "MRU", check=False),
        set_variable_data(c.MonitoringCtrlr.MonitoringLevel, 12, check=False),
        set_variable_data(c.OCPPCommCtrlr.HeartbeatInterval, "soon", check=False),
        set_variable_data(c.OCPPCommCtrlr.HeartbeatInterval, 120),
    )
    statuses = [(r.attribute_status, getattr(r.attribute_status_info, "reason_code", None)) for r in results]
    assert statuses == [
        (e.SetVariableStatusEnumType.REJECTED, "InvalidValue"),
        (e.SetVariableStatusEnumType.REJECTED, "ValueOutOfRange"),
        (e.SetVariableStatusEnumType.REJECTED, "InvalidValue"),
        (e.SetVariableStatusEnumType.ACCEPTED, None),
    ]
    assert dm.get(c.MonitoringCtrlr.MonitoringLevel) == 5 and dm.get(c.OCPPCommCtrlr.HeartbeatInterval) == 120


def test_unknown_component_and_unknown_variable() -> None:
    dm = station_model()
    unknown_component = t.GetVariableDataType(
        component=t.ComponentType(name="FluxCapacitor"), variable=t.VariableType(name="Enabled")
    )
    unknown_variable = t.GetVariableDataType(
        component=component_type(c.OCPPCommCtrlr.HeartbeatInterval), variable=t.VariableType(name="WarpFactor")
    )
    # A component on an EVSE the station does not have is an unknown component too.
    missing_evse = get_variable_data(c.EVSE.AvailabilityState, evse=3)
    results = get_vars(dm, unknown_component, unknown_variable, missing_evse)
    assert [r.attribute_status for r in results] == [
        e.GetVariableStatusEnumType.UNKNOWN_COMPONENT,
        e.GetVariableStatusEnumType.UNKNOWN_VARIABLE,
        e.GetVariableStatusEnumType.UNKNOWN_COMPONENT,
    ]
    [set_result] = set_vars(
        dm,
        t.SetVariableDataType(
            component=t.ComponentType(name="OCPPCommCtrlr"), variable=t.VariableType(name="WarpFactor"), attribute_value="9"
        ),
    )
    assert set_result.attribute_status is e.SetVariableStatusEnumType.UNKNOWN_VARIABLE


def test_unsupported_attribute_type() -> None:
    dm = station_model()
    [got] = get_vars(dm, get_variable_data(c.OCPPCommCtrlr.HeartbeatInterval, attribute_type=e.AttributeEnumType.TARGET))
    assert got.attribute_status is e.GetVariableStatusEnumType.NOT_SUPPORTED_ATTRIBUTE_TYPE
    assert got.attribute_type is e.AttributeEnumType.TARGET
    [max_set] = get_vars(dm, get_variable_data(c.EVSE.Power, evse=1, attribute_type=e.AttributeEnumType.MAX_SET))
    assert max_set.attribute_status is e.GetVariableStatusEnumType.ACCEPTED and max_set.attribute_value == "22000"
    [set_result] = set_vars(
        dm, set_variable_data(c.OCPPCommCtrlr.HeartbeatInterval, 10, attribute_type=e.AttributeEnumType.MIN_SET)
    )
    assert set_result.attribute_status is e.SetVariableStatusEnumType.NOT_SUPPORTED_ATTRIBUTE_TYPE


def test_write_only_variable() -> None:
    dm = station_model()
    [result] = set_vars(dm, set_variable_data(c.SecurityCtrlr.BasicAuthPassword, "s3cret-s3cret-s3cret"))
    assert result.attribute_status is e.SetVariableStatusEnumType.ACCEPTED
    [got] = get_vars(dm, get_variable_data(c.SecurityCtrlr.BasicAuthPassword))
    assert got.attribute_status is e.GetVariableStatusEnumType.REJECTED
    assert got.attribute_status_info is not None and got.attribute_status_info.reason_code == "WriteOnly"
    assert got.attribute_value is UNSET


def test_too_many_items_is_an_occurrence_constraint_violation() -> None:
    dm = station_model()
    items = [get_variable_data(c.OCPPCommCtrlr.HeartbeatInterval)] * 11
    with pytest.raises(OccurrenceConstraintViolationError):
        dm.get_variables(m.GetVariablesRequest(get_variable_data=items))


def test_reboot_required_and_vendor_variables() -> None:
    dm = DeviceModel()
    fan = VariableSpec(
        component="AcmeCtrlr", variable="FanMode", data_type=DataType.OPTION_LIST, values_list=("auto", "on", "off")
    )
    dm.add(fan, "auto", reboot_required=True)
    dm.add(c.OCPPCommCtrlr.HeartbeatInterval, 300, mutability=Mutability.READ_ONLY, max_limit=3600)
    [result] = set_vars(dm, set_variable_data(fan, "on"))
    assert result.attribute_status is e.SetVariableStatusEnumType.REBOOT_REQUIRED
    assert dm.get(fan) == "auto" and dm.pending(fan) == "on"  # takes effect at the next start
    [ro] = set_vars(dm, set_variable_data(c.OCPPCommCtrlr.HeartbeatInterval, 60))
    assert ro.attribute_status is e.SetVariableStatusEnumType.REJECTED
    with pytest.raises(ValueError, match="placeholder"):
        dm.add(c.CustomizationCtrlr.CustomImplementationEnabled, True)
    dm.add(c.CustomizationCtrlr.CustomImplementationEnabled.with_instance("com.acme"), True)
    assert dm.get(c.CATALOG.lookup("CustomizationCtrlr", "CustomImplementationEnabled", "com.acme")) is True  # type: ignore[arg-type]


def test_add_many_per_evse() -> None:
    dm = DeviceModel()
    dm.add_many({c.EVSE.AvailabilityState: "Available", c.EVSE.Power: 11000.0}, evse=1)
    assert dm.get(c.EVSE.Power, evse=1) == 11000.0
    assert dm.find(c.EVSE.Power) is None  # not station-wide
    with pytest.raises(ValueError, match="already in the device model"):
        dm.add(c.EVSE.Power, 1.0, evse=1)
    with pytest.raises(ValueError):
        dm.add(c.EVSE.AvailabilityState, "Sleeping", evse=2)  # not in the values list


def test_missing_required() -> None:
    dm = station_model()
    missing = dm.missing_required(c.OCPPCommCtrlr.VARIABLES)
    assert c.OCPPCommCtrlr.OfflineThreshold not in missing
    assert c.OCPPCommCtrlr.MessageTimeout_Default in missing
    assert c.OCPPCommCtrlr.HeartbeatInterval not in missing  # not required anyway


# ---- reports -------------------------------------------------------------------------------------


class FakeCsms:
    """Stands in for the station's CSMS client: records each NotifyReport as it would arrive."""

    def __init__(self) -> None:
        self.received: list[m.NotifyReportRequest] = []

    async def notify_report(self, req: m.NotifyReportRequest) -> m.NotifyReportResponse:
        self.received.append(wire(req, m.NotifyReportRequest))
        return m.NotifyReportResponse()


class Station(DeviceModelHandlers):
    """A station handler with the device model plugged in by the mixin."""

    def __init__(self, dm: DeviceModel) -> None:
        self.device_model = dm


async def test_full_base_report_over_several_notify_reports() -> None:
    dm = station_model(items_per_message=4)
    csms = FakeCsms()
    station = Station(dm)
    req = wire(m.GetBaseReportRequest(request_id=7, report_base=e.ReportBaseEnumType.FULL_INVENTORY), m.GetBaseReportRequest)
    response = await station.get_base_report(csms, req)
    assert response.status is e.GenericDeviceModelStatusEnumType.ACCEPTED
    await _drain(dm)
    total = len(dm)
    assert total == 19
    assert [r.seq_no for r in csms.received] == [0, 1, 2, 3, 4]
    assert [r.tbc for r in csms.received] == [True, True, True, True, False]
    assert {r.request_id for r in csms.received} == {7}
    assert all(r.generated_at == NOW for r in csms.received)
    items = [item for r in csms.received for item in (r.report_data or [])]
    assert [len(r.report_data or []) for r in csms.received] == [4, 4, 4, 4, 3]
    assert len(items) == total
    by_path = {(i.component.name, getattr(i.component.evse, "id", None), i.variable.name, i.variable.instance): i for i in items}
    heartbeat = by_path[("OCPPCommCtrlr", None, "HeartbeatInterval", UNSET)]
    [attr] = heartbeat.variable_attribute
    assert (attr.type, attr.value, attr.mutability) == (e.AttributeEnumType.ACTUAL, "300", e.MutabilityEnumType.READ_WRITE)
    chars = heartbeat.variable_characteristics
    assert chars is not UNSET and chars.data_type is e.DataEnumType.INTEGER and chars.unit == "s"
    password = by_path[("SecurityCtrlr", None, "BasicAuthPassword", UNSET)]
    assert password.variable_attribute[0].value is UNSET
    power = by_path[("EVSE", 1, "Power", UNSET)]
    assert [a.type for a in power.variable_attribute] == [e.AttributeEnumType.ACTUAL, e.AttributeEnumType.MAX_SET]
    measurands = by_path[("SampledDataCtrlr", None, "TxUpdatedMeasurands", UNSET)]
    assert measurands.variable_characteristics.values_list.startswith("Current.Export,")  # type: ignore[union-attr]


async def test_configuration_inventory_and_summary() -> None:
    dm = station_model()
    response, items = dm.base_report(m.GetBaseReportRequest(request_id=1, report_base=e.ReportBaseEnumType.CONFIGURATION_INVENTORY))
    assert response.status is e.GenericDeviceModelStatusEnumType.ACCEPTED
    assert all(a.mutability is not e.MutabilityEnumType.READ_ONLY for i in items for a in i.variable_attribute)
    assert {i.variable.name for i in items} >= {"HeartbeatInterval", "BasicAuthPassword"}
    assert "SecurityProfile" not in {i.variable.name for i in items}
    summary_request = m.GetBaseReportRequest(request_id=2, report_base=e.ReportBaseEnumType.SUMMARY_INVENTORY)
    summary, states = dm.base_report(summary_request)
    assert summary.status is e.GenericDeviceModelStatusEnumType.ACCEPTED and states
    assert {i.variable.name for i in states} <= {"AvailabilityState", "Available", "Enabled", "Problem"}
    # a component with Problem=true is reported whole
    dm.add(c.EVSE.Problem, True, evse=2)
    _, states = dm.base_report(summary_request)
    assert ("Power", 2) in {(i.variable.name, i.component.evse.id) for i in states if i.component.evse}  # type: ignore[union-attr]


async def test_get_report_filters() -> None:
    dm = station_model()
    csms = FakeCsms()
    station = Station(dm)
    # A whole component on every EVSE, plus one variable.
    req = m.GetReportRequest(
        request_id=3,
        component_variable=[
            component_variable("EVSE"),
            component_variable(c.OCPPCommCtrlr.OfflineThreshold),
        ],
    )
    response = await station.get_report(csms, wire(req, m.GetReportRequest))
    assert response.status is e.GenericDeviceModelStatusEnumType.ACCEPTED
    await _drain(dm)
    names = sorted((i.component.name, i.variable.name) for r in csms.received for i in (r.report_data or []))
    assert names == sorted([("EVSE", "AvailabilityState")] * 2 + [("EVSE", "Power")] * 2 + [("OCPPCommCtrlr", "OfflineThreshold")])
    # One EVSE only.
    _, items = dm.report(m.GetReportRequest(request_id=4, component_variable=[component_variable("EVSE", evse=2)]))
    assert {getattr(i.component.evse, "id", None) for i in items} == {2}
    # Criteria: only components whose Available variable is true.
    _, available = dm.report(m.GetReportRequest(request_id=5, component_criteria=[e.ComponentCriterionEnumType.AVAILABLE]))
    assert {i.component.name for i in available} == {"ChargingStation"}
    # Nothing matches: EmptyResultSet and no NotifyReport.
    empty, none = dm.report(m.GetReportRequest(request_id=6, component_variable=[component_variable("FluxCapacitor")]))
    assert empty.status is e.GenericDeviceModelStatusEnumType.EMPTY_RESULT_SET and none == []
    # More filters than ItemsPerMessage[GetReport] (4) allows.
    with pytest.raises(OccurrenceConstraintViolationError):
        dm.report(m.GetReportRequest(request_id=7, component_variable=[component_variable("EVSE")] * 5))


async def test_attach_and_send_function() -> None:
    dm = station_model(items_per_message=100)

    class Plain:
        async def get_variables(self, csms: Any, req: m.GetVariablesRequest) -> m.GetVariablesResponse:
            raise NotImplementedError

    handler = attach(Plain(), dm)
    # Dispatch goes through the class, as the station runtime does.
    assert type(handler).get_variables is DeviceModelHandlers.get_variables and isinstance(handler, Plain)
    res = await type(handler).get_variables(handler, None, m.GetVariablesRequest(get_variable_data=[get_variable_data(c.OCPPCommCtrlr.HeartbeatInterval)]))
    assert res.get_variable_result[0].attribute_value == "300"
    assert type(attach(Plain(), dm)) is type(handler)  # one cached subclass per class
    csms = FakeCsms()
    _, items = dm.base_report(m.GetBaseReportRequest(request_id=9, report_base=e.ReportBaseEnumType.FULL_INVENTORY))
    responses = await send_notify_reports(csms, dm.notify_reports(9, items))
    assert len(responses) == 1 and csms.received[0].tbc is False and csms.received[0].seq_no == 0


def test_message_part_helpers() -> None:
    item = set_variable_data(c.SampledDataCtrlr.TxUpdatedMeasurands, {"SoC", "Current.Import"}, evse=None)
    assert item.attribute_value == "Current.Import,SoC"
    comp = component_type(c.Connector.ConnectorType, evse=1, connector=2)
    assert payload.to_builtins(comp) == {"name": "Connector", "evse": {"id": 1, "connectorId": 2}}
    assert payload.to_builtins(variable_type(c.DeviceDataCtrlr.ItemsPerMessage_GetReport)) == {
        "name": "ItemsPerMessage",
        "instance": "GetReport",
    }
    with pytest.raises(ValueError, match="placeholder"):
        variable_type(c.CustomizationCtrlr.CustomImplementationEnabled)


async def _drain(dm: DeviceModel) -> None:
    while dm.report_tasks:
        await asyncio.gather(*list(dm.report_tasks))
