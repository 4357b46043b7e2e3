"""What a simulated station says: the boot request and the endless script of CALLs that follows it.

Five scenarios, each a realistic slice of OCPP 2.0.1 traffic:

- ``heartbeat`` — Heartbeat after Heartbeat (the idle station; the smallest frame there is);
- ``meter-values`` — MeterValues with one meter reading of ``sampled_values`` values (energy,
  power, per-phase current and voltage ...), the bulk of a busy CSMS's inbound bytes;
- ``transactions`` — charging sessions: StatusNotification Occupied, TransactionEvent Started,
  ``transaction_updates`` × TransactionEvent Updated carrying meter values, TransactionEvent Ended,
  StatusNotification Available, and again;
- ``flaky`` — the ``transactions`` sessions from stations that drop their connection every
  ``offline_every`` seconds for ``offline_for`` seconds; TransactionEvents go through the durable
  outbox, and the run reports messages queued, delivered and lost (:mod:`ocppwire.sim.flaky`);
- ``mix`` — an idle-to-busy fleet at real rates: every station sends a Heartbeat every
  ``heartbeat_interval`` seconds (60) *and* MeterValues every ``meter_interval`` seconds (10), each
  stream starting at a random offset within its period, so the fleet never fires in lock-step.

Requests are typed ocppwire messages, so every one the simulator sends is valid by construction;
``interval`` is the pause between consecutive CALLs of one station (0: send the next CALL as soon
as the previous one is answered, a closed loop that measures the CSMS's capacity).

Random offsets (the start of an ``interval`` station, the two streams of a ``mix`` station) come from
``seed`` and the station number alone, so a run is repeatable and does not depend on how the fleet
is split over simulator processes.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ocppwire.runtime.actions import ActionSpec
from ocppwire.v201 import actions as a
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

__all__ = ["Scenario", "ScenarioName", "boot_request", "sampled_values"]

Step = tuple[ActionSpec[Any, Any], Any]
"""One CALL of a script: the action and its typed request."""

TimedStep = tuple[float, ActionSpec[Any, Any], Any]
"""One CALL of a timed script: when (seconds after the traffic starts), the action and its typed request."""


class ScenarioName(StrEnum):
    """The traffic a simulated station generates after booting."""

    HEARTBEAT = "heartbeat"
    METER_VALUES = "meter-values"
    TRANSACTIONS = "transactions"
    FLAKY = "flaky"
    MIX = "mix"


@dataclass(frozen=True)
class Scenario:
    """A scenario and its knobs."""

    name: ScenarioName = ScenarioName.HEARTBEAT
    interval: float = 0.0
    """Seconds between one station's CALLs (0: closed loop, next CALL right after the answer)."""
    boot: bool = True
    """Send a BootNotification right after connecting (and count a non-Accepted answer as an error)."""
    sampled_values: int = 10
    """Sampled values per meter reading (MeterValues and TransactionEvent Updated)."""
    transaction_updates: int = 10
    """TransactionEvent Updated messages per charging session (``transactions``, ``flaky``)."""
    offline_every: float = 2.0
    """``flaky``: mean seconds online between two connection losses (each wait drawn from 50-150 %)."""
    offline_for: float = 1.0
    """``flaky``: seconds each connection loss lasts."""
    heartbeat_interval: float = 60.0
    """``mix``: seconds between one station's Heartbeats."""
    meter_interval: float = 10.0
    """``mix``: seconds between one station's MeterValues."""
    seed: int = 2001
    """Seeds the random start offsets (with the station number: the same offsets in every run)."""

    def __post_init__(self) -> None:
        if self.interval < 0:
            raise ValueError("interval must not be negative")
        if self.heartbeat_interval <= 0 or self.meter_interval <= 0:
            raise ValueError("heartbeat_interval and meter_interval must be positive")
        if not 1 <= self.sampled_values <= 1000:
            raise ValueError("sampled_values must be between 1 and 1000")
        if self.transaction_updates < 0:
            raise ValueError("transaction_updates must not be negative")
        if self.offline_every <= 0 or self.offline_for < 0:
            raise ValueError("offline_every must be positive and offline_for not negative")

    @property
    def timed(self) -> bool:
        """True when the script says when each CALL is due (:meth:`timed_script`), not just what comes next."""
        return self.name is ScenarioName.MIX

    def script(self, station: int) -> Iterator[Step]:
        """The endless sequence of CALLs station number ``station`` sends after booting."""
        if self.name is ScenarioName.HEARTBEAT:
            return itertools.repeat((a.HEARTBEAT, _heartbeat_request()))
        if self.name is ScenarioName.METER_VALUES:
            return itertools.repeat((a.METER_VALUES, _meter_values_request(self.sampled_values)))
        if self.name is ScenarioName.MIX:
            return ((spec, request) for _, spec, request in self.timed_script(station))
        return self._sessions(station)

    def _random(self, station: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + station)

    def stagger(self, station: int) -> float:
        """Seconds station number ``station`` waits before its first CALL: a random share of ``interval``
        (0 in a closed loop), so a paced fleet is spread over one interval instead of firing at once."""
        return self._random(station).uniform(0, self.interval) if self.interval else 0.0

    def timed_script(self, station: int) -> Iterator[TimedStep]:
        """``mix``: the endless, time-ordered CALLs of station number ``station``, each with when it is due.

        Two periodic streams, Heartbeat and MeterValues, each starting at its own random offset within
        its period. The requests are shared by every station (one object each), so a large fleet costs
        no memory per station for them and the codec encodes each only once."""
        if self.name is not ScenarioName.MIX:
            raise ValueError(f"scenario {self.name} has no timed script")
        rng = self._random(station)
        heartbeat_at = rng.uniform(0, self.heartbeat_interval)
        meter_at = rng.uniform(0, self.meter_interval)
        heartbeat = _heartbeat_request()
        meter_values = _meter_values_request(self.sampled_values)
        while True:
            if meter_at <= heartbeat_at:
                yield meter_at, a.METER_VALUES, meter_values
                meter_at += self.meter_interval
            else:
                yield heartbeat_at, a.HEARTBEAT, heartbeat
                heartbeat_at += self.heartbeat_interval

    def _sessions(self, station: int) -> Iterator[Step]:
        evse = t.EVSEType(id=1, connector_id=1)
        token = t.IdTokenType(id_token=f"SIM{station:08X}", type=e.IdTokenEnumType.ISO14443)
        for session in itertools.count():
            transaction_id = f"sim-{station}-{session}"
            yield a.STATUS_NOTIFICATION, _status(e.ConnectorStatusEnumType.OCCUPIED)
            seq = itertools.count()
            yield a.TRANSACTION_EVENT, m.TransactionEventRequest(
                event_type=e.TransactionEventEnumType.STARTED,
                timestamp=_now(),
                trigger_reason=e.TriggerReasonEnumType.AUTHORIZED,
                seq_no=next(seq),
                transaction_info=t.TransactionType(
                    transaction_id=transaction_id, charging_state=e.ChargingStateEnumType.CHARGING
                ),
                evse=evse,
                id_token=token,
            )
            for _ in range(self.transaction_updates):
                yield a.TRANSACTION_EVENT, m.TransactionEventRequest(
                    event_type=e.TransactionEventEnumType.UPDATED,
                    timestamp=_now(),
                    trigger_reason=e.TriggerReasonEnumType.METER_VALUE_PERIODIC,
                    seq_no=next(seq),
                    transaction_info=t.TransactionType(
                        transaction_id=transaction_id, charging_state=e.ChargingStateEnumType.CHARGING
                    ),
                    meter_value=[_meter_value(self.sampled_values)],
                )
            yield a.TRANSACTION_EVENT, m.TransactionEventRequest(
                event_type=e.TransactionEventEnumType.ENDED,
                timestamp=_now(),
                trigger_reason=e.TriggerReasonEnumType.STOP_AUTHORIZED,
                seq_no=next(seq),
                transaction_info=t.TransactionType(
                    transaction_id=transaction_id, stopped_reason=e.ReasonEnumType.LOCAL
                ),
                id_token=token,
            )
            yield a.STATUS_NOTIFICATION, _status(e.ConnectorStatusEnumType.AVAILABLE)


def boot_request() -> m.BootNotificationRequest:
    """The BootNotification every simulated station opens with."""
    return m.BootNotificationRequest(
        reason=e.BootReasonEnumType.POWER_UP,
        charging_station=t.ChargingStationType(model="ocppwire-sim", vendor_name="ocppwire", firmware_version="0.1.0"),
    )


@functools.cache
def _heartbeat_request() -> m.HeartbeatRequest:
    return m.HeartbeatRequest()


@functools.cache
def _meter_values_request(count: int) -> m.MeterValuesRequest:
    return m.MeterValuesRequest(evse_id=1, meter_value=[_meter_value(count)])


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _status(status: e.ConnectorStatusEnumType) -> m.StatusNotificationRequest:
    return m.StatusNotificationRequest(timestamp=_now(), connector_status=status, evse_id=1, connector_id=1)


_PATTERN: tuple[tuple[e.MeasurandEnumType, e.PhaseEnumType | None, str, float], ...] = (
    (e.MeasurandEnumType.ENERGY_ACTIVE_IMPORT_REGISTER, None, "Wh", 12345.6),
    (e.MeasurandEnumType.POWER_ACTIVE_IMPORT, None, "W", 7360.0),
    (e.MeasurandEnumType.CURRENT_IMPORT, e.PhaseEnumType.L1, "A", 31.9),
    (e.MeasurandEnumType.CURRENT_IMPORT, e.PhaseEnumType.L2, "A", 32.1),
    (e.MeasurandEnumType.CURRENT_IMPORT, e.PhaseEnumType.L3, "A", 31.7),
    (e.MeasurandEnumType.VOLTAGE, e.PhaseEnumType.L1_N, "V", 230.1),
    (e.MeasurandEnumType.VOLTAGE, e.PhaseEnumType.L2_N, "V", 229.8),
    (e.MeasurandEnumType.VOLTAGE, e.PhaseEnumType.L3_N, "V", 231.0),
    (e.MeasurandEnumType.SOC, None, "Percent", 54.0),
    (e.MeasurandEnumType.POWER_OFFERED, None, "W", 11000.0),
)


def sampled_values(count: int) -> list[t.SampledValueType]:
    """``count`` sampled values of one reading, cycling through energy, power, current, voltage, SoC."""
    values = []
    for index in range(count):
        measurand, phase, unit, value = _PATTERN[index % len(_PATTERN)]
        sample = t.SampledValueType(
            value=value,
            context=e.ReadingContextEnumType.SAMPLE_PERIODIC,
            measurand=measurand,
            location=e.LocationEnumType.EV if measurand is e.MeasurandEnumType.SOC else e.LocationEnumType.OUTLET,
            unit_of_measure=t.UnitOfMeasureType(unit=unit),
        )
        if phase is not None:
            sample.phase = phase
        values.append(sample)
    return values


def _meter_value(count: int) -> t.MeterValueType:
    return t.MeterValueType(timestamp=_now(), sampled_value=sampled_values(count))
