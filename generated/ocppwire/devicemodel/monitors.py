"""Variable monitors: what one monitor is, which monitor types a data type allows, and where monitors are kept.

OCPP 2.0.1 Part 2 (N. Diagnostics) lets a CSMS put monitors on device-model variables that declare
``supportsMonitoring``. The monitor type must fit the variable's data type:

=====================  ==========================================================================
monitor type           data types
=====================  ==========================================================================
UpperThreshold         integer, decimal (the value is the threshold)
LowerThreshold         integer, decimal
Delta                  every type: numbers trigger on a change by more than ``value`` from the
                       reference; other types trigger on any change (``value`` is ignored)
Periodic               every type (``value`` is the period in seconds)
PeriodicClockAligned   every type (``value`` is the period, aligned to midnight UTC)
=====================  ==========================================================================

A :class:`MonitorStore` keeps monitors in the station database (one JSON row each) so they survive
restarts, as the device model's values do; without a database it keeps them in memory.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from ocppwire.storage import StationStore
from ocppwire.v201 import enums as e

from .spec import DataType
from .store import ComponentRef

__all__ = ["Monitor", "MonitorKind", "MonitorStore", "allowed"]

_THRESHOLDS = frozenset({e.MonitorEnumType.UPPER_THRESHOLD, e.MonitorEnumType.LOWER_THRESHOLD})


def allowed(monitor_type: e.MonitorEnumType, data_type: DataType) -> bool:
    """Whether the Part 2 table lets ``monitor_type`` watch a variable of ``data_type``."""
    return data_type.is_numeric or monitor_type not in _THRESHOLDS


class MonitorKind(StrEnum):
    """Who made a monitor: the CSMS (SetVariableMonitoring) or the manufacturer (preconfigured)."""

    CUSTOM = "CustomMonitor"
    PRECONFIGURED = "PreconfiguredMonitor"


@dataclass
class Monitor:
    """One monitor on one variable (the Actual attribute)."""

    id: int
    component: ComponentRef
    variable: str
    variable_instance: str | None
    type: e.MonitorEnumType
    value: float
    severity: int
    transaction: bool = False
    kind: MonitorKind = MonitorKind.CUSTOM
    factory_default: bool = True
    """Preconfigured monitors only: part of the FactoryDefault monitoring base."""
    active: bool = True
    # run-time state, not stored
    tripped: bool = field(default=False, compare=False)
    reference: str | None = field(default=None, compare=False)
    """Delta monitors: the value the next change is measured from."""

    @property
    def target(self) -> tuple[tuple[str, str, int | None, int | None], str, str]:
        """Case-folded identity of the watched variable."""
        return self.component.key, self.variable.lower(), (self.variable_instance or "").lower()

    def to_json(self) -> str:
        data = asdict(self)
        for transient in ("tripped", "reference"):
            data.pop(transient)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Monitor:
        data = json.loads(text)
        data["component"] = ComponentRef(**data["component"])
        data["type"] = e.MonitorEnumType(data["type"])
        data["kind"] = MonitorKind(data["kind"])
        return cls(**data)


class MonitorStore:
    """Monitors by id, written through to the station database when there is one."""

    def __init__(self, store: StationStore | None) -> None:
        self.store = store
        self.monitors: dict[int, Monitor] = {}
        self._memory: dict[str, str] = {}
        if store is not None:
            for (text,) in store.query("SELECT data FROM monitor ORDER BY id"):
                monitor = Monitor.from_json(text)
                self.monitors[monitor.id] = monitor

    def next_id(self) -> int:
        return max(self.monitors, default=0) + 1

    def put(self, monitor: Monitor) -> None:
        self.monitors[monitor.id] = monitor
        if self.store is not None:
            with self.store.transaction() as db:
                db.execute(
                    "INSERT INTO monitor (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                    (monitor.id, monitor.to_json()),
                )

    def remove(self, monitor_id: int) -> None:
        self.monitors.pop(monitor_id, None)
        if self.store is not None:
            with self.store.transaction() as db:
                db.execute("DELETE FROM monitor WHERE id = ?", (monitor_id,))

    def setting(self, key: str, default: str) -> str:
        """A monitoring setting (level, base, event counter) kept beside the monitors."""
        if self.store is None:
            return self._memory.get(key, default)
        rows = self.store.query("SELECT value FROM setting WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else default

    def save_setting(self, key: str, value: str) -> None:
        if self.store is None:
            self._memory[key] = value
            return
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
