"""Monitoring (OCPP 2.0.1 Part 2, N. Diagnostics): the station side of variable monitors and NotifyEvent.

:class:`Monitoring` sits on a :class:`~ocppwire.devicemodel.store.DeviceModel` and

- answers SetVariableMonitoring (N04), ClearVariableMonitoring (N06), SetMonitoringBase (N03),
  SetMonitoringLevel (N05) and GetMonitoringReport (N02; the monitors then go out as a
  NotifyMonitoringReport sequence);
- watches every value change of the model (by the station's ``model.set(...)`` or a CSMS's
  SetVariables) and emits NotifyEvent (N07) through the ``send`` callback it was given:

  * UpperThreshold / LowerThreshold: trigger ``Alerting`` when the value goes above / below the
    threshold, and again with ``cleared`` true when it returns (a value already beyond the
    threshold when the monitor is set counts as tripped, so it reports only when it clears);
  * Delta: trigger ``Delta`` when a number moved *more than* ``value`` away from the value of the
    last report (or of the moment the monitor was set), or on any change of a non-numeric value;
  * Periodic / PeriodicClockAligned: trigger ``Periodic`` every ``value`` seconds, the latter at
    multiples of ``value`` since midnight UTC (the background task of :meth:`start`);

- reports a monitor's event only when its severity is at most the monitoring level
  (SetMonitoringLevel; 9, everything, until set) and ``MonitoringCtrlr.Enabled`` is not false;
  a ``transaction`` monitor reports only while :attr:`Monitoring.transaction_id` is set;
- checks MonitoringCtrlr ``ItemsPerMessage`` / ``BytesPerMessage`` of SetVariableMonitoring and
  ClearVariableMonitoring (CALLERROR OccurrenceConstraintViolation / FormatViolation) and keeps
  ``ActiveMonitoringLevel`` / ``ActiveMonitoringBase`` current when the model holds them;
- keeps monitors, level, base and the event id counter in the station database
  (:mod:`.monitors`), so they survive a restart.

``send(request, severity)`` decides how an event travels; :func:`send_through_outbox` queues events
durably when their severity is at most ``MonitoringCtrlr.OfflineQueuingSeverity``.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from msgspec import UNSET, UnsetType

from ocppwire.runtime.errors import FormatViolationError, OccurrenceConstraintViolationError
from ocppwire.runtime.payload import encode
from ocppwire.storage import StationStore
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from .monitors import Monitor, MonitorKind, MonitorStore, allowed
from .spec import VariableSpec
from .store import MAX_ATTRIBUTE_VALUE_LENGTH, DeviceModel, split_items
from .variable import ACTUAL, StoredVariable

if TYPE_CHECKING:
    from ocppwire.outbox import Outbox

__all__ = ["EventSink", "Monitoring", "send_through_outbox"]

log = logging.getLogger("ocppwire.devicemodel.monitoring")

EventSink = Callable[[m.NotifyEventRequest, int], object]
"""Receives each NotifyEvent request and the highest-priority (lowest) severity among its events."""

_CTRLR = "MonitoringCtrlr"
_THRESHOLD = {e.MonitorEnumType.UPPER_THRESHOLD, e.MonitorEnumType.LOWER_THRESHOLD}
_PERIODIC = {e.MonitorEnumType.PERIODIC, e.MonitorEnumType.PERIODIC_CLOCK_ALIGNED}
_CRITERION = {
    e.MonitoringCriterionEnumType.THRESHOLD_MONITORING: _THRESHOLD,
    e.MonitoringCriterionEnumType.DELTA_MONITORING: {e.MonitorEnumType.DELTA},
    e.MonitoringCriterionEnumType.PERIODIC_MONITORING: _PERIODIC,
}
_S = e.SetMonitoringStatusEnumType
_MAX_SEVERITY = 9
_PERIODIC_TICK = 1.0
"""Longest sleep of the periodic task, so new periodic monitors are picked up within a second."""


class Monitoring:
    """Monitors on a device model and the events they raise (see the module docstring)."""

    def __init__(
        self,
        model: DeviceModel,
        *,
        send: EventSink | None = None,
        store: StationStore | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.model = model
        self.send = send
        self.store = MonitorStore(store if store is not None else model.store)
        self.clock: Callable[[], datetime] = clock or model.clock
        self.transaction_id: str | None = None
        """Set while a transaction runs: ``transaction`` monitors report only then, with this id."""
        self.report_tasks: set[asyncio.Task[Any]] = set()
        self._periodic: asyncio.Task[None] | None = None
        self._due: dict[int, datetime] = {}
        for monitor in self.store.monitors.values():
            self._arm(monitor)
        self._publish_state()
        model.watch(self._on_value)

    # ---- settings ----------------------------------------------------------------------------------
    @property
    def level(self) -> int:
        """Events of monitors with a severity above this are not reported (SetMonitoringLevel)."""
        return int(self.store.setting("monitoring.level", str(_MAX_SEVERITY)))

    @property
    def base(self) -> e.MonitoringBaseEnumType:
        """The monitoring base last set (SetMonitoringBase); All until set."""
        return e.MonitoringBaseEnumType(self.store.setting("monitoring.base", e.MonitoringBaseEnumType.ALL.value))

    def _enabled(self) -> bool:
        stored = self.model.find(_CTRLR, "Enabled")
        return stored is None or (stored.values.get(ACTUAL) or "true").lower() != "false"

    def _limit(self, variable: str, instance: str) -> int | None:
        stored = self.model.find(_CTRLR, variable, instance=instance)
        text = None if stored is None else stored.values.get(ACTUAL)
        return int(text) if text is not None and text.lstrip("+-").isdigit() else None

    def _check_limits(self, request: Any, count: int, instance: str) -> None:
        items = self._limit("ItemsPerMessage", instance)
        if items is not None and count > items:
            raise OccurrenceConstraintViolationError(
                f"{count} entries exceed MonitoringCtrlr.ItemsPerMessage[{instance}] = {items}"
            )
        size_limit = self._limit("BytesPerMessage", instance)
        if size_limit is not None and (size := len(encode(request))) > size_limit:
            raise FormatViolationError(
                f"{size} bytes exceed MonitoringCtrlr.BytesPerMessage[{instance}] = {size_limit}"
            )

    def _publish_state(self) -> None:
        """Mirror level and base into ActiveMonitoringLevel / ActiveMonitoringBase when the model has them."""
        for variable, text in (("ActiveMonitoringLevel", str(self.level)), ("ActiveMonitoringBase", self.base.value)):
            stored = self.model.find(_CTRLR, variable)
            if stored is not None and stored.values.get(ACTUAL) != text:
                self.model.set(stored.spec, text)

    # ---- monitors the manufacturer ships -----------------------------------------------------------
    def preconfigure(
        self,
        spec: VariableSpec,
        monitor_type: e.MonitorEnumType,
        value: float,
        severity: int,
        *,
        evse: int | None = None,
        connector: int | None = None,
        component_instance: str | None = None,
        factory_default: bool = True,
        transaction: bool = False,
    ) -> Monitor:
        """Declare a preconfigured monitor (at every start; a restart finds the stored one again)."""
        stored = self.model.find(spec, evse=evse, connector=connector, component_instance=component_instance)
        if stored is None:
            raise KeyError(f"{spec.path} is not in the device model")
        if not allowed(monitor_type, stored.spec.data_type):
            raise ValueError(f"{monitor_type.value} cannot watch {stored.spec.path} ({stored.spec.data_type.value})")
        for monitor in self.store.monitors.values():
            if (
                monitor.kind is MonitorKind.PRECONFIGURED
                and monitor.target == _target(stored)
                and monitor.type is monitor_type
                and monitor.severity == severity
            ):
                return monitor
        monitor = Monitor(
            id=self.store.next_id(),
            component=stored.component,
            variable=stored.spec.variable,
            variable_instance=stored.spec.instance,
            type=monitor_type,
            value=value,
            severity=severity,
            transaction=transaction,
            kind=MonitorKind.PRECONFIGURED,
            factory_default=factory_default,
            active=self.base is e.MonitoringBaseEnumType.ALL
            or (self.base is e.MonitoringBaseEnumType.FACTORY_DEFAULT and factory_default),
        )
        self._arm(monitor)
        self.store.put(monitor)
        return monitor

    # ---- SetVariableMonitoring / ClearVariableMonitoring -------------------------------------------
    def set_variable_monitoring(self, req: m.SetVariableMonitoringRequest) -> m.SetVariableMonitoringResponse:
        """Answer SetVariableMonitoring: each entry checked and applied on its own, in order."""
        self._check_limits(req, len(req.set_monitoring_data), "SetVariableMonitoring")
        return m.SetVariableMonitoringResponse(
            set_monitoring_result=[self._set_one(item) for item in req.set_monitoring_data]
        )

    def _set_one(self, item: t.SetMonitoringDataType) -> t.SetMonitoringResultType:
        def result(
            status: e.SetMonitoringStatusEnumType, monitor_id: int | None = None, reason: str | None = None
        ) -> t.SetMonitoringResultType:
            return t.SetMonitoringResultType(
                id=UNSET if monitor_id is None else monitor_id,
                status=status,
                type=item.type,
                severity=item.severity,
                component=item.component,
                variable=item.variable,
                status_info=UNSET if reason is None else t.StatusInfoType(reason_code=reason),
            )

        stored = self.model.resolve(item.component, item.variable)
        if isinstance(stored, str):
            return result(_S(stored))
        if not stored.supports_monitoring or not allowed(item.type, stored.spec.data_type):
            return result(_S.UNSUPPORTED_MONITOR_TYPE)
        if not 0 <= item.severity <= _MAX_SEVERITY:
            return result(_S.REJECTED, reason="InvalidValue")
        problem = _value_problem(item.type, item.value, stored.spec)
        if problem is not None:
            return result(_S.REJECTED, reason=problem)
        existing: Monitor | None = None
        if not isinstance(item.id, UnsetType):
            existing = self.store.monitors.get(item.id)
            if existing is None:
                return result(_S.REJECTED, reason="InvalidValue")
        else:
            for monitor in self.store.monitors.values():
                if (
                    monitor.target == _target(stored)
                    and monitor.type is item.type
                    and monitor.severity == item.severity
                ):
                    return result(_S.DUPLICATE, monitor.id)
        monitor = Monitor(
            id=existing.id if existing is not None else self.store.next_id(),
            component=stored.component,
            variable=stored.spec.variable,
            variable_instance=stored.spec.instance,
            type=item.type,
            value=item.value,
            severity=item.severity,
            transaction=item.transaction is True,
            kind=existing.kind if existing is not None else MonitorKind.CUSTOM,
            factory_default=existing.factory_default if existing is not None else True,
        )
        self._arm(monitor)
        self.store.put(monitor)
        return result(_S.ACCEPTED, monitor.id)

    def clear_variable_monitoring(self, req: m.ClearVariableMonitoringRequest) -> m.ClearVariableMonitoringResponse:
        """Answer ClearVariableMonitoring: custom monitors are removed; preconfigured ones are Rejected."""
        self._check_limits(req, len(req.id), "ClearVariableMonitoring")
        results = []
        for monitor_id in req.id:
            monitor = self.store.monitors.get(monitor_id)
            if monitor is None:
                status = e.ClearMonitoringStatusEnumType.NOT_FOUND
            elif monitor.kind is MonitorKind.PRECONFIGURED:
                status = e.ClearMonitoringStatusEnumType.REJECTED
            else:
                self.store.remove(monitor_id)
                self._due.pop(monitor_id, None)
                status = e.ClearMonitoringStatusEnumType.ACCEPTED
            results.append(t.ClearMonitoringResultType(status=status, id=monitor_id))
        return m.ClearVariableMonitoringResponse(clear_monitoring_result=results)

    # ---- SetMonitoringBase / SetMonitoringLevel ------------------------------------------------------
    def set_monitoring_base(self, req: m.SetMonitoringBaseRequest) -> m.SetMonitoringBaseResponse:
        """All: every preconfigured monitor on. FactoryDefault: the factory subset on, the rest off.
        HardWiredOnly: preconfigured monitors off and custom monitors removed. Custom monitors stay
        with All and FactoryDefault."""
        base = req.monitoring_base
        for monitor in list(self.store.monitors.values()):
            if monitor.kind is MonitorKind.CUSTOM:
                if base is e.MonitoringBaseEnumType.HARD_WIRED_ONLY:
                    self.store.remove(monitor.id)
                    self._due.pop(monitor.id, None)
                continue
            monitor.active = base is e.MonitoringBaseEnumType.ALL or (
                base is e.MonitoringBaseEnumType.FACTORY_DEFAULT and monitor.factory_default
            )
            self.store.put(monitor)
        self.store.save_setting("monitoring.base", base.value)
        self._publish_state()
        return m.SetMonitoringBaseResponse(status=e.GenericDeviceModelStatusEnumType.ACCEPTED)

    def set_monitoring_level(self, req: m.SetMonitoringLevelRequest) -> m.SetMonitoringLevelResponse:
        """Accept a severity 0-9 as the new level; Rejected otherwise."""
        if not 0 <= req.severity <= _MAX_SEVERITY:
            return m.SetMonitoringLevelResponse(
                status=e.GenericStatusEnumType.REJECTED,
                status_info=t.StatusInfoType(reason_code="ValueOutOfRange", additional_info="severity must be 0-9"),
            )
        self.store.save_setting("monitoring.level", str(req.severity))
        self._publish_state()
        return m.SetMonitoringLevelResponse(status=e.GenericStatusEnumType.ACCEPTED)

    # ---- GetMonitoringReport -------------------------------------------------------------------------
    def monitoring_report(
        self, req: m.GetMonitoringReportRequest
    ) -> tuple[m.GetMonitoringReportResponse, list[t.MonitoringDataType]]:
        """The response and the report items (active monitors grouped per variable), filtered by
        ``componentVariable`` and ``monitoringCriteria``."""
        criteria = [] if isinstance(req.monitoring_criteria, UnsetType) else req.monitoring_criteria
        types = set().union(*(_CRITERION[c] for c in criteria)) if criteria else None
        filters = [] if isinstance(req.component_variable, UnsetType) else req.component_variable
        grouped: dict[tuple[Any, ...], list[Monitor]] = {}
        for monitor in self.store.monitors.values():
            if not monitor.active or (types is not None and monitor.type not in types):
                continue
            if filters and not any(_selects(f, monitor) for f in filters):
                continue
            grouped.setdefault(monitor.target, []).append(monitor)
        items = [
            t.MonitoringDataType(
                component=group[0].component.to_type(),
                variable=_variable_type(group[0]),
                variable_monitoring=[
                    t.VariableMonitoringType(
                        id=x.id, transaction=x.transaction, value=x.value, type=x.type, severity=x.severity
                    )
                    for x in group
                ],
            )
            for group in grouped.values()
        ]
        status = (
            e.GenericDeviceModelStatusEnumType.ACCEPTED
            if items
            else e.GenericDeviceModelStatusEnumType.EMPTY_RESULT_SET
        )
        return m.GetMonitoringReportResponse(status=status), items

    def notify_monitoring_reports(
        self, request_id: int, items: list[t.MonitoringDataType]
    ) -> list[m.NotifyMonitoringReportRequest]:
        """Split report items like NotifyReport: ``seqNo`` from 0, ``tbc`` on all but the last."""
        chunks = split_items(items, self.model.items_per_message, self.model.bytes_per_message)
        when = self.clock()
        return [
            m.NotifyMonitoringReportRequest(
                request_id=request_id,
                generated_at=when,
                seq_no=seq,
                tbc=seq < len(chunks) - 1,
                monitor=chunk if chunk else UNSET,
            )
            for seq, chunk in enumerate(chunks)
        ]

    # ---- events ------------------------------------------------------------------------------------
    def _arm(self, monitor: Monitor) -> None:
        """Set the run-time state of a new or loaded monitor from the variable's current value."""
        stored = self._stored(monitor)
        current = None if stored is None else stored.values.get(ACTUAL)
        monitor.reference = current
        monitor.tripped = current is not None and _beyond(monitor, current)
        if monitor.type in _PERIODIC:
            self._due[monitor.id] = _next_due(monitor, self.clock())

    def _stored(self, monitor: Monitor) -> StoredVariable | None:
        ref = monitor.component
        return self.model.find(
            ref.name,
            monitor.variable,
            instance=monitor.variable_instance,
            evse=ref.evse,
            connector=ref.connector,
            component_instance=ref.instance,
        )

    def _reporting(self, monitor: Monitor) -> bool:
        return (
            monitor.active
            and monitor.severity <= self.level
            and (not monitor.transaction or self.transaction_id is not None)
        )

    def _on_value(self, stored: StoredVariable, attribute: e.AttributeEnumType, old: str | None, new: str) -> None:
        if attribute is not ACTUAL:
            return
        target = _target(stored)
        events: list[tuple[Monitor, e.EventTriggerEnumType, bool]] = []
        for monitor in self.store.monitors.values():
            if monitor.target != target or monitor.type in _PERIODIC:
                continue
            if monitor.type in _THRESHOLD:
                beyond = _beyond(monitor, new)
                if beyond != monitor.tripped:
                    monitor.tripped = beyond
                    events.append((monitor, e.EventTriggerEnumType.ALERTING, not beyond))
            elif _delta_exceeded(monitor, new):
                monitor.reference = new
                events.append((monitor, e.EventTriggerEnumType.DELTA, False))
        self._emit([(x, trigger, cleared, stored, new) for x, trigger, cleared in events])

    def _emit(self, events: list[tuple[Monitor, e.EventTriggerEnumType, bool, StoredVariable, str]]) -> None:
        if not self._enabled():
            return
        chosen = [ev for ev in events if self._reporting(ev[0])]
        if not chosen or self.send is None:
            return
        now = self.clock()
        data = []
        for monitor, trigger, cleared, stored, value in chosen:
            event_id = int(self.store.setting("monitoring.event_id", "0")) + 1
            self.store.save_setting("monitoring.event_id", str(event_id))
            data.append(
                t.EventDataType(
                    event_id=event_id,
                    timestamp=now,
                    trigger=trigger,
                    actual_value=value[:MAX_ATTRIBUTE_VALUE_LENGTH],
                    cleared=True if cleared else UNSET,
                    transaction_id=self.transaction_id if monitor.transaction and self.transaction_id else UNSET,
                    variable_monitoring_id=monitor.id,
                    event_notification_type=e.EventNotificationEnumType(monitor.kind.value),
                    component=stored.component.to_type(),
                    variable=stored.variable_type(),
                )
            )
        request = m.NotifyEventRequest(generated_at=now, seq_no=0, event_data=data)
        try:
            self.send(request, min(ev[0].severity for ev in chosen))
        except Exception:
            log.exception("monitoring: sending NotifyEvent failed")

    def emit_periodic(self, now: datetime | None = None) -> float:
        """Report every periodic monitor that is due; returns seconds until the next one is due."""
        now = now or self.clock()
        events = []
        for monitor_id, due in list(self._due.items()):
            monitor = self.store.monitors.get(monitor_id)
            if monitor is None:
                del self._due[monitor_id]
                continue
            if due > now:
                continue
            self._due[monitor_id] = _next_due(monitor, now)
            stored = self._stored(monitor)
            value = None if stored is None else stored.values.get(ACTUAL)
            if stored is not None and value is not None:
                events.append((monitor, e.EventTriggerEnumType.PERIODIC, False, stored, value))
        self._emit(events)
        if not self._due:
            return _PERIODIC_TICK
        return max(0.0, min((min(self._due.values()) - now).total_seconds(), _PERIODIC_TICK))

    def start(self) -> None:
        """Start the task that reports Periodic and PeriodicClockAligned monitors."""
        if self._periodic is None or self._periodic.done():
            self._periodic = asyncio.get_running_loop().create_task(self._run_periodic(), name="ocppwire-monitoring")

    async def close(self) -> None:
        """Stop the periodic task."""
        task, self._periodic = self._periodic, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run_periodic(self) -> None:
        while True:
            await asyncio.sleep(self.emit_periodic())


def send_through_outbox(outbox: Outbox, model: DeviceModel) -> EventSink:
    """An event sink that sends NotifyEvent through ``outbox``: durably queued when its severity is at
    most ``MonitoringCtrlr.OfflineQueuingSeverity`` (so it is not lost while offline), otherwise sent
    only if the station is online (and dropped, with a log line, if not)."""

    def send(request: m.NotifyEventRequest, severity: int) -> None:
        stored = model.find(_CTRLR, "OfflineQueuingSeverity")
        text = None if stored is None else stored.values.get(ACTUAL)
        threshold = int(text) if text is not None and text.isdigit() else -1
        submission = outbox.submit(request, durable=severity <= threshold)
        submission.response.add_done_callback(_log_failure)

    return send


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and (error := future.exception()) is not None:
        log.warning("monitoring: NotifyEvent not delivered: %s", error)


def _target(stored: StoredVariable) -> tuple[tuple[str, str, int | None, int | None], str, str]:
    return stored.component.key, stored.spec.variable.lower(), (stored.spec.instance or "").lower()


def _variable_type(monitor: Monitor) -> t.VariableType:
    return t.VariableType(
        name=monitor.variable, instance=UNSET if monitor.variable_instance is None else monitor.variable_instance
    )


def _selects(pattern: t.ComponentVariableType, monitor: Monitor) -> bool:
    if not monitor.component.matches(pattern.component):
        return False
    variable = pattern.variable
    if isinstance(variable, UnsetType):
        return True
    if variable.name.lower() != monitor.variable.lower():
        return False
    return (
        isinstance(variable.instance, UnsetType)
        or variable.instance.lower() == (monitor.variable_instance or "").lower()
    )


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _beyond(monitor: Monitor, text: str) -> bool:
    value = _number(text)
    if value is None or monitor.type not in _THRESHOLD:
        return False
    return value > monitor.value if monitor.type is e.MonitorEnumType.UPPER_THRESHOLD else value < monitor.value


def _delta_exceeded(monitor: Monitor, text: str) -> bool:
    new, reference = _number(text), _number(monitor.reference)
    if new is None or reference is None:
        return text != monitor.reference
    return abs(new - reference) > monitor.value


def _value_problem(monitor_type: e.MonitorEnumType, value: float, spec: VariableSpec) -> str | None:
    """Why a monitor value is refused (a reason code), or ``None``."""
    if not math.isfinite(value):
        return "InvalidValue"
    if monitor_type in _PERIODIC:
        return None if value >= 1 else "ValueOutOfRange"
    if monitor_type is e.MonitorEnumType.DELTA:
        return None if value >= 0 else "ValueOutOfRange"
    if (spec.min_limit is not None and value < spec.min_limit) or (
        spec.max_limit is not None and value > spec.max_limit
    ):
        return "ValueOutOfRange"
    return None


def _next_due(monitor: Monitor, now: datetime) -> datetime:
    period = max(1.0, monitor.value)
    if monitor.type is e.MonitorEnumType.PERIODIC:
        return now + timedelta(seconds=period)
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = (now - midnight).total_seconds()
    return midnight + timedelta(seconds=(math.floor(elapsed / period) + 1) * period)
