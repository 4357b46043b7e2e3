"""Monitoring (N. Diagnostics): the requests, the monitor type / data type table, and exactly the NotifyEvents due."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from msgspec import UNSET

from ocppwire.devicemodel import (
    DataType,
    DeviceModel,
    DeviceModelHandlers,
    Monitoring,
    MonitoringHandlers,
    VariableSpec,
    send_through_outbox,
)
from ocppwire.devicemodel.parts import component_type, component_variable, variable_type
from ocppwire.outbox import Outbox
from ocppwire.runtime.errors import OccurrenceConstraintViolationError
from ocppwire.storage import StationStore
from ocppwire.v201 import catalog, csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

TEMPERATURE = VariableSpec(
    component="AcmeCooling", variable="Temperature", data_type=DataType.DECIMAL, units=("Celsius",)
)
DOOR_OPEN = VariableSpec(component="AcmeCabinet", variable="DoorOpen", data_type=DataType.BOOLEAN)
FIRMWARE = VariableSpec(component="AcmeCabinet", variable="Label", data_type=DataType.STRING)
NOW = datetime(2026, 12, 2, 6, 0, 0, tzinfo=UTC)
M = e.MonitorEnumType


def build(store: StationStore | None = None) -> tuple[DeviceModel, Monitoring, list[tuple[m.NotifyEventRequest, int]]]:
    model = DeviceModel(store=store, clock=lambda: NOW)
    model.add(TEMPERATURE, 20.0, supports_monitoring=True)
    model.add(DOOR_OPEN, False, supports_monitoring=True)
    model.add(FIRMWARE, "v1")  # no supportsMonitoring
    model.add(catalog.MonitoringCtrlr.ItemsPerMessage_SetVariableMonitoring, 4)
    sent: list[tuple[m.NotifyEventRequest, int]] = []
    monitoring = Monitoring(model, send=lambda request, severity: sent.append((request, severity)))
    return model, monitoring, sent


def monitor(
    spec: VariableSpec, kind: e.MonitorEnumType, value: float, severity: int = 4, **fields: object
) -> t.SetMonitoringDataType:
    return t.SetMonitoringDataType(
        value=value, type=kind, severity=severity, component=component_type(spec), variable=variable_type(spec), **fields  # type: ignore[arg-type]
    )


def set_monitors(monitoring: Monitoring, *items: t.SetMonitoringDataType) -> list[t.SetMonitoringResultType]:
    return monitoring.set_variable_monitoring(
        m.SetVariableMonitoringRequest(set_monitoring_data=list(items))
    ).set_monitoring_result


def events(sent: list[tuple[m.NotifyEventRequest, int]]) -> list[tuple[str, str, bool, int]]:
    """(trigger, actualValue, cleared, monitor id) of every event sent, in order."""
    return [
        (d.trigger.value, d.actual_value, d.cleared is True, d.variable_monitoring_id)  # type: ignore[misc]
        for request, _ in sent
        for d in request.event_data
    ]


def test_threshold_crossing_and_delta_produce_exactly_the_prescribed_events() -> None:
    model, monitoring, sent = build()
    upper, delta = set_monitors(
        monitoring, monitor(TEMPERATURE, M.UPPER_THRESHOLD, 60), monitor(TEMPERATURE, M.DELTA, 5, 6)
    )
    assert [upper.status, delta.status] == [e.SetMonitoringStatusEnumType.ACCEPTED] * 2
    for value in (24.0, 61.0, 65.0, 59.0, 57.0, 55.0):
        model.set(TEMPERATURE, value)
    assert events(sent) == [
        # 24: not above 60, and 4 away from 20 is not more than 5: nothing
        ("Alerting", "61", False, upper.id),  # crossed above 60
        ("Delta", "61", False, delta.id),  # 41 away from 20; 61 is the new reference
        # 65: still above 60, 4 away from 61: nothing
        ("Alerting", "59", True, upper.id),  # back at or below 60: cleared (59 is 2 away from 61: no delta)
        # 57: 4 away from 61: nothing
        ("Delta", "55", False, delta.id),  # 6 away from 61
    ]
    request, severity = sent[0]
    assert len(request.event_data) == 2 and severity == 4 and request.seq_no == 0
    first = request.event_data[0]
    assert first.event_notification_type is e.EventNotificationEnumType.CUSTOM_MONITOR
    assert first.component == component_type(TEMPERATURE) and first.variable.name == "Temperature"
    assert first.timestamp == NOW and first.cleared is UNSET
    assert len({d.event_id for r, _ in sent for d in r.event_data}) == 4  # event ids are unique


def test_monitoring_level_and_enabled_filter_events() -> None:
    model, monitoring, sent = build()
    set_monitors(monitoring, monitor(TEMPERATURE, M.UPPER_THRESHOLD, 30, severity=5))
    assert (
        monitoring.set_monitoring_level(m.SetMonitoringLevelRequest(severity=4)).status
        is e.GenericStatusEnumType.ACCEPTED
    )
    model.set(TEMPERATURE, 31.0)
    assert sent == []  # severity 5 is above level 4
    assert (
        monitoring.set_monitoring_level(m.SetMonitoringLevelRequest(severity=10)).status
        is e.GenericStatusEnumType.REJECTED
    )
    monitoring.set_monitoring_level(m.SetMonitoringLevelRequest(severity=5))
    model.set(TEMPERATURE, 29.0)
    assert events(sent) == [("Alerting", "29", True, 1)]
    model.add(catalog.MonitoringCtrlr.Enabled, False)
    model.set(TEMPERATURE, 35.0)
    assert len(sent) == 1  # monitoring disabled


def test_monitor_type_and_data_type_combinations_and_statuses() -> None:
    model, monitoring, sent = build()
    S = e.SetMonitoringStatusEnumType
    results = set_monitors(
        monitoring,
        monitor(DOOR_OPEN, M.UPPER_THRESHOLD, 1),  # thresholds need a number
        monitor(DOOR_OPEN, M.DELTA, 0),  # any change of a boolean
        monitor(FIRMWARE, M.DELTA, 0),  # the variable does not support monitoring
        monitor(DOOR_OPEN, M.DELTA, 0),  # same type and severity again
    )
    assert [r.status for r in results] == [
        S.UNSUPPORTED_MONITOR_TYPE,
        S.ACCEPTED,
        S.UNSUPPORTED_MONITOR_TYPE,
        S.DUPLICATE,
    ]
    unknown = t.SetMonitoringDataType(
        value=1, type=M.DELTA, severity=1, component=t.ComponentType(name="Nope"), variable=t.VariableType(name="X")
    )
    results = set_monitors(
        monitoring,
        unknown,
        monitor(TEMPERATURE, M.PERIODIC, 0),  # a period must be at least a second
        monitor(TEMPERATURE, M.DELTA, 1, id=77),  # replacing a monitor that does not exist
        monitor(TEMPERATURE, M.DELTA, 1, severity=12),
    )
    assert [r.status for r in results] == [S.UNKNOWN_COMPONENT, S.REJECTED, S.REJECTED, S.REJECTED]
    model.set(DOOR_OPEN, True)
    assert events(sent) == [("Delta", "true", False, 1)]  # ids are only given to accepted monitors
    with pytest.raises(
        OccurrenceConstraintViolationError
    ):  # MonitoringCtrlr.ItemsPerMessage[SetVariableMonitoring] = 4
        set_monitors(monitoring, *[monitor(TEMPERATURE, M.DELTA, n) for n in range(5)])


def test_clear_base_and_report() -> None:
    model, monitoring, sent = build()
    factory = monitoring.preconfigure(TEMPERATURE, M.UPPER_THRESHOLD, 80, 1)
    extra = monitoring.preconfigure(TEMPERATURE, M.LOWER_THRESHOLD, -20, 2, factory_default=False)
    [custom] = set_monitors(monitoring, monitor(TEMPERATURE, M.DELTA, 10))
    [door] = set_monitors(monitoring, monitor(DOOR_OPEN, M.PERIODIC, 60))
    report = m.GetMonitoringReportRequest(request_id=1)
    response, items = monitoring.monitoring_report(report)
    assert response.status is e.GenericDeviceModelStatusEnumType.ACCEPTED
    assert sorted(x.id for item in items for x in item.variable_monitoring) == [
        factory.id,
        extra.id,
        custom.id,
        door.id,
    ]
    only_delta = m.GetMonitoringReportRequest(
        request_id=2, monitoring_criteria=[e.MonitoringCriterionEnumType.DELTA_MONITORING]
    )
    assert [x.id for i in monitoring.monitoring_report(only_delta)[1] for x in i.variable_monitoring] == [custom.id]
    doors = m.GetMonitoringReportRequest(request_id=3, component_variable=[component_variable("AcmeCabinet")])
    assert [x.id for i in monitoring.monitoring_report(doors)[1] for x in i.variable_monitoring] == [door.id]

    cleared = monitoring.clear_variable_monitoring(m.ClearVariableMonitoringRequest(id=[custom.id, factory.id, 999]))
    C = e.ClearMonitoringStatusEnumType
    assert [r.status for r in cleared.clear_monitoring_result] == [C.ACCEPTED, C.REJECTED, C.NOT_FOUND]

    base = monitoring.set_monitoring_base(
        m.SetMonitoringBaseRequest(monitoring_base=e.MonitoringBaseEnumType.FACTORY_DEFAULT)
    )
    assert base.status is e.GenericDeviceModelStatusEnumType.ACCEPTED
    ids = {x.id for i in monitoring.monitoring_report(report)[1] for x in i.variable_monitoring}
    assert ids == {factory.id, door.id}  # the non-factory preconfigured monitor is off, custom ones stay
    monitoring.set_monitoring_base(m.SetMonitoringBaseRequest(monitoring_base=e.MonitoringBaseEnumType.HARD_WIRED_ONLY))
    response, items = monitoring.monitoring_report(report)
    assert response.status is e.GenericDeviceModelStatusEnumType.EMPTY_RESULT_SET and items == []
    model.set(TEMPERATURE, 99.0)
    assert sent == []


def test_periodic_monitors_report_on_time() -> None:
    model, monitoring, sent = build()
    set_monitors(monitoring, monitor(TEMPERATURE, M.PERIODIC, 30), monitor(DOOR_OPEN, M.PERIODIC_CLOCK_ALIGNED, 900))
    monitoring.emit_periodic(NOW + timedelta(seconds=29))
    assert sent == []
    monitoring.emit_periodic(NOW + timedelta(seconds=30))
    assert events(sent) == [("Periodic", "20", False, 1)]
    monitoring.emit_periodic(NOW + timedelta(minutes=15))  # 06:15:00 is aligned to 900 s
    assert events(sent)[1:] == [("Periodic", "20", False, 1), ("Periodic", "false", False, 2)]


def test_monitors_level_and_event_ids_persist(tmp_path: Path) -> None:
    with StationStore(tmp_path / "station.db") as store:
        model, monitoring, sent = build(store)
        set_monitors(monitoring, monitor(TEMPERATURE, M.UPPER_THRESHOLD, 60))
        monitoring.set_monitoring_level(m.SetMonitoringLevelRequest(severity=7))
        model.set(TEMPERATURE, 70.0)
        first_id = sent[0][0].event_data[0].event_id
    with StationStore(tmp_path / "station.db") as store:
        model, monitoring, sent = build(store)
        assert monitoring.level == 7 and [x.type for x in monitoring.store.monitors.values()] == [M.UPPER_THRESHOLD]
        model.set(TEMPERATURE, 75.0)
        model.set(TEMPERATURE, 50.0)
        # the value is not persistent (back to 20 after the restart), the monitor is: it trips and clears again
        assert events(sent) == [("Alerting", "75", False, 1), ("Alerting", "50", True, 1)]
        assert sent[0][0].event_data[0].event_id > first_id


class MonitoredStation(DeviceModelHandlers, MonitoringHandlers, station.ChargingStationHandler):
    def __init__(self, model: DeviceModel, monitoring: Monitoring) -> None:
        self.device_model = model
        self.monitoring = monitoring


class EventCsms(csms.CsmsHandler):
    def __init__(self) -> None:
        self.events: list[m.NotifyEventRequest] = []
        self.reports: list[m.NotifyMonitoringReportRequest] = []

    async def notify_event(
        self, station: csms.ChargingStationClient, req: m.NotifyEventRequest
    ) -> m.NotifyEventResponse:
        self.events.append(req)
        return m.NotifyEventResponse()

    async def notify_monitoring_report(
        self, station: csms.ChargingStationClient, req: m.NotifyMonitoringReportRequest
    ) -> m.NotifyMonitoringReportResponse:
        self.reports.append(req)
        return m.NotifyMonitoringReportResponse()


async def test_over_a_connection_monitors_set_by_the_csms_raise_notify_event() -> None:
    handler = EventCsms()
    model = DeviceModel(items_per_message=1)
    model.add(TEMPERATURE, 20.0, supports_monitoring=True)
    model.add(catalog.MonitoringCtrlr.OfflineQueuingSeverity, 3)
    outbox = Outbox(StationStore.memory(), device_model=model)
    monitoring = Monitoring(model, send=send_through_outbox(outbox, model))
    async with csms.serve(handler, "127.0.0.1", 0) as server:
        async with station.connect(server.url, identity="CS9", handler=MonitoredStation(model, monitoring)) as conn:
            outbox.start(conn)
            peer = server.stations["CS9"]
            result = await peer.set_variable_monitoring(
                m.SetVariableMonitoringRequest(
                    set_monitoring_data=[
                        monitor(TEMPERATURE, M.UPPER_THRESHOLD, 40, 2),
                        monitor(TEMPERATURE, M.DELTA, 1, 8),
                    ]
                )
            )
            assert [r.status for r in result.set_monitoring_result] == [e.SetMonitoringStatusEnumType.ACCEPTED] * 2
            assert (await peer.get_monitoring_report(m.GetMonitoringReportRequest(request_id=5))).status == "Accepted"
            model.set(TEMPERATURE, 45.0)
            for _ in range(100):
                if handler.events and len(handler.reports) == 1:
                    break
                await asyncio.sleep(0.02)
            await outbox.drain(5)
            await outbox.close()
    assert [(d.trigger, d.actual_value) for r in handler.events for d in r.event_data] == [
        ("Alerting", "45"),
        ("Delta", "45"),
    ]
    assert outbox.stats.queued == 1  # severity 2 <= OfflineQueuingSeverity 3: queued durably
    [report] = handler.reports  # one variable, one message
    assert report.request_id == 5 and report.tbc is False and len(report.monitor[0].variable_monitoring) == 2  # type: ignore[index]


def test_transaction_monitors_report_only_during_a_transaction() -> None:
    model, monitoring, sent = build()
    set_monitors(monitoring, monitor(TEMPERATURE, M.DELTA, 1, transaction=True))
    model.set(TEMPERATURE, 30.0)
    assert sent == []  # no transaction running
    monitoring.transaction_id = "TX-9"
    model.set(TEMPERATURE, 40.0)
    [(request, _)] = sent
    assert request.event_data[0].transaction_id == "TX-9" and request.event_data[0].actual_value == "40"
