"""A Charging Station process for the crash tests: one charging session whose events go through the outbox.

Run as ``python station_process.py DB URL IDENTITY TRANSACTION EVENTS [--interval S]``. It opens the
station database, connects in the background (the CSMS may be down), and generates the events of
transaction ``TRANSACTION`` that are not in the database yet: Started with seqNo 0, Updated, and
Ended as event number ``EVENTS - 1``. Where to resume comes from the outbox's own seqNo counter, so
a process killed at any point and started again continues the same transaction.

It prints one line per event, after the outbox stored it: ``event <seqNo> <offline>``, then
``drained`` once the queue is empty, and exits. The tests SIGKILL it at random moments.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from ocppwire.outbox import Outbox, OutboxSettings
from ocppwire.runtime.backoff import RetryBackOff
from ocppwire.storage import StationStore
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import station
from ocppwire.v201 import types as t


def event(transaction_id: str, number: int, last: int) -> m.TransactionEventRequest:
    """Event ``number`` of the session (its seqNo is assigned by the outbox)."""
    kind = (
        e.TransactionEventEnumType.STARTED
        if number == 0
        else e.TransactionEventEnumType.ENDED if number == last else e.TransactionEventEnumType.UPDATED
    )
    return m.TransactionEventRequest(
        event_type=kind,
        timestamp=datetime.now(UTC),
        trigger_reason=e.TriggerReasonEnumType.METER_VALUE_PERIODIC,
        seq_no=0,
        transaction_info=t.TransactionType(transaction_id=transaction_id),
        evse=t.EVSEType(id=1, connector_id=1) if number == 0 else t.EVSEType(id=1),
    )


def connect(url: str, identity: str) -> station.StationConnection:
    """The one place this process connects: reconnect quickly, the tests restart the CSMS."""
    return station.connect(
        url,
        identity=identity,
        handler=station.ChargingStationHandler(),
        options=station.ClientOptions(
            backoff=RetryBackOff(wait_minimum=0.05, random_range=0.05, repeat_times=1),
            call_timeout=5,
            first_connect_attempts=None,  # the CSMS may still be down
        ),
    )


async def main(args: argparse.Namespace) -> None:
    store = StationStore(args.db)
    outbox = Outbox(store, settings=OutboxSettings(message_attempts=3, message_attempt_interval=0.1))
    conn = connect(args.url, args.identity)
    opening = asyncio.create_task(conn.start())
    outbox.start(conn)
    last = args.events - 1
    first = outbox.queue.next_seq_no(args.transaction)
    if outbox.queue.transaction_ended(args.transaction):
        first = args.events  # everything is stored already; only delivery is left
    for number in range(first, args.events):
        outbox.submit(event(args.transaction, number, last))
        print(f"event {number} {'offline' if not outbox.online else 'online'}", flush=True)
        await asyncio.sleep(args.interval)
    await outbox.drain()
    print("drained", flush=True)
    await outbox.close()
    opening.cancel()
    await conn.close(grace=1)
    store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("db", "url", "identity", "transaction"):
        parser.add_argument(name)
    parser.add_argument("events", type=int)
    parser.add_argument("--interval", type=float, default=0.01)
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
