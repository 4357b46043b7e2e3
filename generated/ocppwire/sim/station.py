"""One simulated Charging Station: a WebSocket connection and a loop of CALLs, as lean as possible.

A load generator has to be cheaper than what it measures, or it measures itself. So a simulated
station does not run the full client stack (handler tasks, reconnect loop); it owns its connection
and drives the sans-I/O protocol core (:class:`~ocppwire.runtime.protocol.OcppProtocol`, the same
correlator and CALLERROR policy every ocppwire connection runs) one call at a time: make the call,
write what the core wants sent, feed every frame read to the core until it reports the answer,
record the round trip. A CALL the CSMS sends meanwhile is answered ``NotSupported``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ocppwire.runtime.actions import ActionSpec
from ocppwire.runtime.channel import Channel
from ocppwire.runtime.client import open_channel, station_url
from ocppwire.runtime.codec import Codec
from ocppwire.runtime.errors import NotSupportedError, OcppError
from ocppwire.runtime.exceptions import ConnectionClosedError
from ocppwire.runtime.options import ClientOptions
from ocppwire.runtime.protocol import (
    CallFailed,
    CallReceived,
    CallSucceeded,
    FrameRejected,
    OcppProtocol,
    ProtocolConfig,
)
from ocppwire.v201 import actions as a
from ocppwire.v201 import enums as e

from .scenario import Scenario, boot_request
from .stats import Counters, LatencyHistogram

__all__ = ["Recorder", "SimStation", "StationOptions"]

_CODEC = Codec(a.ACTIONS)
_SUBPROTOCOL = a.ACTIONS.subprotocol


class Recorder:
    """Shared by all stations of a run: where round trips and errors are counted, phase by phase.

    Outcomes always go to the current :attr:`counters`; the runner swaps in fresh counters when
    the measured window opens and closes, so set-up, window and shutdown are counted apart.
    Latencies are recorded only while the window is open.
    """

    __slots__ = ("counters", "latency", "recording", "running")

    def __init__(self) -> None:
        self.counters = Counters()
        self.latency = LatencyHistogram()
        self.recording = False
        """True while the measured window is open."""
        self.running = True
        """Cleared to make every station stop after its current CALL."""

    def swap(self, *, recording: bool) -> tuple[Counters, LatencyHistogram]:
        """End the current phase: return its counters and latencies and start counting afresh."""
        finished = self.counters, self.latency
        self.counters = Counters()
        self.latency = LatencyHistogram()
        self.recording = recording
        return finished


class StationOptions:
    """Connection settings shared by every station of a run."""

    __slots__ = ("url", "password", "compression", "call_timeout", "open_timeout", "ping_interval", "transport")

    def client_options(self) -> ClientOptions:
        """The station connection options these settings stand for (one connection, no reconnecting)."""
        return ClientOptions(
            password=self.password,
            compression=self.compression,
            call_timeout=self.call_timeout,
            open_timeout=self.open_timeout,
            ping_interval=self.ping_interval,
            ping_timeout=None if self.ping_interval is None else self.call_timeout,
            close_timeout=5,
            reconnect=False,
            transport=self.transport,
        )

    def __init__(
        self,
        url: str,
        *,
        password: str | None = None,
        compression: bool = True,
        call_timeout: float = 30.0,
        open_timeout: float = 30.0,
        ping_interval: float | None = None,
        transport: str = "websockets",
    ) -> None:
        self.url = url
        self.transport = transport
        """The stations' WebSocket implementation (``websockets`` or ``picows``, as ``ClientOptions.transport``)."""
        self.password = password
        self.compression = compression
        self.call_timeout = call_timeout
        self.open_timeout = open_timeout
        self.ping_interval = ping_interval


class SimStation:
    """One station: :meth:`connect`, :meth:`boot`, :meth:`run` until the recorder stops, :meth:`close`."""

    def __init__(
        self,
        index: int,
        identity: str,
        scenario: Scenario,
        options: StationOptions,
        recorder: Recorder,
        *,
        source_address: str | None = None,
    ):
        self.index = index
        self.identity = identity
        self.scenario = scenario
        self.options = options
        self.recorder = recorder
        self.source_address = source_address
        """The local address the connection is made from (``None``: the one the OS picks)."""
        self.ws: Channel | None = None
        self._next_id = 0
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting = False
        self._timed_out = False
        self._idle = False
        # Requests come from the scenario's own (valid) templates: no per-call validation pass.
        self._config = ProtocolConfig(call_timeout=options.call_timeout, validate=False, id_factory=self._message_id)
        self.protocol = OcppProtocol(_CODEC, self._config, identity=identity)
        self._client_options = options.client_options()

    def _message_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    async def connect(self) -> bool:
        """Open the WebSocket (``ocpp2.0.1``); count a failure and return False if it cannot.

        The task that calls this must be the one that later calls :meth:`call`: timeouts cancel it.
        """
        options = self.options
        self._task = asyncio.current_task()
        self._loop = asyncio.get_running_loop()
        self.protocol = OcppProtocol(_CODEC, self._config, identity=self.identity)  # a fresh core per connection
        try:
            self.ws = await open_channel(
                station_url(options.url, self.identity),
                self.identity,
                _SUBPROTOCOL,
                self._client_options,
                local_address=self.source_address,
            )
        except Exception:
            self.recorder.counters.connect_failures += 1
            return False
        return True

    async def boot(self) -> bool:
        """Send BootNotification; False (and an error counted) unless it is answered Accepted."""
        if not self.scenario.boot:
            return True
        response = await self.call(a.BOOT_NOTIFICATION, boot_request())
        if response is None:
            return False
        if response.status != e.RegistrationStatusEnumType.ACCEPTED:
            self.recorder.counters.boot_rejected += 1
            return False
        return True

    async def run(self) -> None:
        """Send the scenario's CALLs until the recorder says stop (the current CALL is finished first).

        A paced station first waits its stagger (:meth:`Scenario.stagger`); a timed scenario (``mix``)
        sends each CALL when it is due, counted from the moment this method is called."""
        if self.scenario.timed:
            await self._run_timed()
            return
        recorder = self.recorder
        interval = self.scenario.interval
        loop = asyncio.get_running_loop()
        if interval:
            await self.pause(self.scenario.stagger(self.index))
        due = loop.time()
        for spec, request in self.scenario.script(self.index):
            if not recorder.running:
                return
            if await self.call(spec, request) is None and self.ws is None:
                return  # the connection is gone
            if interval:
                due += interval
                pause = due - loop.time()
                if pause > 0:
                    await self.pause(pause)
                else:
                    due = loop.time()

    async def _run_timed(self) -> None:
        recorder = self.recorder
        loop = asyncio.get_running_loop()
        start = loop.time()
        for due, spec, request in self.scenario.timed_script(self.index):
            pause = start + due - loop.time()
            if pause > 0:  # a station that fell behind sends at once, without skipping a CALL
                await self.pause(pause)
            if not recorder.running:
                return
            if await self.call(spec, request) is None and self.ws is None:
                return

    async def pause(self, seconds: float) -> None:
        """Sleep between two CALLs (not at all once the run is stopping); :meth:`interrupt` ends the sleep,
        and with it the run."""
        if not self.recorder.running:
            return
        self._idle = True
        try:
            await asyncio.sleep(seconds)
        finally:
            self._idle = False

    def interrupt(self) -> None:
        """Stop a station that is pausing between CALLs now (its task is cancelled), instead of letting
        the end of a run wait up to a whole interval for it. A station in a CALL finishes that CALL."""
        if self._idle and self._task is not None:
            self._task.cancel()

    async def call(self, spec: ActionSpec[Any, Any], request: Any) -> Any | None:
        """One round trip: the typed, validated response, or None after counting what went wrong."""
        ws = self.ws
        if ws is None:
            return None
        recorder = self.recorder
        protocol = self.protocol
        assert self._loop is not None
        call = protocol.send_call(spec, request, now=self._loop.time())
        recorder.counters.sent += 1
        sent_at = time.perf_counter()
        # A bare timer instead of asyncio.timeout(): the load generator must stay cheaper than what it measures.
        expiry = self._loop.call_later(self.options.call_timeout, self._expire)
        self._waiting = True
        try:
            for data in protocol.data_to_send():
                pending = ws.send(data)
                if pending is not None:
                    await pending
            while True:
                message = ws.next_message()
                if message is None:
                    message = await ws.recv()
                event = protocol.receive_data(message)
                if isinstance(event, CallSucceeded):
                    response = event.response
                    break
                counters = recorder.counters
                if isinstance(event, CallFailed):
                    error = event.error
                    code = error.details.get("errorCode", error.code.value) if isinstance(error, OcppError) else "?"
                    counters.call_errors[code] += 1
                    return None
                if isinstance(event, CallReceived):  # the simulator implements no CSMS-initiated action
                    refused = NotSupportedError(f"{event.spec.name} is not supported by the simulator")
                    protocol.send_error(event.message_id, refused)
                elif isinstance(event, FrameRejected):
                    if event.failed is not None:
                        counters.invalid_responses += 1
                        return None
                else:  # ResponseDropped
                    counters.stray_frames += 1
                for data in protocol.data_to_send():
                    pending = ws.send(data)
                    if pending is not None:
                        await pending
        except asyncio.CancelledError:
            if not self._timed_out:
                raise
            self._timed_out = False
            if self._task is not None:
                self._task.uncancel()
            protocol.handle_timeout(call.deadline)  # frees the slot; a late answer is recognised
            recorder.counters.timeouts += 1
            return None
        except ConnectionClosedError:
            if recorder.running:
                recorder.counters.disconnects += 1
            self.ws = None
            protocol.close("connection closed")
            return None
        finally:
            self._waiting = False
            expiry.cancel()
        recorder.counters.answered += 1
        if recorder.recording:
            recorder.latency.record(time.perf_counter() - sent_at)
        return response

    def _expire(self) -> None:
        """The call timer fired: cancel the station's task if it is still waiting for the answer."""
        if self._waiting and self._task is not None:
            self._timed_out = True
            self._task.cancel()

    async def close(self) -> None:
        """Close the connection (normal closure)."""
        ws, self.ws = self.ws, None
        if ws is not None:
            try:
                await ws.close()
            except Exception:
                pass
