"""The OCPP layer's own cost per incoming CALL, in one process, with no sockets.

A CSMS connection (``OcppConnection`` with the generated CSMS binding, validation on) is fed CALL
frames straight into its Session; its WebSocket is replaced by an object whose ``send`` just counts.
Each message therefore goes through everything ocppwire does between "bytes arrived" and "bytes
handed to the transport": frame decode, payload validation, the handler task, the handler, response
validation and encoding. The same loop with a function that splices a fixed CALLRESULT instead (what
the transport-ceiling server does) is the baseline. The difference is the OCPP layer, free of
kernel, socket and load-generator noise. This is the benchmark to profile the runtime's hot path
with (``python -m cProfile -m benchmarks.layer_bench``) and to compare commits.

``python -m benchmarks.layer_bench [--messages N]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from ocppwire.runtime.connection import ConnectionInfo, OcppConnection, SessionConfig
from ocppwire.v201 import csms

from .machine import header_lines
from .bench_csms import BenchCsms
from .samples import INBOUND
from .servers import ceiling_answer
from .table import render

__all__ = ["main", "measure_layer"]


class _CountingSocket:
    """Stands in for the WebSocket: ``send`` only counts."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, data: bytes, text: bool = True) -> None:
        self.sent += 1

    async def close(self, code: int = 1000, reason: str = "") -> None:
        pass


async def _per_message(feed: Callable[[bytes], Awaitable[None]], frame: bytes, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        await feed(frame)
        await asyncio.sleep(0)  # let the handler task run, as the receive loop would by awaiting the socket
    await asyncio.sleep(0)
    return (time.perf_counter() - start) / count


async def measure_layer(frame: bytes, count: int, rounds: int) -> tuple[float, float]:
    """Median seconds per message through ocppwire, and through the splice-only baseline."""
    socket = _CountingSocket()
    info = ConnectionInfo("CS1", "ocpp2.0.1")
    connection: OcppConnection[Any, Any] = OcppConnection(
        socket, csms.BINDING, BenchCsms(), info, SessionConfig()  # type: ignore[arg-type]
    )

    async def splice(data: bytes) -> None:
        await socket.send(ceiling_answer(data))

    ours, base = [], []
    for _ in range(rounds):
        ours.append(await _per_message(connection.session.receive, frame, count))
        base.append(await _per_message(splice, frame, count))
    expected = 2 * rounds * count
    assert socket.sent == expected, f"{socket.sent} answers for {expected} CALLs"
    return statistics.median(ours), statistics.median(base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000, help="messages per round (default 20,000)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for sample in (s for s in INBOUND if s.action in ("Heartbeat", "MeterValues", "TransactionEvent")):
        ours, base = asyncio.run(measure_layer(sample.call_frame(), args.messages, args.rounds))
        rows.append([sample.label, f"{ours * 1e6:.2f}", f"{base * 1e6:.2f}", f"{(ours - base) * 1e6:.2f}"])
    print("\n".join(header_lines()) + "\n")
    print(render("OCPP layer per incoming CALL, in process (µs per message, median of rounds)",
                 ["CALL", "ocppwire", "splice a fixed answer", "OCPP layer"], rows))  # fmt: skip


if __name__ == "__main__":
    main()
