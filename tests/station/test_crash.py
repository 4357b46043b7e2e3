"""Crash tests with real processes and real files: SIGKILL the station mid-transaction, cut power mid-write.

The station (``station_process.py``) runs in its own process on a SQLite file; the CSMS runs in the
test's event loop and is down while the station is killed. After the restarts every TransactionEvent
must reach the CSMS exactly once, in order, with ``seqNo`` 0, 1, 2 … and ``offline`` true on every
event made while the CSMS was down.

``OCPPWIRE_CRASH_ROUNDS`` sets the number of random kill points (default 3, about 10-20 s; ``make
crash`` runs 30).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
from pathlib import Path

from ocppwire.storage import StationStore
from ocppwire.v201 import csms

from .recording_csms import RecordingCsms, free_port

HERE = Path(__file__).resolve().parent
ROUNDS = int(os.environ.get("OCPPWIRE_CRASH_ROUNDS", "3"))
EVENTS = 40


async def start_station(db: Path, url: str, transaction: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "station_process.py"),
        str(db),
        url,
        "CS1",
        transaction,
        str(EVENTS),
        "--interval",
        "0.01",
        stdout=asyncio.subprocess.PIPE,
    )


async def read_until_killed(process: asyncio.subprocess.Process, kill_after: int) -> list[str]:
    """Read event lines; SIGKILL the process once ``kill_after`` lines were printed (or it ends)."""
    lines: list[str] = []
    assert process.stdout is not None
    while True:
        raw = await asyncio.wait_for(process.stdout.readline(), 20)
        if not raw:
            break
        lines.append(raw.decode().strip())
        if len(lines) >= kill_after:
            process.send_signal(signal.SIGKILL)
            break
    await process.wait()
    return lines


async def run_round(tmp_path: Path, rng: random.Random, number: int, handler: RecordingCsms) -> None:
    db = tmp_path / f"station-{number}.db"
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ocpp"
    transaction = f"TX{number}"
    offline_made: set[int] = set()
    # CSMS down: one or two station runs, each killed at a random point of the session.
    for _ in range(rng.randint(1, 2)):
        process = await start_station(db, url, transaction)
        lines = await read_until_killed(process, rng.randint(1, EVENTS // 2))
        offline_made |= {int(line.split()[1]) for line in lines if line.startswith("event")}
        assert process.returncode == -signal.SIGKILL or lines[-1] == "drained"
    # CSMS up again, station restarted: it finishes the session and delivers everything.
    async with csms.serve(handler, "127.0.0.1", port):
        process = await start_station(db, url, transaction)
        out, _ = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, out
    received = [r for _, r in handler.events if r.transaction_info.transaction_id == transaction]
    assert [r.seq_no for r in received] == list(range(EVENTS)), "exactly once, in order, no gaps"
    assert received[0].event_type == "Started" and received[-1].event_type == "Ended"
    assert all(received[seq].offline is True for seq in offline_made)
    with StationStore(db) as store:
        assert store.check() == "ok"
        assert store.query("SELECT COUNT(*) FROM outbox")[0][0] == 0


async def test_sigkill_mid_transaction_while_csms_down_loses_and_repeats_nothing(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("OCPPWIRE_CRASH_SEED", "20201")))
    handler = RecordingCsms()
    for number in range(ROUNDS):
        await run_round(tmp_path, rng, number, handler)


WRITER = """
import sys
from ocppwire.outbox import DurableQueue
from ocppwire.storage import StationStore
queue = DurableQueue(StationStore(sys.argv[1]))
n = 0
while True:
    queue.push_sequenced("TransactionEvent", "T", lambda seq: b"x" * 2000 + str(seq).encode(), ends_transaction=False)
    n += 1
    print(n, flush=True)
"""


async def test_power_cut_during_writes_never_corrupts_the_store(tmp_path: Path) -> None:
    """SIGKILL a process writing as fast as it can, at random moments: the file opens sound, nothing committed is lost."""
    rng = random.Random(7)
    db = tmp_path / "power.db"
    confirmed = 0
    for _ in range(max(3, ROUNDS)):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", WRITER, str(db), stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None
        await asyncio.sleep(rng.uniform(0.6, 1.2))  # import time plus a random share of writing
        process.send_signal(signal.SIGKILL)
        out, _ = await process.communicate()
        printed = out.decode().split()
        confirmed += int(printed[-1]) if printed else 0
        with StationStore(db) as store:
            assert store.check() == "ok"
            rows = store.query("SELECT COUNT(*) FROM outbox")[0][0]
            next_seq = store.query("SELECT next_seq FROM transaction_seq WHERE transaction_id = 'T'")
            assert rows >= confirmed  # every write reported as done is there (one more may have committed)
            assert next_seq and next_seq[0][0] == rows  # counter and rows agree: no seqNo used twice or skipped
            confirmed = rows
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
