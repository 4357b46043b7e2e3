"""The DeviceModel behind a real station connection: a CSMS on a loopback socket drives it.

Covers the issue's "done when" list over the wire: SetVariables then GetVariables of
OCPPCommCtrlr.OfflineThreshold = 200 with customData attached (as in OCTT TC_P_03), a write to a
ReadOnly variable (Rejected), an unknown component, an unknown variable, an unsupported attribute
type, and a full base report spread over several NotifyReport messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ocppwire.devicemodel import DeviceModel, DeviceModelHandlers, get_variable_data, set_variable_data
from ocppwire.runtime.customdata import GenericCustomData
from ocppwire.v201 import catalog as c
from ocppwire.v201 import csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import station
from ocppwire.v201 import types as t

OCTT = GenericCustomData("com.openchargealliance.octt", {"testCase": "TC_P_03", "n": 1})
S = e.SetVariableStatusEnumType
G = e.GetVariableStatusEnumType


class Csms(csms.CsmsHandler):
    def __init__(self) -> None:
        self.reports: list[m.NotifyReportRequest] = []
        self.report_done = asyncio.Event()

    async def notify_report(self, cs: csms.ChargingStationClient, req: m.NotifyReportRequest) -> m.NotifyReportResponse:
        self.reports.append(req)
        if not req.tbc:
            self.report_done.set()
        return m.NotifyReportResponse()


class Station(DeviceModelHandlers, station.ChargingStationHandler):
    """The one-line wiring: the mixin answers the device-model actions from ``self.device_model``."""

    def __init__(self, dm: DeviceModel) -> None:
        self.device_model = dm


def device_model() -> DeviceModel:
    dm = DeviceModel(items_per_message=3)
    dm.add_many(
        {
            c.OCPPCommCtrlr.HeartbeatInterval: 300,
            c.OCPPCommCtrlr.OfflineThreshold: 60,
            c.OCPPCommCtrlr.FileTransferProtocols: ["HTTPS"],
            c.SecurityCtrlr.SecurityProfile: 2,
            c.AuthCtrlr.AuthorizeRemoteStart: True,
            c.TxCtrlr.TxBeforeAcceptedEnabled: False,
            c.ChargingStation.AvailabilityState: "Available",
        }
    )
    dm.add_many({c.EVSE.AvailabilityState: "Available", c.EVSE.AllowReset: True}, evse=1)
    return dm


@pytest.fixture
async def link() -> AsyncIterator[tuple[csms.ChargingStationClient, Csms, DeviceModel]]:
    handler = Csms()
    server = await csms.serve(handler, "127.0.0.1", 0)
    dm = device_model()
    conn = await station.connect(
        server.url, identity="CS1", handler=Station(dm), options=station.ClientOptions(reconnect=False)
    )
    try:
        for _ in range(200):
            if "CS1" in server.stations:
                break
            await asyncio.sleep(0.01)
        yield server.stations["CS1"], handler, dm
    finally:
        await conn.close(grace=1)
        await server.close(grace=1)


async def test_set_then_get_with_custom_data_and_rejections(link: tuple[csms.ChargingStationClient, Csms, DeviceModel]) -> None:
    cs, _, dm = link
    res = await cs.set_variables(
        m.SetVariablesRequest(
            set_variable_data=[
                set_variable_data(c.OCPPCommCtrlr.OfflineThreshold, 200, custom_data=OCTT),
                set_variable_data(c.SecurityCtrlr.SecurityProfile, 3, check=False),
            ],
            custom_data=OCTT,
        )
    )
    assert [r.attribute_status for r in res.set_variable_result] == [S.ACCEPTED, S.REJECTED]
    info = res.set_variable_result[1].attribute_status_info
    assert isinstance(info, t.StatusInfoType) and info.reason_code == "ReadOnly"
    assert dm.get(c.OCPPCommCtrlr.OfflineThreshold) == 200

    got = await cs.get_variables(
        m.GetVariablesRequest(
            get_variable_data=[
                get_variable_data(c.OCPPCommCtrlr.OfflineThreshold, custom_data=OCTT),
                t.GetVariableDataType(component=t.ComponentType(name="FluxCapacitor"), variable=t.VariableType(name="Enabled")),
                t.GetVariableDataType(component=t.ComponentType(name="OCPPCommCtrlr"), variable=t.VariableType(name="WarpFactor")),
                get_variable_data(c.OCPPCommCtrlr.HeartbeatInterval, attribute_type=e.AttributeEnumType.TARGET),
            ],
            custom_data=OCTT,
        )
    )
    results = got.get_variable_result
    assert [r.attribute_status for r in results] == [
        G.ACCEPTED,
        G.UNKNOWN_COMPONENT,
        G.UNKNOWN_VARIABLE,
        G.NOT_SUPPORTED_ATTRIBUTE_TYPE,
    ]
    assert results[0].attribute_value == "200"


async def test_full_base_report_over_several_notify_reports(link: tuple[csms.ChargingStationClient, Csms, DeviceModel]) -> None:
    cs, handler, dm = link
    res = await cs.get_base_report(m.GetBaseReportRequest(request_id=42, report_base=e.ReportBaseEnumType.FULL_INVENTORY))
    assert res.status is e.GenericDeviceModelStatusEnumType.ACCEPTED
    await asyncio.wait_for(handler.report_done.wait(), 5)
    assert [r.seq_no for r in handler.reports] == [0, 1, 2]
    assert [bool(r.tbc) for r in handler.reports] == [True, True, False]
    assert {r.request_id for r in handler.reports} == {42}
    items = [i for r in handler.reports if isinstance(r.report_data, list) for i in r.report_data]
    assert len(items) == len(dm) == 9
    names = {(i.component.name, i.variable.name) for i in items}
    assert ("TxCtrlr", "TxBeforeAcceptedEnabled") in names and ("EVSE", "AllowReset") in names
