"""The attack run (``make attack``): one hostile peer at a time against a CSMS in its own process.

Loopback only and bounded: each attack runs for ``--seconds`` (default 4) in a process of its own
while five well-behaved stations keep sending Heartbeats to the same CSMS; then the table says, per
attack, what the CSMS did, how much its resident memory grew (peak during the attack, sampled every
50 ms, over the figure just before it), how many log lines it wrote, the
well-behaved stations' p99 latency during the attack, and whether the row holds its bound.

Usage::

    python -m benchmarks.attack [--seconds 4] [--only NAME ...] [--json FILE]

Internally the same module is the CSMS (``--serve``) and each attacker (``--attack NAME``), so every
party has its own process and the CSMS's memory and CPU are its own. The CSMS answers Heartbeat at
once and Authorize after 0.5 s (a slow handler), with every option at its default; ``stats`` on its
stdin prints one JSON line (RSS, Authorize handlers running and their peak, admission counters).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import resource
import ssl
import sys
import tempfile
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEARTBEAT = '[2,"{id}","Heartbeat",{{}}]'
SLOW_HANDLER_SECONDS = 0.5
P99_BOUND_MS = 500.0
RSS_BOUND_MIB = 64.0
BAD_IDENTITIES = [
    "a%2Fb",
    "..%2F..%2Fetc%2Fpasswd",
    "CS%00",
    "CS%0D%0AINFO%20forged",
    "CS%1B%5B2J",
    "CS%E2%80%AE1",
    "%C3%85",
    "A%CC%8A",
    "a%3Ab",
    "x" * 49,
]


# ---- the CSMS under attack ------------------------------------------------------------------------------------


def _tls_files(folder: Path) -> tuple[Path, Path, Path]:
    sys.path.insert(0, str(ROOT))
    from tests.runtime.certs import make_pki

    pki = make_pki(folder, "GOOD0")
    return pki.ca, pki.server.cert, pki.server.key


async def serve(tls_folder: Path | None, nofile: int | None) -> None:
    import logging

    import psutil  # type: ignore[import-untyped]

    from ocppwire.runtime import tls
    from ocppwire.v201 import csms
    from ocppwire.v201 import enums as e
    from ocppwire.v201 import messages as m
    from ocppwire.v201 import types as t

    if nofile is not None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    logging.getLogger("ocppwire.server.websockets").setLevel(logging.WARNING)  # no "connection open" per handshake
    stats: dict[str, int] = {"authorize_running": 0, "authorize_peak": 0}

    class AttackedCsms(csms.CsmsHandler):
        async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
            return m.HeartbeatResponse(current_time=dt.datetime.now(dt.timezone.utc))

        async def authorize(self, station: csms.ChargingStationClient, req: m.AuthorizeRequest) -> m.AuthorizeResponse:
            stats["authorize_running"] += 1
            stats["authorize_peak"] = max(stats["authorize_peak"], stats["authorize_running"])
            try:
                await asyncio.sleep(SLOW_HANDLER_SECONDS)
            finally:
                stats["authorize_running"] -= 1
            return m.AuthorizeResponse(id_token_info=t.IdTokenInfoType(status=e.AuthorizationStatusEnumType.ACCEPTED))

    context = None
    if tls_folder is not None:
        _, cert, key = _tls_files(tls_folder)
        context = tls.server_context(cert, key)
    options = csms.ServerOptions(ssl=context, ping_interval=0)
    me = psutil.Process()
    loop = asyncio.get_running_loop()
    async with csms.serve(AttackedCsms(), "127.0.0.1", 0, options=options) as server:
        print(f"PORT {server.port}", flush=True)
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            report = {
                **stats,
                "rss": me.memory_info().rss,
                "open": server.gate.open,
                "refused": server.gate.refused,
                "stations": len(server.stations),
            }
            print("STATS " + json.dumps(report), flush=True)


@dataclass
class Csms:
    process: asyncio.subprocess.Process
    port: int
    scheme: str
    log_lines: int = 0
    errors: int = 0
    tail: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    async def stats(self) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(b"stats\n")
        await self.process.stdin.drain()
        while True:
            line = (await asyncio.wait_for(self.process.stdout.readline(), 30)).decode()
            if line.startswith("STATS "):
                return json.loads(line[6:])  # type: ignore[no-any-return]

    async def _read_log(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.log_lines += 1
            self.tail = [*self.tail[-19:], line.decode(errors="replace").rstrip()]
            if line.startswith((b"ERROR", b"CRITICAL", b"Traceback")):
                self.errors += 1

    async def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            await asyncio.wait([self._reader], timeout=2)


async def start_csms(tls_folder: Path | None = None, nofile: int | None = None) -> Csms:
    args = [sys.executable, "-m", "benchmarks.attack", "--serve"]
    if tls_folder is not None:
        args += ["--tls", str(tls_folder)]
    if nofile is not None:
        args += ["--nofile", str(nofile)]
    process = await asyncio.create_subprocess_exec(
        *args, cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
    if not line.startswith("PORT "):
        raise RuntimeError(f"CSMS did not start: {line!r}")
    csms = Csms(process, int(line.split()[1]), "wss" if tls_folder else "ws")
    csms._reader = asyncio.create_task(csms._read_log())
    return csms


# ---- the attackers (each runs in a process of its own) ----------------------------------------------------------


def _client_context(tls_folder: str | None) -> ssl.SSLContext | None:
    if not tls_folder:
        return None
    context = ssl.create_default_context(cafile=str(Path(tls_folder) / "ca.pem"))
    return context


async def _ws(url: str, identity: str, tls_folder: str | None = None, **kwargs: Any) -> Any:
    from websockets.asyncio.client import connect

    return await connect(
        f"{url}/{identity}", subprotocols=["ocpp2.0.1"], proxy=None, ssl=_client_context(tls_folder), **kwargs  # type: ignore[list-item]
    )


def _closed(ws: Any) -> str:
    code = ws.close_code
    return "open" if code is None else f"closed {code}"


async def attack_non_reading_flood(url: str, seconds: float, tls_folder: str | None) -> dict[str, Any]:
    """Pipeline Heartbeats as fast as the CSMS takes them and never read an answer."""
    ws = await _ws(url, "FLOOD1", compression=None, close_timeout=1)
    ws.transport.pause_reading()
    sent = 0
    deadline = time.monotonic() + seconds
    blocked = False
    with contextlib.suppress(Exception):
        while time.monotonic() < deadline:
            try:
                await asyncio.wait_for(ws.send(HEARTBEAT.format(id=sent)), max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                blocked = True
                break
            sent += 1
    outcome = f"{_closed(ws)}; {sent} CALLs sent" + ("; CSMS stopped reading" if blocked else "")
    ws.transport.abort()
    return {"outcome": outcome, "sent": sent, "blocked": blocked, "closed": ws.close_code is not None}


async def attack_slow_handler_flood(url: str, seconds: float, tls_folder: str | None) -> dict[str, Any]:
    """Pipeline Authorize CALLs against a 0.5 s handler, reading the answers."""
    ws = await _ws(url, "SLOW1", compression=None, close_timeout=1)
    sent = answered = 0

    async def reader() -> None:
        nonlocal answered
        with contextlib.suppress(Exception):
            async for _ in ws:
                answered += 1

    reading = asyncio.create_task(reader())
    deadline = time.monotonic() + seconds
    frame = '[2,"{id}","Authorize",{{"idToken":{{"idToken":"T","type":"ISO14443"}}}}]'
    with contextlib.suppress(Exception):
        while time.monotonic() < deadline:
            try:
                await asyncio.wait_for(ws.send(frame.format(id=sent)), max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                break
            sent += 1
            if sent % 100 == 0:
                await asyncio.sleep(0)
    reading.cancel()
    ws.transport.abort()
    return {"outcome": f"{_closed(ws)}; {sent} CALLs sent, {answered} answered", "sent": sent, "answered": answered}


async def attack_refused_frames(url: str, seconds: float, tls_folder: str | None) -> dict[str, Any]:
    """1 MiB frames the decoder refuses, deflated to about 1 KiB each."""
    junk = "[2," + "x" * (2**20 - 64)
    ws = await _ws(url, "JUNK1", close_timeout=1)
    sent = answers = 0

    async def reader() -> None:
        nonlocal answers
        with contextlib.suppress(Exception):
            async for _ in ws:
                answers += 1

    reading = asyncio.create_task(reader())
    deadline = time.monotonic() + seconds
    with contextlib.suppress(Exception):
        while time.monotonic() < deadline and ws.close_code is None:
            await asyncio.wait_for(ws.send(junk), max(0.01, deadline - time.monotonic()))
            sent += 1
    await asyncio.sleep(0.2)
    reading.cancel()
    wire = len(zlib.compress(junk.encode(), 6))
    outcome = f"{_closed(ws)}; {sent} frames sent (~{wire // 1024 + 1} KiB each on the wire), {answers} CALLERRORs"
    ws.transport.abort()
    return {"outcome": outcome, "sent": sent, "closed": ws.close_code is not None}


async def attack_bad_identities(url: str, seconds: float, tls_folder: str | None) -> dict[str, Any]:
    """Every identity the issue lists, in a loop."""
    from websockets.exceptions import InvalidStatus

    statuses: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        for identity in BAD_IDENTITIES:
            try:
                ws = await _ws(url, identity)
                statuses["accepted"] = statuses.get("accepted", 0) + 1
                await ws.close()
            except InvalidStatus as exc:
                key = str(exc.response.status_code)
                statuses[key] = statuses.get(key, 0) + 1
        rounds += 1
        await asyncio.sleep(0.2)  # a bad-identity scan, not a rate flood (that is another row)
    summary = ", ".join(f"{k} ×{v}" for k, v in sorted(statuses.items()))
    return {"outcome": f"HTTP {summary}", "statuses": statuses, "rounds": rounds}


async def _try_connect(url: str, identity: str) -> str:
    from websockets.exceptions import InvalidStatus

    try:
        ws = await _ws(url, identity, open_timeout=5)
    except InvalidStatus as exc:
        return str(exc.response.status_code)
    except Exception:
        return "dropped"
    _held.append(ws)
    return "accepted"


_held: list[Any] = []


async def attack_connection_flood(url: str, seconds: float, tls_folder: str | None) -> dict[str, Any]:
    """600 connections from one address at once, held open."""
    outcomes = await asyncio.gather(*(_try_connect(url, f"HOLD{i}") for i in range(600)))
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    await asyncio.sleep(max(0.0, seconds - 1))
    for ws in _held:
        ws.transport.abort()
    summary = ", ".join(f"{k} ×{v}" for k, v in sorted(counts.items()))
    return {"outcome": summary, "counts": counts}


async def attack_handshake_rate(url: str, seconds: float, tls_folder: str | None) -> dict[str, Any]:
    """Open and close connections from one address as fast as possible."""
    counts: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        results = await asyncio.gather(*(_try_connect(url, f"RATE{i}") for i in range(20)))
        for outcome in results:
            counts[outcome] = counts.get(outcome, 0) + 1
        while _held:
            _held.pop().transport.abort()
    summary = ", ".join(f"{k} ×{v}" for k, v in sorted(counts.items()))
    return {"outcome": summary, "counts": counts}


async def attack_slow_tls(url: str, seconds: float, tls_folder: str | None) -> dict[str, Any]:
    """300 TCP connections to the TLS port that never send a ClientHello; when does the CSMS drop them?"""
    port = int(url.rsplit(":", 1)[1])
    started = time.monotonic()
    streams = []
    for _ in range(300):
        with contextlib.suppress(OSError):
            streams.append(await asyncio.open_connection("127.0.0.1", port))

    async def dropped_after(reader: asyncio.StreamReader) -> float | None:
        try:
            await asyncio.wait_for(reader.read(1), seconds)
        except (TimeoutError, OSError):
            return None
        return time.monotonic() - started

    waits = await asyncio.gather(*(dropped_after(r) for r, _ in streams))
    for _, writer in streams:
        writer.close()
    dropped = [w for w in waits if w is not None]
    at_once = sum(1 for w in dropped if w < 1.0)
    latest = f", the others after {max(dropped):.1f} s" if len(dropped) > at_once else ""
    return {
        "outcome": f"{len(streams)} silent TLS clients: {at_once} dropped at accept{latest}"
        + ("" if len(dropped) == len(streams) else f", {len(streams) - len(dropped)} still open"),
        "dropped": len(dropped),
        "held": len(streams),
        "latest": max(dropped) if dropped else None,
    }


async def attack_descriptor_exhaustion(url: str, seconds: float, tls_folder: str | None) -> dict[str, Any]:
    """More connections than the CSMS has descriptors (it runs with RLIMIT_NOFILE 100)."""
    streams = []
    loop = asyncio.get_running_loop()
    give_up = loop.time() + seconds
    for _ in range(400):
        if loop.time() > give_up:
            break  # a full accept queue makes connects wait for SYN retries: bounded, never minutes
        with contextlib.suppress(OSError, TimeoutError):
            connecting = asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
            streams.append(await asyncio.wait_for(connecting, 2))
    await asyncio.sleep(seconds)
    for _, writer in streams:
        writer.close()
    return {"outcome": f"{len(streams)} TCP connections held for {seconds:g} s", "held": len(streams)}


ATTACKS: dict[str, Callable[[str, float, str | None], Awaitable[dict[str, Any]]]] = {
    "non-reading Heartbeat flood": attack_non_reading_flood,
    "slow-handler Authorize flood": attack_slow_handler_flood,
    "refused-frame flood (deflated 1 MiB junk)": attack_refused_frames,
    "bad identities": attack_bad_identities,
    "connection flood from one address": attack_connection_flood,
    "handshake-rate flood": attack_handshake_rate,
    "slow TLS handshakes": attack_slow_tls,
    "descriptor exhaustion (accept errors)": attack_descriptor_exhaustion,
}
SLUGS = {name.split(" (")[0].replace(" ", "-").lower(): name for name in ATTACKS}


async def run_attacker(name: str, url: str, seconds: float, tls_folder: str | None) -> None:
    result = await ATTACKS[name](url, seconds, tls_folder)
    print("RESULT " + json.dumps(result), flush=True)


# ---- the well-behaved stations ------------------------------------------------------------------------------------


@dataclass
class Bystanders:
    """Five stations sending a Heartbeat every 50 ms and timing the answers."""

    url: str
    tls_folder: Path | None
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        for i in range(5):
            ws = await _ws(self.url, f"GOOD{i}", None if self.tls_folder is None else str(self.tls_folder))
            self._tasks.append(asyncio.create_task(self._loop(ws)))

    async def _loop(self, ws: Any) -> None:
        n = 0
        try:
            while True:
                n += 1
                started = time.monotonic()
                try:
                    await ws.send(HEARTBEAT.format(id=n))
                    await asyncio.wait_for(ws.recv(), 5)
                    self.latencies.append(time.monotonic() - started)
                except TimeoutError:
                    self.failures += 1
                    self.latencies.append(5.0)
                await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            await ws.close()
            raise
        except Exception:
            self.failures += 1

    def window(self) -> list[float]:
        taken, self.latencies = self.latencies, []
        return taken

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


_PEAKS: dict[int, int] = {}


async def _peak_rss(pid: int) -> None:
    """Sample the CSMS's resident memory every 50 ms; the peak lands in ``_PEAKS[pid]``."""
    import psutil

    process = psutil.Process(pid)
    while True:
        _PEAKS[pid] = max(_PEAKS.get(pid, 0), process.memory_info().rss)
        await asyncio.sleep(0.05)


def p99_ms(latencies: list[float]) -> float | None:
    if not latencies:
        return None
    ordered = sorted(latencies)
    return 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


# ---- one row ----------------------------------------------------------------------------------------------------


@dataclass
class Row:
    attack: str
    outcome: str
    rss_growth_mib: float
    log_lines: int
    log_errors: int
    p99_ms: float | None
    bystander_failures: int
    holds: bool
    bound: str


def _verdict(name: str, result: dict[str, Any], stats: dict[str, Any], row: dict[str, Any]) -> tuple[bool, str]:
    p99 = row["p99_ms"]
    responsive = p99 is not None and p99 <= P99_BOUND_MS and row["bystander_failures"] == 0
    lean = row["rss_growth_mib"] <= RSS_BOUND_MIB
    if name == "non-reading Heartbeat flood":
        # Small answers take tens of seconds to fill the kernel buffers of a loopback pair, so within a
        # short run the proof is the memory: it stays flat (before the protocol core it grew by hundreds
        # of MiB in 10 s). With larger answers the CSMS stops reading, then drops the peer after
        # send_timeout (tests/runtime/test_backpressure.py).
        return responsive and lean, "RSS flat; the CSMS stops reading, or drops it after send_timeout; p99"
    if name == "slow-handler Authorize flood":
        return responsive and stats["authorize_peak"] <= 4, "≤ 4 handlers at once (max_incoming_calls); p99"
    if name.startswith("refused-frame flood"):
        return responsive and lean and result["closed"], "closed after max_bad_frames; RSS, p99"
    if name == "bad identities":
        return set(result["statuses"]) == {"400"} and responsive, "every one HTTP 400; p99"
    if name == "connection flood from one address":
        accepted = result["counts"].get("accepted", 0)
        return responsive and lean and accepted <= 256, "≤ 256 accepted (per address), the rest 429/dropped; RSS, p99"
    if name == "handshake-rate flood":
        return responsive and "429" in result["counts"], "429 beyond the per-address rate; p99"
    if name == "slow TLS handshakes":
        latest = result["latest"]
        ok = result["dropped"] == result["held"] and latest is not None and latest <= 10.0 + 3.0
        return responsive and lean and ok, "all dropped by tls_handshake_timeout (10 s); RSS, p99"
    if name.startswith("descriptor exhaustion"):
        return row["log_errors"] <= 20, "≤ 20 error lines (rate-limited), CSMS keeps serving"
    return False, "?"


async def run_row(name: str, seconds: float, workdir: Path) -> Row:
    tls_folder = workdir / "tls" if name == "slow TLS handshakes" else None
    if tls_folder is not None:
        tls_folder.mkdir(exist_ok=True)
        _tls_files(tls_folder)
    nofile = 100 if name.startswith("descriptor exhaustion") else None
    duration = 12.0 if tls_folder is not None else seconds
    if name.startswith("refused-frame"):  # it stops once closed; a slow machine may need longer to send enough
        duration = max(duration, 8.0)
    csms = await start_csms(tls_folder, nofile)
    bystanders = Bystanders(csms.url, tls_folder)
    try:
        await bystanders.start()
        await asyncio.sleep(0.5)
        before = await csms.stats()
        lines_before, errors_before = csms.log_lines, csms.errors
        bystanders.window()
        attacker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.attack",
            "--attack",
            name,
            "--url",
            csms.url,
            "--seconds",
            str(duration),
            *(["--tls", str(tls_folder)] if tls_folder else []),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        sampler = asyncio.create_task(_peak_rss(csms.process.pid))
        try:
            out, _ = await asyncio.wait_for(attacker.communicate(), duration + 30)
        except TimeoutError:  # an attacker that hangs is reported as failed, never left running
            attacker.kill()
            await attacker.wait()
            out = b""
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        latencies = bystanders.window()
        after = await csms.stats()
        peak = max(_PEAKS.pop(csms.process.pid, 0), after["rss"])
        lines = [line for line in out.decode().splitlines() if line.startswith("RESULT ")]
        result = json.loads(lines[-1][7:]) if lines else {"outcome": "attacker failed"}
        row = {
            "rss_growth_mib": max(0.0, (peak - before["rss"]) / 2**20),
            "log_lines": csms.log_lines - lines_before,
            "log_errors": csms.errors - errors_before,
            "p99_ms": p99_ms(latencies),
            "bystander_failures": bystanders.failures,
        }
        try:
            holds, bound = _verdict(name, result, after, row)
        except KeyError:
            holds, bound = False, "attacker failed"
        outcome = result["outcome"]
        if name == "slow-handler Authorize flood":
            outcome += f"; peak {after['authorize_peak']} handlers at once"
        return Row(name, outcome, holds=holds, bound=bound, **row)
    finally:
        await bystanders.stop()
        await csms.stop()


def render(rows: list[Row]) -> str:
    head = ["attack", "what the CSMS did", "RSS growth", "log lines (errors)", "bystanders' p99", "holds", "bound"]
    lines = [
        [
            r.attack,
            r.outcome,
            f"{r.rss_growth_mib:.1f} MiB",
            f"{r.log_lines} ({r.log_errors})",
            (
                "-"
                if r.p99_ms is None
                else f"{r.p99_ms:.0f} ms" + (f", {r.bystander_failures} failed" if r.bystander_failures else "")
            ),
            "yes" if r.holds else "NO",
            r.bound,
        ]
        for r in rows
    ]
    widths = [max(len(c) for c in col) for col in zip(head, *lines)]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([fmt.format(*head), rule, *(fmt.format(*line) for line in lines)])


async def run_all(names: list[str], seconds: float, json_path: Path | None) -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            print(f"attack: {name} …", file=sys.stderr, flush=True)
            rows.append(await run_row(name, seconds, Path(tmp)))
    print(render(rows))
    if json_path is not None:
        json_path.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0 if all(r.holds for r in rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.attack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each attack (default 4)")
    parser.add_argument("--only", nargs="*", choices=sorted(SLUGS), help="run only these attacks")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--attack", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--tls", help=argparse.SUPPRESS)
    parser.add_argument("--nofile", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(Path(args.tls) if args.tls else None, args.nofile))
        return 0
    if args.attack:
        asyncio.run(run_attacker(args.attack, args.url, args.seconds, args.tls))
        return 0
    names = [SLUGS[s] for s in args.only] if args.only else list(ATTACKS)
    return asyncio.run(run_all(names, args.seconds, args.json))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
