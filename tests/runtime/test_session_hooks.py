"""The asyncio adapter's own duties, in memory: after_<action> hooks, SEND delivery (2.1), a peer's
CALLRESULTERROR, and logging of hook failures with the station's identity."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest

from ocppwire.v21 import csms as csms21
from ocppwire.v21 import messages as m21
from ocppwire.v201 import csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

from .memory import MemoryConnection

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
BOOT = '[2, "b1", "BootNotification", {"reason": "PowerUp", "chargingStation": {"model": "m", "vendorName": "v"}}]'
STREAM = (
    '[6, "s1", "NotifyPeriodicEventStream", {"id": 7, "pending": 0, "basetime": "2025-01-01T00:00:00Z",'
    ' "data": [{"t": 0.5, "v": "12"}]}]'
)


class BootingCsms(csms.CsmsHandler):
    def __init__(self) -> None:
        self.after: list[tuple[str, str, int]] = []
        self.answered_first = False
        self.conn: MemoryConnection | None = None

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        return m.BootNotificationResponse(current_time=NOW, interval=60, status=e.RegistrationStatusEnumType.ACCEPTED)

    async def after_boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest, res: m.BootNotificationResponse
    ) -> None:
        assert self.conn is not None
        self.answered_first = any(frame[:2] == [3, "b1"] for frame in self.conn.out)  # the answer went out first
        self.after.append((station.identity, req.charging_station.model, res.interval))


async def test_after_hook_runs_once_the_answer_is_written() -> None:
    handler = BootingCsms()
    conn = MemoryConnection(handler)
    handler.conn = conn
    await conn.send(BOOT)
    for _ in range(50):
        await asyncio.sleep(0)
    assert handler.after == [("RAW1", "m", 60)] and handler.answered_first
    assert conn.out[0][:2] == [3, "b1"] and conn.session.handling == 0


async def test_a_failing_after_hook_is_logged_with_the_identity(caplog: pytest.LogCaptureFixture) -> None:
    class Failing(BootingCsms):
        async def after_boot_notification(
            self, station: csms.ChargingStationClient, req: m.BootNotificationRequest, res: m.BootNotificationResponse
        ) -> None:
            raise RuntimeError("the hook broke")

    conn = MemoryConnection(Failing())
    with caplog.at_level(logging.ERROR, logger="ocppwire.session"):
        answer = await conn.exchange(BOOT)
        for _ in range(20):
            await asyncio.sleep(0)
    assert answer[:2] == [3, "b1"]  # the station got its answer all the same
    assert any("RAW1" in r.getMessage() and "after_ hook" in r.getMessage() for r in caplog.records)
    assert conn.session.handling == 0


async def test_a_send_reaches_its_handler_and_is_never_answered() -> None:
    seen: list[int] = []

    class StreamCsms(csms21.CsmsHandler):
        async def notify_periodic_event_stream(
            self, station: csms21.ChargingStationClient, req: m21.NotifyPeriodicEventStreamRequest
        ) -> None:
            seen.append(req.id)

    conn = MemoryConnection(StreamCsms(), binding=csms21.BINDING)
    await conn.send(STREAM)
    await conn.expect_silence()
    assert seen == [7] and conn.stats.sends_received == 1 and conn.session.handling == 0


async def test_an_unhandled_send_is_dropped_quietly() -> None:
    conn = MemoryConnection(csms21.CsmsHandler(), binding=csms21.BINDING)
    await conn.send(STREAM)
    await conn.expect_silence()
    assert conn.stats.handler_failures == 0


async def test_a_peers_callresulterror_is_logged_not_answered(caplog: pytest.LogCaptureFixture) -> None:
    conn = MemoryConnection(csms21.CsmsHandler(), binding=csms21.BINDING)
    with caplog.at_level(logging.WARNING, logger="ocppwire.session"):
        await conn.send('[5, "x1", "PropertyConstraintViolation", "bad", {}]')
        await conn.expect_silence()
    assert conn.stats.result_errors_received == 1
    assert any("could not accept our answer" in r.getMessage() for r in caplog.records)
