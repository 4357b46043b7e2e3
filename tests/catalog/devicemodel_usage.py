"""User code wiring the DeviceModel into the generated station handler; mypy --strict must accept it."""

from __future__ import annotations

from ocppwire.devicemodel import (
    DeviceModel,
    DeviceModelHandlers,
    get_variable_data,
    send_notify_reports,
    set_variable_data,
)
from ocppwire.devicemodel.spec import AttributeValue, VariableSpec
from ocppwire.v201 import catalog, enums
from ocppwire.v201 import messages as m
from ocppwire.v201.station import ChargingStationHandler, CsmsClient


class MyStation(DeviceModelHandlers, ChargingStationHandler):
    def __init__(self, dm: DeviceModel) -> None:
        self.device_model = dm


async def use(csms: CsmsClient) -> int:
    dm = DeviceModel(items_per_message=10)
    dm.add(catalog.OCPPCommCtrlr.HeartbeatInterval, 300)
    spec: VariableSpec = catalog.OCPPCommCtrlr.OfflineThreshold
    dm.add(spec, 60)
    station = MyStation(dm)
    req = m.SetVariablesRequest(set_variable_data=[set_variable_data(spec, 200)])
    await station.set_variables(csms, req)
    res = await station.get_variables(csms, m.GetVariablesRequest(get_variable_data=[get_variable_data(spec)]))
    value: AttributeValue = dm.get(spec)
    critical: bool = catalog.SecurityEvent.FIRMWARE_UPDATED.critical
    del value, critical
    _, items = dm.base_report(m.GetBaseReportRequest(request_id=1, report_base=enums.ReportBaseEnumType.FULL_INVENTORY))
    await send_notify_reports(csms, dm.notify_reports(1, items))  # the generated CsmsClient fits the protocol
    return len(res.get_variable_result)
