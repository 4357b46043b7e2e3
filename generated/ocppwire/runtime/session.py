"""The asyncio adapter over the protocol core: futures for calls, tasks for handlers, one timer.

:class:`~ocppwire.runtime.protocol.OcppProtocol` decides everything OCPP-J decides; a
:class:`Session` only does what needs an event loop:

- a call of ours is a future the caller awaits; the core's :class:`~ocppwire.runtime.protocol.CallSucceeded`
  / :class:`~ocppwire.runtime.protocol.CallFailed` events settle it;
- an incoming CALL runs its handler in a task of its own (started eagerly on Python 3.12+, so a
  handler that answers without suspending is answered before :meth:`Session.receive` returns),
  so crossing calls never deadlock and a handler may itself await a call to the peer;
- **backpressure**: a handler counts as busy until its answer is written; with
  ``max_incoming_calls`` busy, :attr:`Session.paused` is true and the transport stops reading
  (:meth:`Session.wait_resumed`), so a peer that pipelines CALLs or never reads its answers is
  held back by TCP instead of growing our memory;
- **one timer** per connection, armed at the core's :meth:`~ocppwire.runtime.protocol.OcppProtocol.next_deadline`;
- logging: every frame at DEBUG (:mod:`~ocppwire.runtime.framelog`), and the peer's faults at
  INFO/WARNING through a per-connection rate limit, so a peer cannot flood our log;
- a peer the core wants gone (too many bad frames in a row, ignored backpressure) is closed
  through the ``close`` callback with code 1008.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal, TypeVar

from .actions import ActionSpec, SendSpec
from .codec import Codec, peek_header
from .errors import InternalError, OcppError
from .exceptions import ConnectionClosedError
from .framelog import FRAME_LOGGER, log_frame
from .logsafe import LogLimiter, escape
from .protocol import (
    DEFAULT_CALL_TIMEOUT,
    POLICY_VIOLATION,
    CallFailed,
    CallReceived,
    CallSucceeded,
    Event,
    FrameRejected,
    IdFactory,
    OcppProtocol,
    ProtocolConfig,
    ResponseDropped,
    ResultRejected,
    SendReceived,
    SessionStats,
    uuid4_message_id,
)
from .signing import SignedBy, set_request_signature

__all__ = [
    "After",
    "Close",
    "DEFAULT_CALL_TIMEOUT",
    "Dispatch",
    "IdFactory",
    "Send",
    "Session",
    "SessionStats",
    "uuid4_message_id",
]

ReqT = TypeVar("ReqT")
ResT = TypeVar("ResT")

Send = Callable[[bytes], Awaitable[None] | None]
"""Writes one frame (UTF-8 JSON bytes) to the peer as a WebSocket text message; returns ``None`` when it was
written at once, or an awaitable to wait for room in the transport."""

Dispatch = Callable[[ActionSpec[Any, Any] | SendSpec[Any], Any], Awaitable[Any]]
"""Answers one incoming request: returns the response payload or raises an OcppError. For a SEND
(OCPP 2.1, a ``SendSpec``) the result is ignored: a SEND is never answered."""

After = Callable[[ActionSpec[Any, Any], Any, Any], Awaitable[None] | None]
"""Runs the application's hook for an answered incoming CALL (request, response), once the answer is
written; returns ``None`` when the action has no hook."""

Close = Callable[[int, str], None]
"""Asks the transport to close the connection (WebSocket close code, reason) without waiting."""

log = logging.getLogger("ocppwire.session")

_FAULT_BURST = 10  # peer-fault log lines per connection at once, then ...
_FAULT_RATE = 10 / 60  # ... ten a minute, the rest summarised in one line


if sys.version_info >= (3, 12):

    def _start_task(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """A task for one incoming CALL, started eagerly: a handler that answers without suspending
        completes (and its answer is written) before this returns, with no event-loop round trip."""
        return asyncio.Task(coro, loop=loop, name=name, eager_start=True)

else:

    def _start_task(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """A task for one incoming CALL (Python < 3.12 has no eager tasks)."""
        return loop.create_task(coro, name=name)


def _written(done: asyncio.Future[None]) -> None:
    """Retrieve a fire-and-forget write's outcome (a failed write means the connection is closing anyway)."""
    if not done.cancelled():
        done.exception()


def _frame_id(data: bytes | str) -> str | None:
    """The messageId of a frame for its log line (only computed when frames are logged)."""
    header = peek_header(data)
    return None if header is None else header[1]


class Session:
    """OCPP-J RPC over one connection: the protocol core driven by asyncio.

    ``send`` writes a frame; ``dispatch`` answers an incoming request (see :data:`Dispatch`);
    ``close`` asks the transport to close (see :data:`Close`). The transport feeds every received
    message to :meth:`receive`, stops reading while :attr:`paused`, and calls :meth:`close`
    when the connection ends.
    """

    __slots__ = (
        "_busy",
        "_close_transport",
        "_closed",
        "_dispatch",
        "_faults",
        "_handlers",
        "_loop",
        "_resumed",
        "_send",
        "_timer",
        "_timer_at",
        "after",
        "codec",
        "config",
        "identity",
        "protocol",
        "stats",
        "__weakref__",
    )

    def __init__(
        self,
        codec: Codec,
        send: Send,
        dispatch: Dispatch,
        *,
        identity: str = "",
        config: ProtocolConfig | None = None,
        close: Close | None = None,
        after: After | None = None,
    ) -> None:
        self.protocol = OcppProtocol(codec, config, identity=identity)
        self.codec = codec
        self.identity = identity
        self.config = self.protocol.config
        self.stats: SessionStats = self.protocol.stats
        self._send = send
        self._dispatch = dispatch
        self._close_transport = close
        self.after = after
        """The application's after-answer hooks (settable: the peer they receive is made after the session)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._busy = 0  # handlers whose answer is not yet written
        self._resumed: asyncio.Event | None = None
        self._faults = LogLimiter(
            log, burst=_FAULT_BURST, rate=_FAULT_RATE, prefix=f"{identity}: ", extra={"ocpp_identity": identity}
        )
        self._closed = False

    # ---- state ---------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """True once the connection ended: no frame is sent or accepted any more."""
        return self._closed

    @property
    def call_timeout(self) -> float:
        """The default timeout of our calls, in seconds."""
        return self.config.call_timeout

    @property
    def validate(self) -> bool:
        """Whether outgoing requests and our responses are validated before sending."""
        return self.config.validate

    @property
    def in_flight(self) -> str | None:
        """The messageId of our unanswered CALL, if any."""
        call = self.protocol.in_flight
        return None if call is None else call.message_id

    @property
    def queued(self) -> int:
        """Our calls waiting for the call slot."""
        return self.protocol.queued

    @property
    def handling(self) -> int:
        """Incoming CALLs whose handler is still running or whose answer is still being written."""
        return self._busy

    @property
    def paused(self) -> bool:
        """True while ``max_incoming_calls`` handlers are busy: the transport must not read."""
        return self._busy >= self.config.max_incoming_calls

    async def wait_resumed(self) -> None:
        """Return once :attr:`paused` is false (or the session closed)."""
        while self.paused and not self._closed:
            if self._resumed is None:
                self._resumed = asyncio.Event()
            self._resumed.clear()
            await self._resumed.wait()

    def _loop_now(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is None:  # asyncio.get_running_loop() costs a getpid() system call on Python 3.11
            loop = self._loop = asyncio.get_running_loop()
        return loop

    # ---- outgoing ----------------------------------------------------------------------------------
    async def call(
        self, spec: ActionSpec[ReqT, ResT], request: ReqT, *, timeout: float | None = None, sign: bool | None = None
    ) -> ResT:
        """Send ``request`` as a CALL of ``spec`` once the slot is free and return the typed answer.

        Raises the peer's :class:`OcppError` for a CALLERROR, :class:`CallTimeoutError` (the
        timeout counts from now, queue wait included), :class:`InvalidResponseError`,
        :class:`ConnectionClosedError`, or — before anything is queued — :class:`QueueFullError`,
        :class:`RequestValidationError` / ``TypeError`` for a bad request. ``sign`` signs this call
        (or not) whatever the connection's ``signing.sign_calls`` says.
        """
        response, _ = await self._call(spec, request, timeout, sign)
        return response

    async def send(self, spec: SendSpec[ReqT], payload: ReqT) -> None:
        """Write ``payload`` as a SEND frame (OCPP 2.1): no call slot, no answer, no timeout."""
        if self._closed:
            raise ConnectionClosedError(f"cannot send {spec.name}: connection closed")
        self.protocol.send_message(spec, payload)
        await self._flush()

    async def call_with_signature(
        self, spec: ActionSpec[ReqT, ResT], request: ReqT, *, timeout: float | None = None, sign: bool | None = True
    ) -> tuple[ResT, SignedBy | None]:
        """Like :meth:`call` (signed unless ``sign=False``), and also say who signed the CALLRESULT:
        its verified :class:`~ocppwire.runtime.signing.SignedBy`, or ``None`` when the reply was plain."""
        return await self._call(spec, request, timeout, sign)

    async def _call(
        self, spec: ActionSpec[ReqT, ResT], request: ReqT, timeout: float | None, sign: bool | None
    ) -> tuple[ResT, SignedBy | None]:
        """Make the call in the core, write it when the slot is free, await its answer."""
        if self._closed:
            raise ConnectionClosedError(f"cannot send {spec.name}: connection closed")
        loop = self._loop_now()
        call = self.protocol.send_call(spec, request, now=loop.time(), timeout=timeout, sign=sign)
        future: asyncio.Future[ResT] = loop.create_future()
        call.waiter = future
        self._arm_timer()
        await self._flush()
        try:
            response = await future
        except asyncio.CancelledError:
            self.protocol.cancel_call(call)
            raise
        return response, call.reply_signature

    def _arm_timer(self) -> None:
        """Point the one timer at the core's next deadline (no timer when nothing is pending)."""
        deadline = self.protocol.next_deadline()
        if deadline == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = deadline
        if deadline is not None and not self._closed:
            self._timer = self._loop_now().call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        loop = self._loop_now()
        for event in self.protocol.handle_timeout(loop.time()):
            call = event.call
            if call.sent:
                log.warning(
                    "%s: %s (messageId %s) timed out after %g s",
                    self.identity,
                    call.spec.name,
                    call.message_id,
                    call.timeout,
                    extra={"ocpp_identity": self.identity, "ocpp_message_id": call.message_id},
                )
            self._settle(event)
        self._arm_timer()
        if self.protocol.in_flight is not None:  # a queued call took the freed slot
            loop.create_task(self._flush(), name=f"ocpp-flush-{self.identity}")

    @staticmethod
    def _settle(event: CallSucceeded | CallFailed) -> None:
        future: asyncio.Future[Any] | None = event.call.waiter
        if future is None or future.done():
            return
        if type(event) is CallSucceeded:
            future.set_result(event.response)
        else:
            assert isinstance(event, CallFailed)
            future.set_exception(event.error)

    async def _flush(self) -> None:
        """Write every frame the core has for the peer, in order."""
        for data in self.protocol.data_to_send():
            if FRAME_LOGGER.isEnabledFor(logging.DEBUG):
                log_frame(self.identity, "out", _frame_id(data), data)
            try:
                pending = self._send(data)
                if pending is not None:  # None: written at once (the transport had room)
                    await pending
            except Exception as exc:  # the connection is going away; close() fails what is pending
                log.debug("%s: write failed: %s", self.identity, exc)
                return

    def _flush_now(self) -> None:
        """:meth:`_flush` for a transport that writes, or queues in order, without being awaited: a write that
        must wait for the peer completes on its own (its timeout is the transport's), so nothing awaits here."""
        for data in self.protocol.data_to_send():
            if FRAME_LOGGER.isEnabledFor(logging.DEBUG):
                log_frame(self.identity, "out", _frame_id(data), data)
            try:
                pending = self._send(data)
            except Exception as exc:  # the connection is going away; close() fails what is pending
                log.debug("%s: write failed: %s", self.identity, exc)
                return
            if pending is not None:
                asyncio.ensure_future(pending).add_done_callback(_written)

    # ---- incoming ----------------------------------------------------------------------------------
    async def receive(self, data: bytes | str) -> None:
        """Handle one message from the peer. Never raises for bad input; answers or drops it."""
        after = self._handle(data)
        if after is not False:
            await self._flush()
            if after:
                self._violation(after)

    def receive_now(self, data: bytes | str) -> None:
        """:meth:`receive` without awaiting, for a transport whose ``send`` writes (or queues, in order) at
        once and needs no awaiting (picows): the message is handled and any answer written before this
        returns, with no task switch per message."""
        after = self._handle(data)
        if after is not False:
            self._flush_now()
            if after:
                self._violation(after)

    def _handle(self, data: bytes | str) -> str | None | Literal[False]:
        """Everything :meth:`receive` does but writing: ``False`` when nothing is to be written, else
        ``None`` (write what the core has) or the reason to close the connection after writing it."""
        if self._closed:
            return False
        try:
            event: Event = self.protocol.receive_data(data)
        except Exception:  # a codec bug must not take the connection down
            log.exception("%s: could not handle a frame", self.identity, extra={"ocpp_identity": self.identity})
            return False
        if FRAME_LOGGER.isEnabledFor(logging.DEBUG):
            log_frame(self.identity, "in", _frame_id(data), data)
        kind = type(event)
        if kind is CallReceived:
            assert isinstance(event, CallReceived)
            self._busy += 1
            task = _start_task(
                self._loop_now(),
                self._answer(event.message_id, event.spec, event.request, event.signature),
                f"ocpp-{event.spec.name}-{event.message_id}",
            )
            if not task.done():  # an eager task may already have answered
                self._handlers.add(task)
            return False
        if kind is CallSucceeded or kind is CallFailed:
            assert isinstance(event, (CallSucceeded, CallFailed))
            self._settle(event)
            self._arm_timer()
            return None if self.protocol.in_flight is not None else False  # the next queued call goes out
        if kind is FrameRejected:
            assert isinstance(event, FrameRejected)
            if event.failed is not None:
                self._settle(event.failed)
                self._arm_timer()
            self._faults.log(
                logging.INFO,
                "%s: %s frame (messageId %s): %s",
                self.identity,
                "rejected" if event.answered else "dropped invalid",
                escape(event.message_id),
                escape(str(event.error)),
            )
            return "too many refused frames" if event.close else None
        if kind is SendReceived:
            assert isinstance(event, SendReceived)
            self._busy += 1
            task = _start_task(
                self._loop_now(), self._deliver(event.spec, event.payload), f"ocpp-{event.spec.name}-{event.message_id}"
            )
            if not task.done():
                self._handlers.add(task)
            return False
        if kind is ResultRejected:
            assert isinstance(event, ResultRejected)
            self._faults.log(
                logging.WARNING,
                "%s: the peer could not accept our answer (messageId %s): %s",
                self.identity,
                escape(event.message_id),
                escape(str(event.error)),
            )
            return False
        assert isinstance(event, ResponseDropped)
        self._faults.log(
            logging.WARNING,
            "%s: dropped %s %s (messageId %s)",
            self.identity,
            "late" if event.late else "unexpected",
            event.kind,
            escape(event.message_id),
        )
        if event.close:
            self._violation("too many unexpected responses")
        return False

    def _violation(self, why: str) -> None:
        log.warning("%s: closing the connection: %s", self.identity, why, extra={"ocpp_identity": self.identity})
        if self._close_transport is not None:
            self._close_transport(POLICY_VIOLATION, why)

    async def _answer(
        self, message_id: str, spec: ActionSpec[Any, Any], request: Any, signature: SignedBy | None = None
    ) -> None:
        """Run the handler for one incoming CALL and write its CALLRESULT or CALLERROR."""
        # The task leaves the set as it finishes, not in a done-callback one loop iteration later.
        protocol = self.protocol
        if signature is not None:  # the task runs in a context of its own: request_signature() sees it
            set_request_signature(signature)
        try:
            try:
                response = await self._dispatch(spec, request)
            except OcppError as exc:
                protocol.send_error(message_id, exc)
            except Exception:
                if self._closed:  # e.g. the handler's own call failed because the connection went away
                    log.debug("%s: %s handler ended by disconnect", self.identity, spec.name, exc_info=True)
                    return
                log.exception(
                    "%s: handler for %s (messageId %s) failed",
                    self.identity,
                    spec.name,
                    message_id,
                    extra={"ocpp_identity": self.identity, "ocpp_message_id": message_id},
                )
                protocol.send_error(
                    message_id, InternalError(f"internal error while handling {spec.name}"), handler_failed=True
                )
            else:
                problem = protocol.send_result(message_id, spec, response)
                if problem is not None:
                    log.error(
                        "%s: handler for %s (messageId %s) %s",
                        self.identity,
                        spec.name,
                        message_id,
                        problem,
                        extra={"ocpp_identity": self.identity, "ocpp_message_id": message_id},
                    )
                elif self.after is not None:
                    await self._flush()  # the answer goes out first, then the hook runs
                    await self._run_after(spec, request, response)
                    return
            await self._flush()
        finally:
            self._handler_done()

    def _handler_done(self) -> None:
        """A handler task ends: its slot frees, and a transport paused on a full house may read again."""
        self._busy -= 1
        self._handlers.discard(asyncio.current_task(self._loop))
        resumed = self._resumed
        if resumed is not None and not resumed.is_set() and not self.paused:
            resumed.set()

    async def _run_after(self, spec: ActionSpec[Any, Any], request: Any, response: Any) -> None:
        """The application's ``after_*`` hook for an answered CALL; its failure is logged, with the
        peer's identity, and goes nowhere else (the peer already has its answer)."""
        assert self.after is not None
        try:
            hook = self.after(spec, request, response)
            if hook is not None:
                await hook
        except Exception:
            if not self._closed:
                log.exception(
                    "%s: after_ hook for %s failed", self.identity, spec.name, extra={"ocpp_identity": self.identity}
                )

    async def _deliver(self, spec: SendSpec[Any], payload: Any) -> None:
        """Hand one SEND to its handler; whatever happens, nothing goes back to the peer."""
        try:
            await self._dispatch(spec, payload)
        except OcppError as exc:
            self._faults.log(logging.INFO, "%s: %s not handled: %s", self.identity, spec.name, exc)
        except Exception:
            if not self._closed:
                self.stats.handler_failures += 1
                log.exception(
                    "%s: handler for %s failed", self.identity, spec.name, extra={"ocpp_identity": self.identity}
                )
        finally:
            self._handler_done()

    # ---- shutdown ----------------------------------------------------------------------------------
    def begin_shutdown(self) -> None:
        """Refuse new outgoing calls; calls already made and incoming calls still complete."""
        self.protocol.begin_shutdown()

    async def wait_idle(self) -> None:
        """Wait until no call of ours is queued or in flight and no handler is running."""
        while not self._closed:
            waiting: list[Awaitable[Any]] = list(self._handlers)
            waiting.extend(call.waiter for call in self.protocol.pending_calls() if call.waiter is not None)
            if not waiting:
                return
            await asyncio.wait([asyncio.ensure_future(w) for w in waiting])

    def close(self, reason: str = "connection closed") -> None:
        """The connection is gone: fail every pending call at once and stop all tasks. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for event in self.protocol.close(reason):
            self._settle(event)
        self._faults.flush()
        for task in list(self._handlers):
            task.cancel()
        if self._resumed is not None:
            self._resumed.set()

    async def wait_closed(self) -> None:
        """After :meth:`close`: wait until every handler task has finished."""
        tasks = list(self._handlers)
        if tasks:
            await asyncio.wait(tasks)
