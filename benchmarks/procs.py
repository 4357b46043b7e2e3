"""Child processes of the end-to-end and scale benchmarks: a CSMS server and the load generator.

Each benchmark run starts a fresh CSMS process (so its memory figures are its own) and a separate
``ocppwire-sim`` process, reads the simulator's JSON-line events, and samples the CSMS's CPU time
exactly when the measured window opens and closes.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import psutil  # type: ignore[import-untyped]

__all__ = ["CsmsProcess", "SimEvents", "csms_process", "peak_rss", "run_sim"]


@dataclass
class CsmsProcess:
    """A running benchmark CSMS."""

    kind: str
    port: int
    process: psutil.Process
    open_files: int = 0
    """The CSMS's open-file limit after raising it (one file per connection: the most it can hold)."""

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far (all threads)."""
        times = self.process.cpu_times()
        return float(times.user + times.system)

    def rss(self) -> int:
        """Resident memory now, in bytes."""
        return int(self.process.memory_info().rss)


def peak_rss(process: psutil.Process) -> int:
    """The process's peak resident memory (``VmHWM``) in bytes; current RSS where /proc has no peak."""
    try:
        with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(process.memory_info().rss)


@contextmanager
def csms_process(kind: str, extra: Sequence[str] = ()) -> Iterator[CsmsProcess]:
    """Start ``python -m benchmarks.servers KIND`` on an ephemeral port; stop it (SIGTERM) afterwards."""
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.servers", kind, "--port", "0", *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line:
            raise RuntimeError(f"{kind} CSMS did not start (exit status {child.wait()})")
        ready = json.loads(line)
        yield CsmsProcess(kind, int(ready["port"]), psutil.Process(child.pid), int(ready.get("open_files", 0)))
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@dataclass
class SimEvents:
    """What the orchestrator saw of one simulator run."""

    result: dict[str, Any]
    connected: dict[str, Any]
    cpu_window: float
    """CSMS CPU seconds spent during the measured window."""
    sim_cpu_window: float
    """Load-generator CPU seconds during the measured window, its worker processes included (near 1 per
    second and process in a closed loop: it is the bottleneck)."""
    rss_connected: int
    """CSMS RSS right after all stations connected, before traffic."""
    rss_window_end: int
    window_ended: float = 0.0
    """``time.time()`` when the simulator reported the end of the measured window (0: it did not)."""


def run_sim(
    csms: CsmsProcess,
    args: Sequence[str],
    *,
    timeout: float = 600.0,
) -> SimEvents:
    """Run ``ocppwire-sim`` against ``csms`` with ``args`` (``--json`` is added); sample the CSMS meanwhile."""
    child = subprocess.Popen(
        [sys.executable, "-m", "ocppwire.sim", csms.url, *args, "--json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    sim = psutil.Process(child.pid)
    deadline = time.monotonic() + timeout
    cpu_start = cpu_end = sim_start = sim_end = 0.0
    rss_connected = rss_end = 0
    window_ended = 0.0
    connected: dict[str, Any] = {}
    result: dict[str, Any] | None = None
    stream: IO[str] | None = child.stdout
    assert stream is not None
    try:
        for line in stream:
            event = json.loads(line)
            name = event.pop("event")
            if name == "connected":
                connected = event
                rss_connected = csms.rss()
            elif name == "measure-start":
                cpu_start = csms.cpu_seconds()
                sim_start = _cpu(sim)
            elif name == "measure-end":
                cpu_end = csms.cpu_seconds()
                sim_end = _cpu(sim)
                rss_end = csms.rss()
                window_ended = time.time()
            elif name == "result":
                result = event
            if time.monotonic() > deadline:
                raise TimeoutError("simulator run took too long")
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if result is None:
        raise RuntimeError(f"simulator ended without a result (exit status {child.returncode})")
    return SimEvents(result, connected, cpu_end - cpu_start, sim_end - sim_start, rss_connected, rss_end, window_ended)


def _cpu(process: psutil.Process) -> float:
    """CPU seconds of ``process`` and its live children (``ocppwire-sim --processes N`` runs N workers)."""
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += float(times.user + times.system)
    return total
