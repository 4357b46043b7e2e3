"""User code wiring the DeviceModel into a station handler; mypy --strict must accept it.

``ChargingStationHandler`` / ``CsmsClient`` below have the shape the generated station stubs
(``ocppwire.v201.station``) are specified to have, so the one-line wiring is type-checked before
those stubs land.
"""

from __future__ import annotations

from ocppwire.devicemodel import DeviceModel, DeviceModelHandlers, get_variable_data, set_variable_data
from ocppwire.runtime.devicemodel_spec import AttributeValue, VariableSpec
from ocppwire.v201 import catalog
from ocppwire.v201 import messages as m


class CsmsClient:
    async def notify_report(self, req: m.NotifyReportRequest) -> m.NotifyReportResponse:
        return m.NotifyReportResponse()


class ChargingStationHandler:
    async def get_variables(self, csms: CsmsClient, req: m.GetVariablesRequest) -> m.GetVariablesResponse:
        raise NotImplementedError

    async def set_variables(self, csms: CsmsClient, req: m.SetVariablesRequest) -> m.SetVariablesResponse:
        raise NotImplementedError

    async def get_base_report(self, csms: CsmsClient, req: m.GetBaseReportRequest) -> m.GetBaseReportResponse:
        raise NotImplementedError

    async def get_report(self, csms: CsmsClient, req: m.GetReportRequest) -> m.GetReportResponse:
        raise NotImplementedError


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
    return len(res.get_variable_result)
