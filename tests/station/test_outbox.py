"""The outbox against a real CSMS on loopback: order, seqNo, offline flag, retries, drops, QueueAllMessages."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ocppwire.devicemodel import DeviceModel
from ocppwire.outbox import DroppedMessage, MessageDroppedError, Outbox, OutboxSettings
from ocppwire.runtime.backoff import RetryBackOff
from ocppwire.runtime.exceptions import ConnectionClosedError
from ocppwire.storage import StationStore
from ocppwire.v201 import catalog, csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from .recording_csms import RecordingCsms, free_port


def tx_event(transaction_id: str, kind: e.TransactionEventEnumType) -> m.TransactionEventRequest:
    return m.TransactionEventRequest(
        event_type=kind,
        timestamp=datetime.now(UTC),
        trigger_reason=e.TriggerReasonEnumType.AUTHORIZED,
        seq_no=99,  # replaced by the outbox
        transaction_info=t.TransactionType(transaction_id=transaction_id),
    )


STARTED, UPDATED, ENDED = (
    e.TransactionEventEnumType.STARTED,
    e.TransactionEventEnumType.UPDATED,
    e.TransactionEventEnumType.ENDED,
)


def connect(url: str) -> station.StationConnection:
    return station.connect(
        url,
        identity="CS1",
        handler=station.ChargingStationHandler(),
        options=station.ClientOptions(
            backoff=RetryBackOff(wait_minimum=0.05, random_range=0.0, repeat_times=0),
            first_connect_attempts=None,  # the CSMS may still be down
        ),
    )


async def test_online_events_are_numbered_and_delivered_in_order() -> None:
    handler = RecordingCsms()
    async with csms.serve(handler, "127.0.0.1", 0) as server, connect(server.url) as conn:
        outbox = Outbox(StationStore.memory())
        outbox.start(conn)
        submissions = [outbox.submit(tx_event("T1", k)) for k in (STARTED, UPDATED, UPDATED, ENDED)]
        responses = await asyncio.gather(*(s.response for s in submissions))
        assert all(isinstance(r, m.TransactionEventResponse) for r in responses)
        assert handler.seq_nos("T1") == [0, 1, 2, 3]
        assert all(r.offline is not True for _, r in handler.events)  # created online: offline stays absent
        assert len(outbox) == 0 and outbox.stats.delivered == 4
        assert not outbox.queue.transaction_ended("T1") and outbox.queue.next_seq_no("T1") == 0  # forgotten
        await outbox.close()


async def test_offline_events_wait_and_go_out_in_creation_order_with_offline_set(tmp_path: Path) -> None:
    handler = RecordingCsms()
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ocpp"
    conn = connect(url)
    opening = asyncio.create_task(conn.start())
    outbox = Outbox(StationStore(tmp_path / "station.db"))
    outbox.start(conn)
    for kind in (STARTED, UPDATED):
        outbox.submit(tx_event("A", kind))
    outbox.submit(tx_event("B", STARTED))
    outbox.submit(tx_event("A", ENDED))
    assert len(outbox) == 4 and outbox.stats.queued == 4
    await asyncio.sleep(0.2)
    assert len(outbox) == 4  # nobody to send to
    async with csms.serve(handler, "127.0.0.1", port):
        await opening
        assert await outbox.drain(timeout=10)
        outbox.submit(tx_event("B", ENDED))  # online now
        assert await outbox.drain(timeout=10)
    await outbox.close()
    await conn.close(grace=0)
    got = [(r.transaction_info.transaction_id, r.seq_no, r.offline) for _, r in handler.events]
    assert got[:4] == [("A", 0, True), ("A", 1, True), ("B", 0, True), ("A", 2, True)]
    assert got[4][:2] == ("B", 1) and got[4][2] is not True  # the last one happened while connected


async def test_callerror_is_retried_then_dropped_with_log_and_hook(caplog: pytest.LogCaptureFixture) -> None:
    handler = RecordingCsms()
    handler.refuse = 10**6
    dropped: list[DroppedMessage] = []
    model = DeviceModel()
    model.add(catalog.OCPPCommCtrlr.MessageAttempts_TransactionEvent, 3)
    model.add(catalog.OCPPCommCtrlr.MessageAttemptInterval_TransactionEvent, 0)
    async with csms.serve(handler, "127.0.0.1", 0) as server, connect(server.url) as conn:
        outbox = Outbox(StationStore.memory(), device_model=model, on_drop=dropped.append)
        outbox.start(conn)
        first = outbox.submit(tx_event("X", STARTED))
        second = outbox.submit(tx_event("Y", STARTED))
        with caplog.at_level(logging.WARNING, logger="ocppwire.outbox"):
            with pytest.raises(MessageDroppedError):
                await first.response
            handler.refuse = 0
            assert isinstance(await second.response, m.TransactionEventResponse)
        await outbox.close()
    assert handler.refused == 3  # MessageAttempts tries, then dropped
    assert [d.action for d in dropped] == ["TransactionEvent"] and dropped[0].attempts == 3
    assert "dropped TransactionEvent" in caplog.text
    assert handler.seq_nos("Y") == [0] and outbox.stats.dropped == 1 and outbox.stats.failed_attempts == 3


async def test_retry_waits_grow_with_message_attempt_interval() -> None:
    handler = RecordingCsms()
    handler.refuse = 2
    async with csms.serve(handler, "127.0.0.1", 0) as server, connect(server.url) as conn:
        outbox = Outbox(
            StationStore.memory(), settings=OutboxSettings(message_attempts=3, message_attempt_interval=0.2)
        )
        outbox.start(conn)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await outbox.call(tx_event("R", STARTED))
        elapsed = loop.time() - started
        await outbox.close()
    assert 0.6 <= elapsed < 5  # 0.2 × 1 after the first failure, 0.2 × 2 after the second
    assert handler.seq_nos("R") == [0]


async def test_queue_all_messages_makes_every_message_durable() -> None:
    handler = RecordingCsms()
    model = DeviceModel()
    model.add(catalog.OCPPCommCtrlr.QueueAllMessages, False)
    port = free_port()
    conn = connect(f"ws://127.0.0.1:{port}/ocpp")
    opening = asyncio.create_task(conn.start())
    outbox = Outbox(StationStore.memory(), device_model=model)
    outbox.start(conn)
    with pytest.raises(ConnectionClosedError):
        await outbox.call(m.HeartbeatRequest())  # not durable, and offline
    model.set(catalog.OCPPCommCtrlr.QueueAllMessages, True)
    queued = outbox.submit(m.HeartbeatRequest())
    assert queued.id is not None and len(outbox) == 1
    async with csms.serve(handler, "127.0.0.1", port):
        await opening
        assert isinstance(await queued.response, m.HeartbeatResponse)
        model.set(catalog.OCPPCommCtrlr.QueueAllMessages, False)
        assert isinstance(await outbox.call(m.HeartbeatRequest()), m.HeartbeatResponse)  # sent directly
        assert isinstance(await outbox.call(m.HeartbeatRequest(), durable=True), m.HeartbeatResponse)
    await outbox.close()
    await conn.close(grace=0)
    assert len([x for x in handler.other if isinstance(x, m.HeartbeatRequest)]) == 3 and outbox.stats.sent_directly == 2


def test_settings_come_from_the_device_model() -> None:
    model = DeviceModel()
    assert OutboxSettings().read(model) == OutboxSettings()
    model.add(catalog.OCPPCommCtrlr.MessageAttempts_TransactionEvent, 5)
    model.add(catalog.OCPPCommCtrlr.MessageAttemptInterval_TransactionEvent, 7)
    model.add(catalog.OCPPCommCtrlr.QueueAllMessages, True)
    assert OutboxSettings().read(model) == OutboxSettings(5, 7, True)
    assert OutboxSettings(message_attempt_interval=7).retry_delay(3) == 21


def test_queue_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with StationStore(path) as store:
        outbox_queue = Outbox(store).queue
        outbox_queue.push("Heartbeat", b"{}")
        outbox_queue.push_sequenced("TransactionEvent", "T", lambda seq: str(seq).encode(), ends_transaction=False)
        outbox_queue.push_sequenced("TransactionEvent", "T", lambda seq: str(seq).encode(), ends_transaction=False)
    with StationStore(path) as store:
        queue = Outbox(store).queue
        assert len(queue) == 3 and queue.next_seq_no("T") == 2
        head = queue.head()
        assert head is not None and head.action == "Heartbeat"
        queue.remove(head.id)
        head = queue.head()
        assert head is not None and head.payload == b"0"
        assert store.check() == "ok"


async def test_a_stored_message_that_no_longer_decodes_is_dropped_and_a_failing_hook_stops_nothing() -> None:
    handler = RecordingCsms()
    dropped: list[DroppedMessage] = []
    answered: list[str] = []

    def broken_hook(spec: object, request: object, response: object) -> None:
        answered.append("called")
        raise RuntimeError("application bug")

    async with csms.serve(handler, "127.0.0.1", 0) as server, connect(server.url) as conn:
        outbox = Outbox(StationStore.memory(), on_drop=dropped.append, on_response=broken_hook)
        outbox.queue.push("TransactionEvent", b'{"not": "an event"}')  # e.g. written by older firmware
        outbox.queue.push("NoSuchAction", b"{}")
        first = outbox.submit(tx_event("Z", STARTED))
        second = outbox.submit(tx_event("Z", ENDED))
        outbox.start(conn)
        await asyncio.wait_for(asyncio.gather(first.response, second.response), 10)
        await outbox.close()
    assert [d.action for d in dropped] == ["TransactionEvent", "NoSuchAction"]
    assert handler.seq_nos("Z") == [0, 1] and answered == ["called", "called"]
