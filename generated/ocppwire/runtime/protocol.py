"""The OCPP-J protocol core: the RPC rules of one connection as a state machine, with no I/O.

:class:`OcppProtocol` knows everything OCPP-J says about a connection once it is open — frames, the
CALLERROR policy, the correlator — and nothing about sockets, tasks or clocks. It is driven from
outside, in the style of h11 and websockets' ``protocol.py``:

- **in**: :meth:`~OcppProtocol.receive_data` takes one WebSocket message and returns the one
  :class:`Event` it amounts to; the application answers an incoming CALL with
  :meth:`~OcppProtocol.send_result` or :meth:`~OcppProtocol.send_error` and makes calls of its own
  with :meth:`~OcppProtocol.send_call`;
- **out**: :meth:`~OcppProtocol.data_to_send` hands over the frames to write, in order;
- **time**: the caller passes ``now`` (any monotonic clock, in seconds), asks
  :meth:`~OcppProtocol.next_deadline` when to come back, and calls
  :meth:`~OcppProtocol.handle_timeout` then.

The rules it enforces:

- **One outgoing CALL in flight.** Further calls wait in a FIFO queue of at most
  ``max_queued_calls``; one more fails at once with :class:`QueueFullError`. A call's timeout
  counts from when it was made, so the wait in the queue is part of it: a call that expires while
  queued is never sent.
- **Answers are matched by messageId.** A CALLRESULT or CALLERROR for the call in flight settles
  it; one for a call that timed out is *late*, any other *unknown*: both are dropped, never handed
  to a later call. An answer that breaks the frame format or the response schema fails the call
  at once with :class:`InvalidResponseError`.
- **Every incoming frame gets the policy's answer** (docs/runtime.md, "CALLERROR policy"): a
  broken CALL is answered with the CALLERROR the codec chose and the messageId it could read
  (``"-1"`` otherwise); broken responses are dropped.
- **Peers are bounded.** At most ``max_incoming_calls`` incoming CALLs may be unanswered at once
  (OCPP-J allows one; the transport stops reading at the limit, so one more is a peer that ignores
  backpressure and is refused with RpcFrameworkError), and after ``max_bad_frames`` refused frames
  in a row the protocol asks for the connection to be closed (:attr:`FrameRejected.close`).
- **Validation both ways**: outgoing requests and our responses are checked against their schema
  before they are sent (``validate``); an invalid response of ours becomes InternalError.
- **OCPP 2.1's extra frames**: a SEND is delivered (:class:`SendReceived`) and never answered, a broken
  one is dropped; a CALLRESULT we cannot accept is answered with a CALLRESULTERROR; a CALLRESULTERROR
  about one of our results is reported (:class:`ResultRejected`). Error codes are spelled as the
  connection's OCPP version spells them (1.6: ``OccurenceConstraintViolation`` ...).
- **Signed messages** (Part 4 §7, only with ``signing``): an ``<Action>-Signed`` CALL is verified
  and then handled like the unsigned one (:attr:`CallReceived.signature` says who signed it), a
  refused signature is answered with the CALLERROR :func:`~ocppwire.runtime.signing.open_signed`
  chose, and a signed CALL is answered with a signed CALLRESULT when we have a signer.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Generic, TypeVar

import msgspec

from .actions import ActionSpec, SendSpec
from .codec import Codec, FrameError
from .errors import InternalError, OcppError, RpcFrameworkError, error_for_validation, error_from_code
from .exceptions import (
    CallTimeoutError,
    ConnectionClosedError,
    InvalidResponseError,
    QueueFullError,
    RequestValidationError,
)
from .frames import MAX_MESSAGE_ID_LENGTH, Call, CallError, CallResult, CallResultError, MessageType, Send
from .payload import encode
from .signing import SignedBy, SigningConfig, base_action, open_signed, seal, signed_action, unsigned_refusal

__all__ = [
    "CallFailed",
    "CallReceived",
    "CallSucceeded",
    "DEFAULT_CALL_TIMEOUT",
    "Event",
    "FrameRejected",
    "IdFactory",
    "OcppProtocol",
    "OutgoingCall",
    "POLICY_VIOLATION",
    "ProtocolConfig",
    "ResponseDropped",
    "ResultRejected",
    "SendReceived",
    "SessionStats",
    "uuid4_message_id",
]

DEFAULT_CALL_TIMEOUT = 30.0
"""Seconds a call may take, from the moment it is made until its answer arrives."""

POLICY_VIOLATION = 1008
"""WebSocket close code for a peer that broke the rules too often (RFC 6455 §7.4.1)."""

IdFactory = Callable[[], str]
"""Makes a new messageId: a string of 1 to 36 characters, unique on the connection."""

ReqT = TypeVar("ReqT")
ResT = TypeVar("ResT")

_REMEMBERED_EXPIRED = 128  # timed-out ids kept to tell a late answer from an unknown one


def uuid4_message_id() -> str:
    """The default messageId: a random UUID (36 characters, unique with overwhelming probability)."""
    return str(uuid.uuid4())


@dataclass(frozen=True, kw_only=True)
class ProtocolConfig:
    """The settings of one connection's protocol core; every limit has a safe default."""

    call_timeout: float = DEFAULT_CALL_TIMEOUT
    """Seconds a call of ours may take, queue wait included (per call: ``timeout=``)."""
    validate: bool = True
    """Check outgoing requests and our responses against their schema before sending them."""
    id_factory: IdFactory = uuid4_message_id
    """Makes the messageIds of our calls."""
    max_incoming_calls: int = 4
    """Incoming CALLs that may be unanswered at once; the transport stops reading at this count.
    OCPP-J allows a peer one outstanding CALL, so 4 is generous for honest peers."""
    max_queued_calls: int = 100
    """Calls of ours that may wait for the call slot; one more fails at once with QueueFullError."""
    send_timeout: float = 30.0
    """Seconds one write may wait for the peer to read; a peer that does not read is dropped."""
    max_bad_frames: int = 20
    """Refused frames in a row (broken CALLs answered with a CALLERROR, broken or unmatched
    responses dropped) after which the connection is closed; a good frame resets the count."""
    signing: SigningConfig | None = None
    """Signed messages (Part 4 §7): trusted certificates, our signing key, what to sign and require.
    ``None``: ``<Action>-Signed`` CALLs are unknown actions (NotImplemented)."""

    def __post_init__(self) -> None:
        if not self.call_timeout > 0:
            raise ValueError("call_timeout must be positive")
        if not self.send_timeout > 0:
            raise ValueError("send_timeout must be positive")
        for name in ("max_incoming_calls", "max_queued_calls", "max_bad_frames"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer")


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
    """Our calls that got no answer in time (in flight or still queued)."""
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
    calls_refused: int = 0
    """Our calls refused before sending because the queue was full."""
    sends_sent: int = 0
    """SEND frames we wrote (OCPP 2.1)."""
    sends_received: int = 0
    """Valid SEND frames received (OCPP 2.1)."""
    result_errors_sent: int = 0
    """CALLRESULTERRORs we sent about a CALLRESULT we could not accept (OCPP 2.1)."""
    result_errors_received: int = 0
    """CALLRESULTERRORs the peer sent about one of our CALLRESULTs (OCPP 2.1)."""

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict."""
        return asdict(self)


class OutgoingCall(Generic[ResT]):
    """One of our calls, from :meth:`OcppProtocol.send_call` until it succeeds or fails.

    ``waiter`` is free for the I/O layer (the asyncio adapter keeps its future there). ``signed``
    says the CALL went out as ``<Action>-Signed``; ``reply_signature`` who signed its CALLRESULT, if signed.
    """

    __slots__ = (
        "spec",
        "message_id",
        "data",
        "deadline",
        "timeout",
        "sent",
        "done",
        "waiter",
        "signed",
        "reply_signature",
    )

    def __init__(
        self,
        spec: ActionSpec[Any, ResT],
        message_id: str,
        data: bytes,
        deadline: float,
        timeout: float,
        signed: bool = False,
    ):
        self.spec = spec
        self.signed = signed
        self.reply_signature: SignedBy | None = None
        self.message_id = message_id
        self.data = data
        self.deadline = deadline
        self.timeout = timeout
        self.sent = False
        self.done = False
        self.waiter: Any = None

    def __repr__(self) -> str:
        state = "done" if self.done else "sent" if self.sent else "queued"
        return f"<OutgoingCall {self.spec.name} {self.message_id} {state}>"


class Event:
    """What one incoming message (or a timeout, or the end of the connection) amounts to."""

    __slots__ = ()


class CallReceived(Event):
    """A valid CALL from the peer: answer it with ``send_result`` or ``send_error``.

    ``signature`` says who signed it when it came as ``<Action>-Signed`` (verified), else ``None``."""

    __slots__ = ("message_id", "spec", "request", "signature")

    def __init__(
        self, message_id: str, spec: ActionSpec[Any, Any], request: Any, signature: SignedBy | None = None
    ) -> None:
        self.message_id = message_id
        self.spec = spec
        self.request = request
        self.signature = signature


class CallSucceeded(Event):
    """Our call in flight got a valid CALLRESULT; the next queued call (if any) is now in ``data_to_send``.

    ``signature`` says who signed the CALLRESULT when it was signed (verified), else ``None``."""

    __slots__ = ("call", "response", "signature")

    def __init__(self, call: OutgoingCall[Any], response: Any, signature: SignedBy | None = None) -> None:
        self.call = call
        self.response = response
        self.signature = signature


class CallFailed(Event):
    """One of our calls ended without a response: a CALLERROR (as its :class:`OcppError` subclass),
    a timeout, an invalid answer, a full queue or the end of the connection."""

    __slots__ = ("call", "error")

    def __init__(self, call: OutgoingCall[Any], error: Exception) -> None:
        self.call = call
        self.error = error


class FrameRejected(Event):
    """An incoming frame the protocol refused.

    ``answered`` is true when a CALLERROR for it is in ``data_to_send`` (a broken CALL), false when
    it was dropped (a broken response); ``failed`` is then the failure of the call of ours that the
    broken response answered, if any (:class:`InvalidResponseError`, at once rather than after the
    timeout). ``close`` asks the I/O layer to close the connection with :data:`POLICY_VIOLATION`:
    the peer sent ``max_bad_frames`` refused frames in a row, or ignored backpressure.
    """

    __slots__ = ("message_id", "error", "answered", "close", "failed")

    def __init__(
        self, message_id: str, error: OcppError, answered: bool, close: bool, failed: CallFailed | None = None
    ) -> None:
        self.message_id = message_id
        self.error = error
        self.answered = answered
        self.close = close
        self.failed = failed


class ResponseDropped(Event):
    """A well-formed CALLRESULT/CALLERROR that answers no call of ours: ``late`` (the call timed
    out) or unknown. Dropped, never handed to a later call. ``close`` as in :class:`FrameRejected`."""

    __slots__ = ("message_id", "kind", "late", "close")

    def __init__(self, message_id: str, kind: str, late: bool, close: bool) -> None:
        self.message_id = message_id
        self.kind = kind
        self.late = late
        self.close = close


class SendReceived(Event):
    """A valid SEND from the peer (OCPP 2.1): hand it to the application; it is never answered."""

    __slots__ = ("message_id", "spec", "payload")

    def __init__(self, message_id: str, spec: SendSpec[Any], payload: Any) -> None:
        self.message_id = message_id
        self.spec = spec
        self.payload = payload


class ResultRejected(Event):
    """The peer could not accept a CALLRESULT we sent (a CALLRESULTERROR, OCPP 2.1). Our handler has
    long finished, so there is nothing to settle: the application may log it or count it."""

    __slots__ = ("message_id", "error")

    def __init__(self, message_id: str, error: OcppError) -> None:
        self.message_id = message_id
        self.error = error


class OcppProtocol:
    """OCPP-J RPC for one connection, without I/O (see the module docs)."""

    __slots__ = (
        "_bad_in_row",
        "_close_reason",
        "_closed",
        "_closing",
        "_expired",
        "_incoming",
        "_inflight",
        "_outbox",
        "_queue",
        "_signed_in",
        "codec",
        "config",
        "identity",
        "stats",
    )

    def __init__(self, codec: Codec, config: ProtocolConfig | None = None, *, identity: str = "") -> None:
        self.codec = codec
        self.config = config or ProtocolConfig()
        self.identity = identity
        self.stats = SessionStats()
        self._outbox: list[bytes] = []
        # a list, not a deque: an empty deque costs 760 bytes per connection, and pop(0) on at most
        # max_queued_calls entries is cheap
        self._queue: list[OutgoingCall[Any]] = []
        self._inflight: OutgoingCall[Any] | None = None
        self._expired: OrderedDict[str, None] = OrderedDict()
        self._incoming = 0
        self._bad_in_row = 0
        self._closing = False
        self._closed = False
        self._close_reason = "connection closed"
        self._signed_in: set[str] = set()  # incoming signed CALLs not answered yet (bounded by max_incoming_calls)

    # ---- state ---------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran: nothing is sent or accepted any more."""
        return self._closed

    @property
    def in_flight(self) -> OutgoingCall[Any] | None:
        """Our CALL that is sent and unanswered, if any."""
        return self._inflight

    @property
    def queued(self) -> int:
        """Our calls waiting for the call slot."""
        return len(self._queue)

    def pending_calls(self) -> list[OutgoingCall[Any]]:
        """Our calls not settled yet: the one in flight first, then the queue in order."""
        calls = [call for call in self._queue if not call.done]
        if self._inflight is not None:
            calls.insert(0, self._inflight)
        return calls

    @property
    def incoming(self) -> int:
        """Incoming CALLs not answered yet."""
        return self._incoming

    def data_to_send(self) -> list[bytes]:
        """The frames to write to the peer, in order; each is handed out once."""
        out = self._outbox
        if out:
            self._outbox = []
        return out

    def next_deadline(self) -> float | None:
        """When :meth:`handle_timeout` must run next (the earliest deadline of our calls), or ``None``."""
        deadline: float | None = None
        if self._inflight is not None:
            deadline = self._inflight.deadline
        for call in self._queue:
            if deadline is None or call.deadline < deadline:
                deadline = call.deadline
        return deadline

    # ---- our calls --------------------------------------------------------------------------------
    def send_call(
        self,
        spec: ActionSpec[ReqT, ResT],
        request: ReqT,
        *,
        now: float,
        timeout: float | None = None,
        sign: bool | None = None,
    ) -> OutgoingCall[ResT]:
        """Make a call: queue it, or put its CALL in :meth:`data_to_send` when the slot is free.

        ``sign`` sends it as ``<Action>-Signed`` (``True``) or plain (``False``); ``None`` follows
        the connection's ``signing.sign_calls``. Raises before anything is queued:
        :class:`ConnectionClosedError` once closing, :class:`QueueFullError` when
        ``max_queued_calls`` calls already wait, ``TypeError`` for a request of the wrong type,
        :class:`RequestValidationError` for one that breaks its schema, and ``ValueError`` when
        asked to sign without a signer.
        """
        if self._closed or self._closing:
            raise ConnectionClosedError(f"cannot send {spec.name}: {self._close_reason}")
        if not isinstance(request, spec.request):
            raise TypeError(f"{spec.name} takes a {spec.request.__name__}, got {type(request).__name__}")
        busy = self._inflight is not None
        if busy and len(self._queue) >= self.config.max_queued_calls:
            self.stats.calls_refused += 1
            raise QueueFullError(spec.name, self.config.max_queued_calls)
        message_id = self._new_message_id()
        payload: Any = request
        if self.config.validate:
            payload = self._checked_payload(
                request, spec.request, lambda error: RequestValidationError(spec.name, error)
            )
        timeout = self.config.call_timeout if timeout is None else timeout
        if not timeout > 0:
            raise ValueError("timeout must be positive")
        signing = self.config.signing
        signed = False
        if signing is not None:
            signed = signing.signs_call(spec.name, sign)
        elif sign:
            raise ValueError(f"cannot sign {spec.name}: the connection has no signing config")
        if signed:
            assert signing is not None and signing.signer is not None
            jws = seal(signing.signer, action=spec.name, message_type=2, payload=self._payload_bytes(payload))
            data = self.codec.encode(Call(message_id, signed_action(spec.name), msgspec.Raw(jws)))
        else:
            data = self.codec.encode(Call(message_id, spec.name, payload))
        call: OutgoingCall[ResT] = OutgoingCall(spec, message_id, data, now + timeout, timeout, signed)
        if busy:
            self._queue.append(call)
        else:
            self._launch(call)
        return call

    def send_message(self, spec: SendSpec[ReqT], payload: ReqT) -> str:
        """Write a SEND frame (OCPP 2.1): no call slot, no answer, no timeout. Returns its messageId.

        Raises like :meth:`send_call` before anything is written, and ``ValueError`` when the
        connection's OCPP version has no SEND frames.
        """
        if self._closed or self._closing:
            raise ConnectionClosedError(f"cannot send {spec.name}: {self._close_reason}")
        if not self.codec.rpc_extensions:
            raise ValueError(f"OCPP {self.codec.actions.ocpp_version} has no SEND frames")
        if not isinstance(payload, spec.payload):
            raise TypeError(f"{spec.name} takes a {spec.payload.__name__}, got {type(payload).__name__}")
        message_id = self._new_message_id()
        body: Any = payload
        if self.config.validate:
            body = self._checked_payload(payload, spec.payload, lambda error: RequestValidationError(spec.name, error))
        self._outbox.append(self.codec.encode(Send(message_id, spec.name, body)))
        self.stats.sends_sent += 1
        return message_id

    def cancel_call(self, call: OutgoingCall[Any]) -> None:
        """The caller gave up: a queued call is dropped unsent; one in flight keeps the slot until
        its answer or its timeout, so the peer never sees two of our CALLs outstanding."""
        if call.done:
            return
        if not call.sent:
            call.done = True
            try:
                self._queue.remove(call)
            except ValueError:
                pass

    def _new_message_id(self) -> str:
        message_id = self.config.id_factory()
        if not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_MESSAGE_ID_LENGTH:
            raise ValueError(f"id_factory must return a string of 1 to {MAX_MESSAGE_ID_LENGTH} characters")
        return message_id

    def _launch(self, call: OutgoingCall[Any]) -> None:
        call.sent = True
        self._inflight = call
        self._outbox.append(call.data)
        self.stats.calls_sent += 1

    def _settle_inflight(self) -> OutgoingCall[Any]:
        """Free the slot held by the call in flight and send the next live queued call."""
        call = self._inflight
        assert call is not None
        call.done = True
        self._inflight = None
        queue = self._queue
        while queue:
            upcoming = queue.pop(0)
            if not upcoming.done:
                self._launch(upcoming)
                break
        return call

    def handle_timeout(self, now: float) -> list[CallFailed]:
        """Fail every call whose deadline has passed: the one in flight (its slot is freed and its
        id remembered, so a late answer is recognised) and queued ones (never sent)."""
        failed: list[CallFailed] = []
        call = self._inflight
        if call is not None and call.deadline <= now:
            self.stats.timeouts += 1
            self._remember_expired(call.message_id)
            self._settle_inflight()
            failed.append(CallFailed(call, CallTimeoutError(call.spec.name, call.message_id, call.timeout)))
        if self._queue and any(queued.deadline <= now for queued in self._queue):
            keep: list[OutgoingCall[Any]] = []
            for queued in self._queue:
                if queued.done:
                    continue
                if queued.deadline <= now:
                    queued.done = True
                    self.stats.timeouts += 1
                    error = CallTimeoutError(queued.spec.name, queued.message_id, queued.timeout, sent=False)
                    failed.append(CallFailed(queued, error))
                else:
                    keep.append(queued)
            self._queue = keep
            if self._inflight is None and keep:
                self._launch(keep.pop(0))
        return failed

    def _remember_expired(self, message_id: str) -> None:
        self._expired[message_id] = None
        while len(self._expired) > _REMEMBERED_EXPIRED:
            self._expired.popitem(last=False)

    # ---- incoming ---------------------------------------------------------------------------------
    def receive_data(self, data: bytes | str) -> Event:
        """Take one WebSocket message from the peer and return what it amounts to. Never raises for
        bad input: a broken CALL is answered (its CALLERROR is in :meth:`data_to_send`)."""
        if self._closed:
            raise ConnectionClosedError(self._close_reason)
        codec = self.codec
        signing = self.config.signing
        spec: ActionSpec[Any, Any] | None = None
        request: Any = None
        try:
            if signing is None:  # one codec call per frame: the header and, for a CALL, its typed request
                frame, spec, request = codec.decode_incoming(data)
            else:
                frame = codec.decode_frame(data)
        except FrameError as exc:
            if exc.header_read:
                self.stats.calls_received += 1  # a CALL whose payload failed: counted as before
            return self._refused(exc)
        if type(frame) is Call:
            self.stats.calls_received += 1
            signature: SignedBy | None = None
            if spec is None:
                try:
                    assert signing is not None
                    frame, signature = self._open_call(frame, signing)
                    spec, request = codec.decode_call(frame)
                except FrameError as exc:
                    return self._refused(exc)
            if self._incoming >= self.config.max_incoming_calls:
                error = RpcFrameworkError(f"more than {self.config.max_incoming_calls} calls in progress")
                return self._refused(FrameError(error, frame.message_id, 2), close=True)
            self._bad_in_row = 0
            self._incoming += 1
            if signature is not None:
                self._signed_in.add(frame.message_id)
            return CallReceived(frame.message_id, spec, request, signature)
        kind = type(frame)
        if kind is Send:
            assert isinstance(frame, Send)
            try:
                send_spec, payload = codec.decode_send(frame)
            except FrameError as exc:
                return self._refused(exc)
            self._bad_in_row = 0
            self.stats.sends_received += 1
            return SendReceived(frame.message_id, send_spec, payload)
        if kind is CallResultError:
            assert isinstance(frame, CallResultError)
            self._bad_in_row = 0
            self.stats.result_errors_received += 1
            rejection = error_from_code(frame.error_code, frame.error_description, frame.error_details)
            return ResultRejected(frame.message_id, rejection)
        assert isinstance(frame, (CallResult, CallError))
        call = self._inflight
        if call is None or call.message_id != frame.message_id:
            return self._stray(frame.message_id, "CALLRESULT" if type(frame) is CallResult else "CALLERROR")
        if type(frame) is CallResult:
            result_signature: SignedBy | None = None
            try:
                if self.config.signing is not None:
                    frame, result_signature = self._open_result(frame, call, self.config.signing)
                response = codec.decode_result(frame, call.spec)
            except FrameError as exc:
                return self._refused(exc)
            self._bad_in_row = 0
            self.stats.results_received += 1
            self._settle_inflight()
            call.reply_signature = result_signature
            return CallSucceeded(call, response, result_signature)
        assert type(frame) is CallError
        self._bad_in_row = 0
        self.stats.errors_received += 1
        self._settle_inflight()
        return CallFailed(call, error_from_code(frame.error_code, frame.error_description, frame.error_details))

    def _open_call(self, frame: Call[msgspec.Raw], signing: SigningConfig) -> tuple[Call[msgspec.Raw], SignedBy | None]:
        """An incoming CALL with its signature checked and removed; raises :class:`FrameError`.

        ``<Action>-Signed`` of an action we do not know stays NotImplemented (the codec says so);
        the signature is checked before the payload is even read, so nothing unverified reaches
        the schema decoder or a handler.
        """
        action = base_action(frame.action)
        if action is None:
            if signing.requires_signature(frame.action) and frame.action in self.codec.actions:
                raise FrameError(unsigned_refusal(frame.action), frame.message_id, 2)
            return frame, None
        if action not in self.codec.actions:
            return frame, None  # decode_call answers NotImplemented for the unknown "<X>-Signed"
        try:
            payload, signature = open_signed(
                bytes(frame.payload), action=action, message_type=2, verifier=signing.verifier
            )
        except OcppError as error:
            raise FrameError(error, frame.message_id, 2) from None
        return Call(frame.message_id, action, msgspec.Raw(payload)), signature

    @staticmethod
    def _open_result(
        frame: CallResult[msgspec.Raw], call: OutgoingCall[Any], signing: SigningConfig
    ) -> tuple[CallResult[msgspec.Raw], SignedBy | None]:
        """A CALLRESULT with its signature checked and removed, when it is signed; raises :class:`FrameError`.

        A CALLRESULT has no action to carry a ``-Signed`` suffix, so a signed one is recognised by
        its shape: an object with the members of a flattened JWS (no OCPP 2.0.1 response has a
        ``protected`` or ``signature`` field).
        """
        raw = bytes(frame.payload)
        if b'"signature"' not in raw or b'"protected"' not in raw:
            return frame, None  # the common case, decided without parsing
        try:
            members = msgspec.json.decode(raw)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            return frame, None  # decode_result reports it
        if not isinstance(members, dict) or not {"protected", "payload", "signature"} <= set(members):
            return frame, None
        try:
            payload, signature = open_signed(raw, action=call.spec.name, message_type=3, verifier=signing.verifier)
        except OcppError as error:
            raise FrameError(error, frame.message_id, 3) from None
        return CallResult(frame.message_id, msgspec.Raw(payload)), signature

    @staticmethod
    def _payload_bytes(payload: Any) -> bytes:
        """The JSON bytes of a payload (already encoded when it was validated)."""
        return bytes(payload) if isinstance(payload, msgspec.Raw) else encode(payload)

    def _refused(self, exc: FrameError, *, close: bool = False) -> FrameRejected:
        """A frame the codec refused: answer a broken CALL, drop a broken response (failing the call
        it answers at once), and count towards ``max_bad_frames``."""
        self._bad_in_row += 1
        close = close or self._bad_in_row >= self.config.max_bad_frames
        if exc.answerable:
            self.stats.frames_rejected += 1
            self.stats.errors_sent += 1
            self._outbox.append(self.codec.encode(self.codec.error_frame(exc.message_id, exc.error)))
            return FrameRejected(exc.message_id, exc.error, True, close)
        if exc.message_type == MessageType.SEND:  # never answered; counted as a refused frame
            self.stats.frames_rejected += 1
            return FrameRejected(exc.message_id, exc.error, False, close)
        self.stats.invalid_responses += 1
        failed: CallFailed | None = None
        call = self._inflight
        if call is not None and call.message_id == exc.message_id:
            self._settle_inflight()
            failed = CallFailed(call, InvalidResponseError(call.spec.name, call.message_id, exc.error))
            if self.codec.rpc_extensions and exc.message_type == MessageType.CALL_RESULT:
                # OCPP 2.1: tell the sender of a CALLRESULT we could not accept (CALLRESULTERROR).
                error = self.codec.error_frame(exc.message_id, exc.error)
                answer = CallResultError(
                    error.message_id, error.error_code, error.error_description, error.error_details
                )
                self._outbox.append(self.codec.encode(answer))
                self.stats.result_errors_sent += 1
        return FrameRejected(exc.message_id, exc.error, False, close, failed)

    def _stray(self, message_id: str, kind: str) -> ResponseDropped:
        late = message_id in self._expired
        if late:
            self.stats.late_responses += 1
        else:
            self.stats.unknown_responses += 1
        self._bad_in_row += 1
        return ResponseDropped(message_id, kind, late, self._bad_in_row >= self.config.max_bad_frames)

    # ---- our answers --------------------------------------------------------------------------------
    def send_result(self, message_id: str, spec: ActionSpec[Any, Any], response: Any) -> str | None:
        """Answer the incoming CALL ``message_id`` with ``response``.

        A response that is not a valid ``spec.response`` is not sent: the peer gets InternalError
        instead and the return value says what was wrong (for the local log); ``None`` when the
        CALLRESULT went out.
        """
        if self._closed:
            return None
        self._incoming -= 1
        signed = message_id in self._signed_in
        if signed:
            self._signed_in.discard(message_id)
        problem: str | None = None
        if not isinstance(response, spec.response):
            problem = f"returned {type(response).__name__}, expected {spec.response.__name__}"
        elif self.config.validate:
            try:
                response = self._checked_payload(response, spec.response, lambda error: error)
            except OcppError as invalid:
                problem = f"returned an invalid {spec.response.__name__}: {invalid.description}"
        if problem is None:
            signing = self.config.signing
            if signed and signing is not None and signing.signer is not None:  # §7.2: signed request, signed reply
                jws = seal(signing.signer, action=spec.name, message_type=3, payload=self._payload_bytes(response))
                response = msgspec.Raw(jws)
            self.stats.results_sent += 1
            self._outbox.append(self.codec.encode(CallResult(message_id, response)))
            return None
        self.stats.handler_failures += 1
        self.stats.errors_sent += 1
        error = InternalError(f"could not build a valid {spec.name} response")
        self._outbox.append(self.codec.encode(self.codec.error_frame(message_id, error)))
        return problem

    def send_error(self, message_id: str, error: OcppError, *, handler_failed: bool = False) -> None:
        """Answer the incoming CALL ``message_id`` with a CALLERROR (``handler_failed`` counts a
        handler that raised something other than an OcppError)."""
        if self._closed:
            return
        self._incoming -= 1
        self._signed_in.discard(message_id)
        self.stats.errors_sent += 1
        if handler_failed:
            self.stats.handler_failures += 1
        self._outbox.append(self.codec.encode(self.codec.error_frame(message_id, error)))

    def _checked_payload(self, payload: Any, tp: type[Any], wrap: Callable[[OcppError], Exception]) -> msgspec.Raw:
        """``payload`` encoded and validated as ``tp``; raise ``wrap(error)`` when it is invalid.

        Checking the encoded bytes validates exactly what goes on the wire, with the decoder's
        full constraint set (msgspec does not check constraints when a Struct is built). The bytes
        come back as :class:`msgspec.Raw`, which the frame encoder copies verbatim, so a payload is
        encoded once however it is checked.
        """
        data = encode(payload)
        try:
            self.codec.decoder_for(tp).decode(data)
        except msgspec.ValidationError as exc:
            raise wrap(error_for_validation(exc)) from None
        return msgspec.Raw(data)

    # ---- the end ------------------------------------------------------------------------------------
    def begin_shutdown(self, reason: str = "connection is shutting down") -> None:
        """Refuse new calls of ours; calls already made and incoming calls still complete."""
        self._closing = True
        self._close_reason = reason

    @property
    def idle(self) -> bool:
        """No call of ours queued or in flight and no incoming call unanswered."""
        return self._inflight is None and not self._queue and self._incoming == 0

    def close(self, reason: str = "connection closed") -> list[CallFailed]:
        """The connection is gone: every pending call of ours fails with ConnectionClosedError. Idempotent."""
        if self._closed:
            return []
        self._closed = True
        self._close_reason = reason
        pending = list(self._queue)
        if self._inflight is not None:
            pending.insert(0, self._inflight)
        self._queue.clear()
        self._inflight = None
        self._outbox = []
        failed: list[CallFailed] = []
        for call in pending:
            if not call.done:
                call.done = True
                error = ConnectionClosedError(f"{call.spec.name} (messageId {call.message_id}): {reason}")
                failed.append(CallFailed(call, error))
        return failed
