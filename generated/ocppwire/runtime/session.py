"""The correlator: OCPP-J request/response bookkeeping for one connection, independent of the transport.

A :class:`Session` sits between a byte transport (anything with an async ``send``) and the
application. It enforces what OCPP-J §4.1.1 demands and what a real deployment needs:

- **one outgoing CALL in flight**: further calls wait in a FIFO queue and go out in the order they
  were made. A single worker task sends them, so the slot stays taken until the answer arrives or
  the timeout expires — even when the caller gave up early — and the peer never sees two of our
  CALLs outstanding;
- **timeouts** (default 30 s, counted from when the CALL is sent) raise
  :class:`~ocppwire.runtime.exceptions.CallTimeoutError` and free the slot;
- **matching by messageId**: a response whose id is not the call in flight (late, duplicate or
  unknown) is dropped and counted, never handed to a later call; a CALLERROR raises the
  :class:`~ocppwire.runtime.errors.OcppError` subclass of its code; an invalid CALLRESULT or
  CALLERROR fails the waiting call at once with
  :class:`~ocppwire.runtime.exceptions.InvalidResponseError`;
- **incoming CALLs run concurrently** with our outgoing one, each in its own task, so crossing
  calls never deadlock and a handler may itself await a call to the peer;
- **validation** of outgoing requests and of handler responses before they are sent (switchable);
  a handler's invalid response or unexpected exception becomes ``InternalError`` to the peer (no
  stack trace leaves the process) and an error in the local log;
- **prompt failure on disconnect**: :meth:`Session.close` fails the call in flight and every queued
  call with :class:`~ocppwire.runtime.exceptions.ConnectionClosedError` and cancels handler tasks.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

import msgspec

from .actions import ActionSpec
from .codec import Codec, FrameError, error_frame
from .errors import InternalError, OcppError, RpcFrameworkError, error_for_validation, error_from_code
from .exceptions import CallTimeoutError, ConnectionClosedError, InvalidResponseError, RequestValidationError
from .framelog import log_frame
from .frames import MAX_MESSAGE_ID_LENGTH, Call, CallError, CallResult
from .payload import decoder_for

__all__ = ["DEFAULT_CALL_TIMEOUT", "Dispatch", "IdFactory", "Send", "Session", "SessionStats", "uuid4_message_id"]

DEFAULT_CALL_TIMEOUT = 30.0
"""Seconds to wait for the answer to a CALL once it has been sent."""

ReqT = TypeVar("ReqT")
ResT = TypeVar("ResT")

Send = Callable[[bytes], Awaitable[None]]
"""Writes one frame (UTF-8 JSON bytes) to the peer as a WebSocket text message."""

Dispatch = Callable[[ActionSpec[Any, Any], Any], Awaitable[Any]]
"""Answers one incoming request: returns the response payload or raises an OcppError."""

IdFactory = Callable[[], str]
"""Makes a new messageId: a string of 1 to 36 characters, unique on the connection."""

_REMEMBERED_EXPIRED = 128  # timed-out ids kept to tell a late answer from an unknown one

log = logging.getLogger("ocppwire.session")


def uuid4_message_id() -> str:
    """The default messageId: a random UUID (36 characters, unique with overwhelming probability)."""
    return str(uuid.uuid4())


@dataclass(slots=True)
class SessionStats:
    """Counters of one connection, for monitoring and tests."""

    calls_sent: int = 0
    """Our CALLs written to the peer."""
    results_received: int = 0
    """Valid CALLRESULTs matched to our CALL in flight."""
    errors_received: int = 0
    """Valid CALLERRORs matched to our CALL in flight."""
    timeouts: int = 0
    """Our CALLs that got no answer in time."""
    late_responses: int = 0
    """Answers to a CALL that had already timed out (dropped)."""
    unknown_responses: int = 0
    """Answers whose messageId matches no CALL of ours, or repeat one already answered (dropped)."""
    invalid_responses: int = 0
    """CALLRESULT/CALLERROR frames that broke the frame format or the response schema (dropped)."""
    calls_received: int = 0
    """Well-formed CALL frames received from the peer (valid payload or not)."""
    results_sent: int = 0
    """CALLRESULTs we answered with."""
    errors_sent: int = 0
    """CALLERRORs we answered with, for any reason."""
    frames_rejected: int = 0
    """Incoming frames (or CALL payloads) refused by the codec and answered with a CALLERROR."""
    handler_failures: int = 0
    """Handlers that raised a non-OCPP exception or returned an invalid response."""

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict."""
        return asdict(self)


class _Outgoing:
    """One of our CALLs, from the moment it is queued until it is answered, timed out or failed."""

    __slots__ = ("spec", "message_id", "data", "timeout", "result", "settled")

    def __init__(self, spec: ActionSpec[Any, Any], message_id: str, data: bytes, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        self.spec = spec
        self.message_id = message_id
        self.data = data
        self.timeout = timeout
        self.result: asyncio.Future[Any] = loop.create_future()  # what the caller awaits
        self.settled: asyncio.Future[None] = loop.create_future()  # what the worker awaits

    def resolve(self, payload: Any) -> None:
        if not self.result.done():
            self.result.set_result(payload)
        self.settle()

    def fail(self, exc: BaseException) -> None:
        if not self.result.done():
            self.result.set_exception(exc)
        self.settle()

    def settle(self) -> None:
        if not self.settled.done():
            self.settled.set_result(None)


class Session:
    """OCPP-J RPC over one connection: outgoing calls, incoming calls, and their bookkeeping.

    ``send`` writes a frame; ``dispatch`` answers an incoming request (see :data:`Dispatch`). The
    transport feeds every received message to :meth:`receive` and calls :meth:`close` when the
    connection ends.
    """

    def __init__(
        self,
        codec: Codec,
        send: Send,
        dispatch: Dispatch,
        *,
        identity: str = "",
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        validate: bool = True,
        id_factory: IdFactory = uuid4_message_id,
    ) -> None:
        if call_timeout <= 0:
            raise ValueError("call_timeout must be positive")
        self.codec = codec
        self.identity = identity
        self.call_timeout = call_timeout
        self.validate = validate
        self.stats = SessionStats()
        self._send = send
        self._dispatch = dispatch
        self._id_factory = id_factory
        self._queue: deque[_Outgoing] = deque()
        self._wakeup = asyncio.Event()
        self._inflight: _Outgoing | None = None
        self._expired: OrderedDict[str, None] = OrderedDict()
        self._worker: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._closing = False
        self._closed = False
        self._close_reason = "connection closed"

    # ---- state ---------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran: no frame is sent or accepted any more."""
        return self._closed

    @property
    def in_flight(self) -> str | None:
        """The messageId of our unanswered CALL, if any."""
        item = self._inflight
        return item.message_id if item is not None and not item.settled.done() else None

    @property
    def queued(self) -> int:
        """Our CALLs waiting for the slot."""
        return sum(1 for item in self._queue if not item.result.done())

    @property
    def handling(self) -> int:
        """Incoming CALLs whose handler is still running."""
        return len(self._handlers)

    # ---- outgoing --------------------------------------------------------------------------
    async def call(self, spec: ActionSpec[ReqT, ResT], request: ReqT, *, timeout: float | None = None) -> ResT:
        """Send ``request`` as a CALL of ``spec`` once the slot is free and return the typed answer.

        Raises the peer's :class:`OcppError` for a CALLERROR, :class:`CallTimeoutError`,
        :class:`InvalidResponseError`, :class:`ConnectionClosedError`, or — before anything is
        sent — :class:`RequestValidationError` / ``TypeError`` for a bad request.
        """
        if self._closed or self._closing:
            raise ConnectionClosedError(f"cannot send {spec.name}: {self._close_reason}")
        if not isinstance(request, spec.request):
            raise TypeError(f"{spec.name} takes a {spec.request.__name__}, got {type(request).__name__}")
        message_id = self._new_message_id()
        data = self.codec.encode(Call(message_id, spec.name, request))
        if self.validate:
            self._check_payload(data, spec.request, lambda error: RequestValidationError(spec.name, error))
        item = _Outgoing(spec, message_id, data, self.call_timeout if timeout is None else timeout)
        self._queue.append(item)
        self._wakeup.set()
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(
                self._run_outgoing(), name=f"ocpp-calls-{self.identity}"
            )
        result: ResT = await item.result
        return result

    def _new_message_id(self) -> str:
        message_id = self._id_factory()
        if not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_MESSAGE_ID_LENGTH:
            raise ValueError(f"id_factory must return a string of 1 to {MAX_MESSAGE_ID_LENGTH} characters")
        return message_id

    async def _run_outgoing(self) -> None:
        """The single worker that owns the call slot: send, wait for the answer or the timeout, repeat."""
        while True:
            while not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
            item = self._queue.popleft()
            if item.result.done():  # the caller gave up while queued: never sent, nothing to wait for
                continue
            self._inflight = item
            try:
                await self._write(item.message_id, item.data)
            except Exception as exc:  # the transport is gone
                item.fail(ConnectionClosedError(f"{item.spec.name} not sent: {exc or type(exc).__name__}"))
                self._inflight = None
                continue
            self.stats.calls_sent += 1
            done, _ = await asyncio.wait((item.settled,), timeout=item.timeout)
            if not done:
                self.stats.timeouts += 1
                self._remember_expired(item.message_id)
                log.warning(
                    "%s: %s (messageId %s) timed out after %g s",
                    self.identity,
                    item.spec.name,
                    item.message_id,
                    item.timeout,
                    extra={"ocpp_identity": self.identity, "ocpp_message_id": item.message_id},
                )
                item.fail(CallTimeoutError(item.spec.name, item.message_id, item.timeout))
            if self._inflight is item:
                self._inflight = None

    def _remember_expired(self, message_id: str) -> None:
        self._expired[message_id] = None
        while len(self._expired) > _REMEMBERED_EXPIRED:
            self._expired.popitem(last=False)

    # ---- incoming ----------------------------------------------------------------------------
    async def receive(self, data: bytes | str) -> None:
        """Handle one message from the peer. Never raises for bad input; answers or drops it."""
        if self._closed:
            return
        try:
            frame = self.codec.decode_frame(data)
        except FrameError as exc:
            log_frame(self.identity, "in", exc.message_id, data)
            if exc.answerable:
                await self._reject(exc)
            else:
                self._invalid_response(exc)
            return
        except Exception:  # a codec bug must not take the connection down
            log.exception("%s: could not decode frame", self.identity, extra={"ocpp_identity": self.identity})
            await self._reject(FrameError(RpcFrameworkError("message could not be decoded")))
            return
        log_frame(self.identity, "in", frame.message_id, data)
        if isinstance(frame, Call):
            self.stats.calls_received += 1
            try:
                spec, request = self.codec.decode_call(frame)
            except FrameError as exc:
                await self._reject(exc)
                return
            task = asyncio.get_running_loop().create_task(
                self._answer(frame.message_id, spec, request), name=f"ocpp-{spec.name}-{frame.message_id}"
            )
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        elif isinstance(frame, CallResult):
            self._on_result(frame)
        else:
            self._on_error(frame)

    async def _reject(self, exc: FrameError) -> None:
        self.stats.frames_rejected += 1
        log.info(
            "%s: rejected frame (messageId %s): %s",
            self.identity,
            exc.message_id,
            exc.error,
            extra={"ocpp_identity": self.identity, "ocpp_message_id": exc.message_id},
        )
        await self._reply(exc.to_call_error())

    async def _answer(self, message_id: str, spec: ActionSpec[Any, Any], request: Any) -> None:
        """Run the handler for one incoming CALL and send its CALLRESULT or CALLERROR."""
        reply: CallResult[Any] | CallError
        try:
            response = await self._dispatch(spec, request)
        except OcppError as exc:
            reply = error_frame(message_id, exc)
        except Exception:
            if self._closed:  # e.g. the handler's own call failed because the connection went away
                log.debug("%s: %s handler ended by disconnect", self.identity, spec.name, exc_info=True)
                return
            self.stats.handler_failures += 1
            log.exception(
                "%s: handler for %s (messageId %s) failed",
                self.identity,
                spec.name,
                message_id,
                extra={"ocpp_identity": self.identity, "ocpp_message_id": message_id},
            )
            reply = error_frame(message_id, InternalError(f"internal error while handling {spec.name}"))
        else:
            reply = self._result_frame(message_id, spec, response)
        await self._reply(reply)

    def _result_frame(self, message_id: str, spec: ActionSpec[Any, Any], response: Any) -> CallResult[Any] | CallError:
        """The CALLRESULT for a handler's response, or InternalError if the response is not valid."""
        problem: str | None = None
        if not isinstance(response, spec.response):
            problem = f"returned {type(response).__name__}, expected {spec.response.__name__}"
        else:
            frame: CallResult[Any] = CallResult(message_id, response)
            if not self.validate:
                return frame
            try:
                self._check_payload(self.codec.encode(frame), spec.response, lambda error: error)
            except OcppError as error:
                problem = f"returned an invalid {spec.response.__name__}: {error.description}"
            else:
                return frame
        self.stats.handler_failures += 1
        log.error(
            "%s: handler for %s (messageId %s) %s",
            self.identity,
            spec.name,
            message_id,
            problem,
            extra={"ocpp_identity": self.identity, "ocpp_message_id": message_id},
        )
        return error_frame(message_id, InternalError(f"could not build a valid {spec.name} response"))

    def _check_payload(self, data: bytes, tp: type[Any], wrap: Callable[[OcppError], Exception]) -> None:
        """Decode an encoded frame's payload as ``tp``; raise ``wrap(error)`` when it is invalid.

        Checking the encoded bytes validates exactly what goes on the wire, with the decoder's
        full constraint set (msgspec does not check constraints when a Struct is built).
        """
        frame = self.codec.decode_frame(data)
        assert not isinstance(frame, CallError)
        try:
            decoder_for(tp).decode(frame.payload)
        except msgspec.ValidationError as exc:
            raise wrap(error_for_validation(exc)) from None

    async def _reply(self, frame: CallResult[Any] | CallError) -> None:
        if self._closed:
            return
        if isinstance(frame, CallError):
            self.stats.errors_sent += 1
        else:
            self.stats.results_sent += 1
        try:
            await self._write(frame.message_id, self.codec.encode(frame))
        except Exception as exc:  # the connection went away; the peer will not get the answer
            log.debug("%s: could not send answer to %s: %s", self.identity, frame.message_id, exc)

    async def _write(self, message_id: str, data: bytes) -> None:
        log_frame(self.identity, "out", message_id, data)
        await self._send(data)

    def _waiting_for(self, message_id: str) -> _Outgoing | None:
        item = self._inflight
        if item is not None and item.message_id == message_id and not item.settled.done():
            return item
        return None

    def _on_result(self, frame: CallResult[msgspec.Raw]) -> None:
        item = self._waiting_for(frame.message_id)
        if item is None:
            self._stray(frame.message_id, "CALLRESULT")
            return
        try:
            payload = self.codec.decode_result(frame, item.spec)
        except FrameError as exc:
            self._invalid_response(exc)
            return
        self.stats.results_received += 1
        item.resolve(payload)

    def _on_error(self, frame: CallError) -> None:
        item = self._waiting_for(frame.message_id)
        if item is None:
            self._stray(frame.message_id, "CALLERROR")
            return
        self.stats.errors_received += 1
        item.fail(error_from_code(frame.error_code, frame.error_description, frame.error_details))

    def _stray(self, message_id: str, kind: str) -> None:
        late = message_id in self._expired
        if late:
            self.stats.late_responses += 1
        else:
            self.stats.unknown_responses += 1
        log.warning(
            "%s: dropped %s %s (messageId %s)",
            self.identity,
            "late" if late else "unexpected",
            kind,
            message_id,
            extra={"ocpp_identity": self.identity, "ocpp_message_id": message_id},
        )

    def _invalid_response(self, exc: FrameError) -> None:
        self.stats.invalid_responses += 1
        log.warning(
            "%s: dropped invalid response (messageId %s): %s",
            self.identity,
            exc.message_id,
            exc.error,
            extra={"ocpp_identity": self.identity, "ocpp_message_id": exc.message_id},
        )
        item = self._waiting_for(exc.message_id)
        if item is not None:
            item.fail(InvalidResponseError(item.spec.name, item.message_id, exc.error))

    # ---- shutdown ----------------------------------------------------------------------------
    def begin_shutdown(self) -> None:
        """Refuse new outgoing calls; calls already made and incoming calls still complete."""
        self._closing = True
        self._close_reason = "connection is shutting down"

    async def wait_idle(self) -> None:
        """Wait until no call of ours is queued or in flight and no handler is running."""
        while True:
            waiting: list[asyncio.Future[Any]] = [item.settled for item in self._queue if not item.result.done()]
            if self._inflight is not None and not self._inflight.settled.done():
                waiting.append(self._inflight.settled)
            waiting.extend(self._handlers)
            if not waiting:
                return
            await asyncio.wait(waiting)

    def close(self, reason: str = "connection closed") -> None:
        """The connection is gone: fail every pending call at once and stop all tasks. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._close_reason = reason
        pending = list(self._queue)
        if self._inflight is not None:
            pending.insert(0, self._inflight)
        self._queue.clear()
        self._inflight = None
        for item in pending:
            item.fail(ConnectionClosedError(f"{item.spec.name} (messageId {item.message_id}): {reason}"))
        if self._worker is not None:
            self._worker.cancel()
        for task in list(self._handlers):
            task.cancel()

    async def wait_closed(self) -> None:
        """After :meth:`close`: wait until the worker and every handler task have finished."""
        tasks: list[asyncio.Task[None]] = list(self._handlers)
        if self._worker is not None:
            tasks.append(self._worker)
        if tasks:
            await asyncio.wait(tasks)
