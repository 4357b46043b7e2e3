"""The three CSMSs of the end-to-end benchmark, each run in its own process.

- ``ocppwire`` — a CSMS on the generated stubs (``csms.CsmsHandler`` + ``csms.serve``), validation on;
- ``peer`` — a CSMS on the ``ocpp`` package: its v201 ``ChargePoint`` with ``@on`` handlers, served by
  the same ``websockets`` server, as the package's own examples do it (schema validation on, its default);
- ``ceiling`` — a bare ``websockets`` server that answers every frame with a fixed CALLRESULT,
  spliced with the request's messageId by byte slicing: no JSON parsing, no validation, no
  handler. The transport's own cost, so the OCPP layers' cost shows as the distance to it.

All three answer the same actions with the same payloads and use identical WebSocket settings.
``python -m benchmarks.servers KIND --port 0`` prints one JSON line ``{"port": ..., "pid": ...}``
once listening and serves until it gets SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import signal
import time
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.exceptions import ConnectionClosed
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.typing import Subprotocol

__all__ = ["KINDS", "deflate_factory", "main"]

KINDS = ("ocppwire", "peer", "ceiling")
SUBPROTOCOL = "ocpp2.0.1"
INTERVAL = 300


def deflate_factory(
    window_bits: int = 12, mem_level: int = 5, no_context_takeover: bool = False
) -> ServerPerMessageDeflateFactory:
    """permessage-deflate for the benchmark CSMS. The zlib state kept per connection is what dominates a
    CSMS's memory at 10,000 connections: a compressor needs about ``2**(window_bits+2) + 2**(mem_level+9)``
    bytes plus ~6 KiB, a decompressor ``2**window_bits`` plus ~7 KiB (see docs/benchmarks.md).
    ``window_bits`` limits both directions (the client's window only when it offers
    ``client_max_window_bits``); ``no_context_takeover`` drops the server's compressor between
    messages (a new one per message: less memory, more CPU, worse compression)."""
    return ServerPerMessageDeflateFactory(
        server_no_context_takeover=no_context_takeover,
        server_max_window_bits=window_bits,
        client_max_window_bits=window_bits,
        compress_settings={"memLevel": mem_level},
    )


def _ws_settings(args: argparse.Namespace) -> dict[str, Any]:
    """WebSocket settings shared by every kind of server (and so identical across contenders)."""
    factory = deflate_factory(args.window_bits, args.mem_level, args.no_context_takeover)
    extensions = [factory] if args.compression else None
    return {
        "extensions": extensions,
        "ping_interval": args.ping_interval or None,
        "ping_timeout": (args.ping_interval or None) and 30.0,
        "max_size": 2**20,
        "open_timeout": 60.0,
        "close_timeout": 5.0,
    }


# ---- ocppwire ---------------------------------------------------------------------------------
async def serve_ocppwire(args: argparse.Namespace) -> Any:
    # imported here so the peer and ceiling server processes never load ocppwire
    from ocppwire.v201 import csms

    from .bench_csms import BenchCsms

    from ocppwire.runtime.deflate import DeflateSettings

    options = _ws_settings(args)
    extensions = options.pop("extensions")
    compression: Any = False
    if extensions:  # the same settings on either transport, as DeflateSettings
        compression = DeflateSettings(
            server_max_window_bits=args.window_bits,
            client_max_window_bits=args.window_bits,
            server_no_context_takeover=args.no_context_takeover,
            client_no_context_takeover=args.no_context_takeover,  # both directions: no zlib state kept when idle
            mem_level=args.mem_level,
        )
    server = await csms.serve(
        BenchCsms(),
        args.host,
        args.port,
        options=csms.ServerOptions(
            compression=compression,
            ping_interval=options["ping_interval"],
            ping_timeout=options["ping_timeout"],
            max_message_size=options["max_size"],
            open_timeout=options["open_timeout"],
            close_timeout=options["close_timeout"],
            shutdown_grace=1.0,
            transport=args.transport,
            # the benchmarks open up to tens of thousands of stations from one loopback address
            max_pending_handshakes=1_000_000,
            max_connections=1_000_000,
            max_connections_per_address=1_000_000,
            handshake_rate=1e9,
            handshake_burst=1_000_000,
            # --cluster NATS_URL: the same server as a node of a cluster (benchmarks/cluster_bench.py)
            cluster=_cluster_config(args),
        ),
    )
    return server, server.port, server.close


def _cluster_config(args: argparse.Namespace) -> Any:
    if not args.cluster:
        return None
    from ocppwire.cluster import ClusterConfig

    return ClusterConfig(servers=(args.cluster,), name=args.cluster_name, events=args.cluster_events)


# ---- the peer (ocpp 2.1.0) ----------------------------------------------------------------------
async def serve_peer(args: argparse.Namespace) -> Any:
    from ocpp.routing import on  # type: ignore[import-untyped]
    from ocpp.v201 import ChargePoint, call_result  # type: ignore[import-untyped]

    class BenchChargePoint(ChargePoint):  # type: ignore[misc]
        @on("BootNotification")  # type: ignore[untyped-decorator]
        async def on_boot_notification(self, **kwargs: Any) -> Any:
            return call_result.BootNotification(
                current_time=datetime.now(UTC).isoformat(), interval=INTERVAL, status="Accepted"
            )

        @on("Heartbeat")  # type: ignore[untyped-decorator]
        async def on_heartbeat(self, **kwargs: Any) -> Any:
            return call_result.Heartbeat(current_time=datetime.now(UTC).isoformat())

        @on("StatusNotification")  # type: ignore[untyped-decorator]
        async def on_status_notification(self, **kwargs: Any) -> Any:
            return call_result.StatusNotification()

        @on("MeterValues")  # type: ignore[untyped-decorator]
        async def on_meter_values(self, **kwargs: Any) -> Any:
            return call_result.MeterValues()

        @on("TransactionEvent")  # type: ignore[untyped-decorator]
        async def on_transaction_event(self, **kwargs: Any) -> Any:
            if kwargs.get("id_token"):
                return call_result.TransactionEvent(id_token_info={"status": "Accepted"})
            return call_result.TransactionEvent()

    async def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        identity = ws.request.path.rstrip("/").rsplit("/", 1)[-1]
        try:
            await BenchChargePoint(identity, ws).start()
        except ConnectionClosed:
            pass

    server = await ws_serve(
        handler, args.host, args.port, subprotocols=[Subprotocol(SUBPROTOCOL)], **_ws_settings(args)
    )
    return server, server.sockets[0].getsockname()[1], _closer(server)


# ---- the transport ceiling -----------------------------------------------------------------------
_FIXED = {
    b"Heartbeat": b'{"currentTime":"2025-03-14T09:26:53Z"}',
    b"BootNotification": b'{"currentTime":"2025-03-14T09:26:53Z","interval":300,"status":"Accepted"}',
    b"TransactionEvent": b"{}",
}


def ceiling_answer(data: bytes) -> bytes:
    """A CALLRESULT for the CALL in ``data``, without parsing it: ``[2,"<id>","<Action>",...`` is sliced."""
    id_end = data.index(b'"', 4)
    action_end = data.index(b'"', id_end + 3)
    payload = _FIXED.get(data[id_end + 3 : action_end], b"{}")
    return b'[3,"' + data[4:id_end] + b'",' + payload + b"]"


async def serve_ceiling(args: argparse.Namespace) -> Any:
    async def handler(ws: ServerConnection) -> None:
        try:
            while True:
                data = await ws.recv(decode=False)
                await ws.send(ceiling_answer(data), text=True)
        except ConnectionClosed:
            pass

    async def reply(ws: ServerConnection, data: bytes) -> None:
        try:
            await ws.send(ceiling_answer(data), text=True)
        except ConnectionClosed:
            pass

    async def tasked(ws: ServerConnection) -> None:  # one task per message, as a CSMS needs (see --task-per-message)
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await ws.recv(decode=False)
                loop.create_task(reply(ws, data))
        except ConnectionClosed:
            pass

    chosen = tasked if args.task_per_message else handler
    server = await ws_serve(chosen, args.host, args.port, subprotocols=[Subprotocol(SUBPROTOCOL)], **_ws_settings(args))
    return server, server.sockets[0].getsockname()[1], _closer(server)


def _closer(server: Any) -> Any:
    async def close() -> None:
        server.close()
        await server.wait_closed()

    return close


# ---- process entry ---------------------------------------------------------------------------------
async def _serve(args: argparse.Namespace) -> None:
    from ocppwire.sim.runner import raise_open_file_limit

    open_files = raise_open_file_limit(1 << 20)  # one per connection: up to the hard limit, no further
    starter = {"ocppwire": serve_ocppwire, "peer": serve_peer, "ceiling": serve_ceiling}[args.kind]
    if args.gc_threshold:
        # Fewer young-generation collections: with thousands of connections in flight, objects of
        # messages being handled survive them, get promoted and trigger full collections over a
        # heap of every connection's objects (docs/benchmarks.md).
        gc.set_threshold(args.gc_threshold, *gc.get_threshold()[1:])
    collector = CollectorStats()
    if args.gc_stats:
        gc.callbacks.append(collector.callback)
    _, port, close = await starter(args)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    ready = {"port": port, "pid": os.getpid(), "kind": args.kind, "open_files": open_files}
    print(json.dumps(ready), flush=True)
    await stop.wait()
    if args.gc_stats:
        with open(args.gc_stats, "w", encoding="utf-8") as out:
            json.dump(collector.as_dict(), out)
    await close()


class CollectorStats:
    """Collections and the time spent in them, per generation (through ``gc.callbacks``)."""

    def __init__(self) -> None:
        self.collections = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.full: list[tuple[float, float]] = []
        """(when, seconds) of every full collection, ``when`` in ``time.time()`` seconds."""
        self._started = 0.0

    def callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = info["generation"]
            seconds = time.perf_counter() - self._started
            self.collections[generation] += 1
            self.seconds[generation] += seconds
            if generation == 2:
                self.full.append((time.time(), seconds))

    def as_dict(self) -> dict[str, Any]:
        return {"collections": self.collections, "seconds": self.seconds, "full": self.full}


def main() -> None:
    parser = argparse.ArgumentParser(description="A benchmark CSMS (ocppwire, peer or bare transport).")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--compression", action="store_true", help="enable permessage-deflate")
    parser.add_argument("--window-bits", type=int, default=12, help="deflate window bits, both directions")
    parser.add_argument("--mem-level", type=int, default=5, help="deflate memLevel of the compressor")
    parser.add_argument("--no-context-takeover", action="store_true", help="new compressor per message")
    parser.add_argument(
        "--task-per-message",
        action="store_true",
        help="ceiling only: answer each frame from a new task, as a CSMS must (handlers may call "
        "the station back), to show what that costs the bare transport",
    )
    parser.add_argument(
        "--gc-threshold",
        type=int,
        default=0,
        help="set the collector's generation-0 threshold (default: leave Python's 700)",
    )
    parser.add_argument("--gc-stats", metavar="PATH", help="write garbage-collection counts and times to PATH at exit")
    parser.add_argument("--profile", metavar="PATH", help="run under cProfile and write the stats to PATH")
    parser.add_argument(
        "--transport",
        choices=["websockets", "picows"],
        default="websockets",
        help="ocppwire only: the WebSocket transport (ServerOptions.transport)",
    )
    parser.add_argument(
        "--ping-interval", type=float, default=30.0, help="seconds between keep-alive pings per connection (0: none)"
    )
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio", help="the event loop")
    parser.add_argument("--cluster", metavar="NATS_URL", help="ocppwire only: join a cluster on this NATS server")
    parser.add_argument("--cluster-name", default="bench", help="the cluster's name (default bench)")
    parser.add_argument(
        "--cluster-events", action="store_true", help="publish every station request to the events stream"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.profile:
        import cProfile

        with cProfile.Profile() as profiler:
            _run(_serve(args), args.loop)
        profiler.dump_stats(args.profile)
    else:
        _run(_serve(args), args.loop)


def _run(main: Any, loop: str) -> None:
    """``asyncio.run`` on the chosen event loop (uvloop for any kind, so the contenders stay comparable)."""
    factory = None
    if loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main)


if __name__ == "__main__":
    main()
