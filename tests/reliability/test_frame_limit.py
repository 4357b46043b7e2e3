"""The frame size limit holds, and memory with it, against a CSMS running in its own process.

Three ways to push more than ``max_message_size`` (1 MiB) at the CSMS, each on a fresh
connection: a plain 2 MiB frame; the same with compression negotiated (random text, so it stays
big on the wire); and a decompression bomb — 64 MiB of spaces that deflate to about 64 KB, well
under the limit on the wire. Each must be refused with close code 1009 without the CSMS ever
holding the whole message: its resident memory, measured from outside, must stay bounded and stop
growing (the second half of the run adds next to nothing), it must log no error, and it must keep
serving.

Measured figure behind the bounds: a bomb is inflated only up to the limit (websockets passes
``max_size`` to zlib), so memory does not scale with the bomb; glibc keeps some freed 1 MiB
buffers, which shows as a plateau of about 20 MiB after a few dozen bombs (1,600 bombs in a row:
46–55 MiB resident, flat from the 200th on; 50 bombs at once: +10 MiB).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys

import psutil
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from ..conftest import ROOT
from ..conftest import Figures
from .scale import SCALE
import pytest

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

LIMIT = 2**20
MiB = 2**20


async def _refused(port: int, payload: str, compression: str | None) -> int | None:
    """Send one oversized message; return the close code the CSMS sent."""
    async with ws_connect(
        f"ws://127.0.0.1:{port}/BIG", subprotocols=["ocpp2.0.1"], compression=compression, proxy=None  # type: ignore[list-item]
    ) as ws:
        try:
            await ws.send(payload)
            await asyncio.wait_for(ws.recv(), 10)
        except ConnectionClosed:
            pass
        return ws.close_code


async def _heartbeat(port: int) -> list[object]:
    async with ws_connect(f"ws://127.0.0.1:{port}/OK", subprotocols=["ocpp2.0.1"], proxy=None) as ws:  # type: ignore[list-item]
        await ws.send('[2,"hb","Heartbeat",{}]')
        return json.loads(await asyncio.wait_for(ws.recv(), 5))  # type: ignore[no-any-return]


async def test_oversized_frames_close_with_1009_and_memory_stays_flat(figures: Figures) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.reliability.csms_process",
        "--max-size",
        str(LIMIT),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdin is not None and process.stderr is not None
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        port = int(line.split()[1])
        rng = random.Random(9)
        incompressible = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(2 * LIMIT))
        bomb = " " * (64 * MiB)
        kinds = [
            ("plain 2 MiB", incompressible, None),
            ("deflate 2 MiB", incompressible, "deflate"),
            ("bomb 64 MiB", bomb, "deflate"),
        ]
        server = psutil.Process(process.pid)
        for _, payload, compression in kinds:  # warm-up: allocator pools, imports, first connections
            await _refused(port, payload, compression)
        baseline = peak = server.memory_info().rss
        codes: dict[str, list[int | None]] = {name: [] for name, _, _ in kinds}
        half = baseline
        for i in range(SCALE.oversized_frames):
            name, payload, compression = kinds[i % len(kinds)]
            codes[name].append(await _refused(port, payload, compression))
            peak = max(peak, server.memory_info().rss)
            if i == SCALE.oversized_frames // 2:
                half = server.memory_info().rss
        after = server.memory_info().rss
        answer = await _heartbeat(port)
    finally:
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()
    log = (await process.stderr.read()).decode()
    figures.record(
        "frame size limit (CSMS process)",
        oversized_frames=SCALE.oversized_frames,
        rss_baseline_mib=round(baseline / MiB, 1),
        rss_peak_growth_mib=round((peak - baseline) / MiB, 2),
        rss_end_growth_mib=round((after - baseline) / MiB, 2),
        rss_growth_second_half_mib=round((after - half) / MiB, 2),
    )
    assert all(set(c) == {1009} for c in codes.values()), codes
    assert answer[:2] == [3, "hb"]
    assert peak - baseline < 32 * MiB  # bounded: never near the 64 MiB a bomb would inflate to
    assert after - half < 8 * MiB  # and not growing with the number of frames
    assert "Traceback" not in log and "ERROR" not in log, log
