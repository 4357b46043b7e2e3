"""Plug a :class:`~ocppwire.devicemodel.store.DeviceModel` into a Charging Station handler.

The station role's handler answers each CSMS request with an async method taking the CSMS client
and the request and returning the response (``get_variables(self, csms, req)`` ...). The
:class:`DeviceModelHandlers` mixin implements the four device-model actions that way, so wiring is
one line — list it before the station base class::

    class MyStation(DeviceModelHandlers, station.ChargingStationHandler):
        device_model = build_device_model()

(or set ``self.device_model`` in ``__init__``). A report request is answered at once; the
NotifyReport sequence is sent afterwards by a background task through ``csms.notify_report``, as
B07/B08 require. :func:`send_notify_reports` does the sending and works with any object that has an
async ``notify_report(request)`` method, so it is usable without the mixin too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any, Protocol

from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from .monitoring import Monitoring
from .store import DeviceModel

__all__ = [
    "DeviceModelHandlers",
    "MonitoringHandlers",
    "NotifyReportSender",
    "attach",
    "send_notify_reports",
    "start_report",
]


class NotifyReportSender(Protocol):
    """Anything that can send a NotifyReportRequest to the CSMS and return its response."""

    def notify_report(self, req: m.NotifyReportRequest, /) -> Awaitable[m.NotifyReportResponse]: ...


async def send_notify_reports(
    csms: NotifyReportSender, requests: Iterable[m.NotifyReportRequest]
) -> list[m.NotifyReportResponse]:
    """Send NotifyReport requests one after another, each after the previous one was answered."""
    return [await csms.notify_report(request) for request in requests]


def start_report(
    model: DeviceModel, csms: NotifyReportSender, request_id: int, items: list[t.ReportDataType]
) -> asyncio.Task[list[m.NotifyReportResponse]]:
    """Send a report in the background; the task is kept in ``model.report_tasks`` until it ends.

    The task first yields to the event loop once, so the response to the report request goes out
    before the first NotifyReport.
    """

    async def run() -> list[m.NotifyReportResponse]:
        await asyncio.sleep(0)
        return await send_notify_reports(csms, model.notify_reports(request_id, items))

    task = asyncio.get_running_loop().create_task(run(), name=f"NotifyReport requestId={request_id}")
    model.report_tasks.add(task)
    task.add_done_callback(model.report_tasks.discard)
    return task


_ACCEPTED = e.GenericDeviceModelStatusEnumType.ACCEPTED


class DeviceModelHandlers:
    """Mixin answering GetVariables, SetVariables, GetBaseReport and GetReport from ``self.device_model``."""

    device_model: DeviceModel

    async def get_variables(self, csms: Any, req: m.GetVariablesRequest) -> m.GetVariablesResponse:
        return self.device_model.get_variables(req)

    async def set_variables(self, csms: Any, req: m.SetVariablesRequest) -> m.SetVariablesResponse:
        return self.device_model.set_variables(req)

    async def get_base_report(self, csms: Any, req: m.GetBaseReportRequest) -> m.GetBaseReportResponse:
        response, items = self.device_model.base_report(req)
        if response.status is _ACCEPTED:
            start_report(self.device_model, csms, req.request_id, items)
        return response

    async def get_report(self, csms: Any, req: m.GetReportRequest) -> m.GetReportResponse:
        response, items = self.device_model.report(req)
        if response.status is _ACCEPTED:
            start_report(self.device_model, csms, req.request_id, items)
        return response


class MonitoringHandlers:
    """Mixin answering the five monitoring actions from ``self.monitoring`` (a :class:`~.monitoring.Monitoring`).

    GetMonitoringReport is answered at once; the NotifyMonitoringReport sequence follows from a
    background task (kept in ``self.monitoring.report_tasks``), one message after the other.
    """

    monitoring: Monitoring

    async def set_variable_monitoring(
        self, csms: Any, req: m.SetVariableMonitoringRequest
    ) -> m.SetVariableMonitoringResponse:
        return self.monitoring.set_variable_monitoring(req)

    async def clear_variable_monitoring(
        self, csms: Any, req: m.ClearVariableMonitoringRequest
    ) -> m.ClearVariableMonitoringResponse:
        return self.monitoring.clear_variable_monitoring(req)

    async def set_monitoring_base(self, csms: Any, req: m.SetMonitoringBaseRequest) -> m.SetMonitoringBaseResponse:
        return self.monitoring.set_monitoring_base(req)

    async def set_monitoring_level(self, csms: Any, req: m.SetMonitoringLevelRequest) -> m.SetMonitoringLevelResponse:
        return self.monitoring.set_monitoring_level(req)

    async def get_monitoring_report(
        self, csms: Any, req: m.GetMonitoringReportRequest
    ) -> m.GetMonitoringReportResponse:
        response, items = self.monitoring.monitoring_report(req)
        if response.status is _ACCEPTED:
            monitoring = self.monitoring
            reports = monitoring.notify_monitoring_reports(req.request_id, items)

            async def run() -> list[m.NotifyMonitoringReportResponse]:
                await asyncio.sleep(0)  # the response goes out before the first report
                return [await csms.notify_monitoring_report(report) for report in reports]

            task = asyncio.get_running_loop().create_task(
                run(), name=f"NotifyMonitoringReport requestId={req.request_id}"
            )
            monitoring.report_tasks.add(task)
            task.add_done_callback(monitoring.report_tasks.discard)
        return response


_MIXED: dict[type[Any], type[Any]] = {}


def attach(handler: Any, model: DeviceModel) -> Any:
    """Make an existing handler instance answer the four device-model actions from ``model``.

    For a handler whose class you cannot change. The station runtime dispatches through the
    handler's *class* (an action counts as handled when the class overrides its method), so the
    instance is moved to a subclass that puts :class:`DeviceModelHandlers` first (one cached
    subclass per original class). Returns ``handler``. Subclassing with the mixin is the typed way.
    """
    cls = type(handler)
    if not isinstance(handler, DeviceModelHandlers):
        mixed = _MIXED.get(cls)
        if mixed is None:
            mixed = _MIXED[cls] = type(cls.__name__, (DeviceModelHandlers, cls), {"__module__": cls.__module__})
        handler.__class__ = mixed
    handler.device_model = model
    return handler
