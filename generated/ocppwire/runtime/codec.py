"""OCPP-J frame codec: bytes ↔ typed frames, with the project's CALLERROR policy for bad input.

Decoding is two-stage so the expensive part is done once and with the right type:

1. :meth:`Codec.decode_frame` reads the frame header (type number, messageId, action, error fields)
   in a single msgspec pass and keeps the payload as undecoded :class:`msgspec.Raw`.
2. :meth:`Codec.decode_call` decodes a CALL payload with the cached decoder of the action's
   request type; :meth:`Codec.decode_result` decodes a CALLRESULT payload with the response type
   of the call it answers (the correlator knows which action that was; the frame does not say).

A CALL of 512 bytes to 64 KiB whose action the codec has seen before skips the header pass:
:meth:`Codec.decode_frame` reads the action name from the frame's first bytes and decodes the whole
frame at once as ``Call[<request type>]``, and :meth:`Codec.decode_call` hands that payload on as
it is. The header pass skips over the payload, which costs about a third of the payload decode
(MeterValues 1x10, 1,420 B: 0.7 µs against 2.2 µs). Smaller frames stay two-stage, because the
byte peek costs more than the pass it saves; larger ones too, see ``_ONE_PASS_MAX_BYTES``. A frame
the one-pass decode does not accept goes through the two-stage path as if it had never been tried,
so every error and CALLERROR is the two-stage path's.

Anything that cannot be accepted raises :class:`FrameError` carrying the :class:`OcppError` the
policy table prescribes (docs/runtime.md, "CALLERROR policy") and the messageId to answer with — ``"-1"``
when the id cannot be read. Only the happy path is tuned; when the fast header decode fails the
frame is parsed again generically to say precisely what is wrong with it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import msgspec

from .actions import ActionRegistry, ActionSpec, SendSpec
from .errors import (
    MAX_DESCRIPTION_LENGTH,
    ErrorCode,
    MessageTypeNotSupportedError,
    NotImplementedOcppError,
    OcppError,
    OcppwireError,
    RpcFrameworkError,
    error_for_validation,
    wire_codes,
)
from .customdata import DEFAULT_REGISTRY as DEFAULT_CUSTOM_DATA
from .customdata import CustomDataRegistry
from .datatransfer import DEFAULT_REGISTRY as DEFAULT_DATA_TRANSFER
from .datatransfer import DataTransferRegistry
from .frames import MAX_MESSAGE_ID_LENGTH, Call, CallError, CallResult, CallResultError, MessageId, MessageType, Send
from .payload import decoder_for, encode
from .signing import base_action

__all__ = ["Codec", "FrameError", "UNREADABLE_MESSAGE_ID", "error_frame", "peek_header"]

UNREADABLE_MESSAGE_ID = "-1"
"""The messageId of a CALLERROR answering a frame whose own id cannot be read (Part 4 §4.2.3)."""

_NOT_UTF8_JSON = "message is not valid UTF-8 JSON"
_TOO_DEEP = "message is nested too deeply to read"
# The start of a frame: type number and messageId token (for frames too deep to parse whole).
_HEADER = re.compile(rb'\s*\[\s*([2-6])\s*,\s*("(?:[^"\\\x00-\x1f]|\\.){0,512}")')
# Only the type number of a frame that cannot be parsed (to drop, not answer, a broken response).
_TYPE_NUMBER = re.compile(rb"\s*\[\s*([2-6])\s*[,\]]")

RawFrame = Call[msgspec.Raw] | CallResult[msgspec.Raw] | CallError | CallResultError | Send[msgspec.Raw]
_RawFrame201 = Call[msgspec.Raw] | CallResult[msgspec.Raw] | CallError  # 1.6 and 2.0.1 have three frame types

_Raw = msgspec.Raw  # one global lookup on the per-frame path instead of two

_ONE_PASS_MIN_BYTES = 512
"""CALL frames at least this long are decoded in one pass (once their action has been seen). Below it
the byte peek costs more than the header pass it saves (MeterValues 1x10, 1,420 B: one pass is faster;
StatusNotification, 128 B, and BootNotification, 248 B: slower)."""
_ONE_PASS_MAX_BYTES = 2**16
"""Larger CALLs stay two-stage. A frame the one-pass decode refuses is read again by the two-stage path,
so a refused frame costs up to one pass more than before; above this size that would break the bound
on what a refused frame may cost against a valid one (``benchmarks/refused_frames.py``, 1 MiB frames)."""
_PEEK_BYTES = 300
"""How far into a frame the action name is looked for: past the type number and a 36-character
messageId even when every character of it is escaped (6 bytes each)."""

_ELEMENTS = {MessageType.CALL: 4, MessageType.CALL_RESULT: 3, MessageType.CALL_ERROR: 5}
_ELEMENTS_21 = {**_ELEMENTS, MessageType.CALL_RESULT_ERROR: 5, MessageType.SEND: 4}
_FRAME_NAMES = {
    MessageType.CALL: "CALL",
    MessageType.CALL_RESULT: "CALLRESULT",
    MessageType.CALL_ERROR: "CALLERROR",
    MessageType.CALL_RESULT_ERROR: "CALLRESULTERROR",
    MessageType.SEND: "SEND",
}
_NEVER_ANSWERED = frozenset(
    {MessageType.CALL_RESULT, MessageType.CALL_ERROR, MessageType.CALL_RESULT_ERROR, MessageType.SEND}
)


class FrameError(OcppwireError):
    """An incoming frame that cannot be accepted.

    ``message_type`` is the frame's type number when it could be read (2 to 4, and 5 or 6 in OCPP
    2.1), else ``None``; ``message_id`` is its messageId, or ``"-1"`` when that cannot be read.
    ``error`` is the OCPP error describing the fault. Only CALLs (and frames whose type is unknown or
    unreadable) are answered with a CALLERROR — see :attr:`answerable`; a broken CALLRESULT,
    CALLERROR, CALLRESULTERROR or SEND is dropped (none of them is ever answered).
    """

    def __init__(self, error: OcppError, message_id: str = UNREADABLE_MESSAGE_ID, message_type: int | None = None):
        super().__init__(str(error))
        self.error = error
        self.message_id = message_id
        self.message_type = message_type
        self.header_read = False
        """True when the frame's header was read and its payload (or action) is what failed."""

    @property
    def answerable(self) -> bool:
        """True when the sender must get a CALLERROR (the frame is not a response)."""
        return self.message_type not in _NEVER_ANSWERED

    def to_call_error(self) -> CallError:
        """The CALLERROR frame answering the faulty frame (2.0.1 spellings; see :meth:`Codec.error_frame`)."""
        return error_frame(self.message_id, self.error)


def error_frame(message_id: str, error: OcppError, codes: Mapping[ErrorCode, str] | None = None) -> CallError:
    """The CALLERROR frame for ``error``: description cut to 255 characters, details an object.

    ``codes`` respells the codes that differ in the connection's OCPP version (:func:`wire_codes`).
    """
    code = error.code.value if not codes else codes.get(error.code, error.code.value)
    return CallError(message_id, code, error.wire_description, dict(error.details))


Refine = Callable[[Any], Any]
"""Second pass over a decoded request payload (e.g. typing DataTransfer ``data``); may raise
``msgspec.ValidationError``."""


class _PayloadDecoder(Protocol):
    def decode(self, data: Any, /) -> Any: ...


class _Refined:
    """A payload decoder followed by its refiner, so every CALL is decoded by one ``decode`` call (the
    refiner's errors land in the same ``except`` clauses as the decoder's)."""

    __slots__ = ("_decoder", "_refine")

    def __init__(self, decoder: _PayloadDecoder, refine: Refine) -> None:
        self._decoder = decoder
        self._refine = refine

    def decode(self, data: Any) -> Any:
        return self._refine(self._decoder.decode(data))



def _request_refused(exc: Exception, payload: msgspec.Raw, message_id: str) -> FrameError:
    """The CALLERROR for a CALL whose request payload failed to decode (schema, UTF-8 or nesting depth)."""
    if isinstance(exc, msgspec.ValidationError):
        return FrameError(_payload_error(payload, exc), message_id, MessageType.CALL)
    if isinstance(exc, UnicodeDecodeError):  # the header decode skips over the payload's strings
        return FrameError(RpcFrameworkError(_NOT_UTF8_JSON), message_id, MessageType.CALL)
    return FrameError(RpcFrameworkError(_TOO_DEEP), message_id, MessageType.CALL)

class Codec:
    """Encodes and decodes frames for one action registry (one OCPP version).

    The vendor registries are objects handed in (``custom_data``, ``data_transfer``; the default
    instances when omitted): payload decoders are built with ``custom_data``'s hook, and the
    DataTransfer registry refines the requests of the action it names. Stateless apart from its
    cached decoders, so one instance can serve every connection.
    """

    def __init__(
        self,
        actions: ActionRegistry,
        *,
        custom_data: CustomDataRegistry | None = None,
        data_transfer: DataTransferRegistry | None = None,
    ) -> None:
        self.actions = actions
        self.custom_data = DEFAULT_CUSTOM_DATA if custom_data is None else custom_data
        self.data_transfer = DEFAULT_DATA_TRANSFER if data_transfer is None else data_transfer
        self.rpc_extensions = actions.rpc_extensions
        header: Any = RawFrame if self.rpc_extensions else _RawFrame201
        self._header_decoder: msgspec.json.Decoder[RawFrame] = msgspec.json.Decoder(header)
        self._elements = _ELEMENTS_21 if self.rpc_extensions else _ELEMENTS
        self._wire_codes = wire_codes(actions.ocpp_version)
        self._refiners: dict[str, Refine] = {self.data_transfer.action: self.data_transfer.refine_request}
        self._decoders: dict[Any, msgspec.json.Decoder[Any]] = {}
        # action name -> (spec, payload decoder): one dict lookup per CALL on the hot path.
        self._requests: dict[str, tuple[ActionSpec[Any, Any], _PayloadDecoder]] = {}
        # action name, as bytes and as str -> (whole-frame decode, action name); filled by _request_entry.
        self._one_pass: dict[bytes | str, tuple[Callable[[bytes | str], Call[Any]], str]] = {}

    def decoder_for(self, tp: type[Any]) -> msgspec.json.Decoder[Any]:
        """The cached payload decoder for ``tp``, wired to this codec's customData registry."""
        if self.custom_data is DEFAULT_CUSTOM_DATA:
            return decoder_for(tp)  # shared with the module-level API
        decoder = self._decoders.get(tp)
        if decoder is None:
            decoder = self._decoders[tp] = msgspec.json.Decoder(tp, dec_hook=self.custom_data.dec_hook)
        return decoder

    # ---- encode ------------------------------------------------------------------------
    @staticmethod
    def encode(frame: Call[Any] | CallResult[Any] | CallError | CallResultError | Send[Any]) -> bytes:
        """One frame as UTF-8 JSON bytes (payload included), with the shared encoder."""
        return encode(frame)

    # ---- decode, stage 1 -----------------------------------------------------------------
    def decode_frame(self, data: bytes | str) -> RawFrame:
        """Read a frame's header, leaving the payload undecoded; raises :class:`FrameError`.

        A large CALL of an action seen before comes back with its payload already decoded and
        validated (one pass, see the module docstring); :meth:`decode_call` accepts both.
        """
        if len(data) >= _ONE_PASS_MIN_BYTES:
            frame = self._decode_one_pass(data)
            if frame is not None:
                return frame
        try:
            return self._header_decoder.decode(data)
        except msgspec.ValidationError:  # JSON, but not a frame
            raise _diagnose(data, self._elements) from None
        except (msgspec.DecodeError, UnicodeDecodeError):  # not JSON msgspec can read: a generic pass cannot either
            raise _diagnose(data, self._elements, unreadable=True) from None
        except RecursionError:  # valid JSON nested deeper than the interpreter's recursion limit
            raise _too_deep(data, self._elements) from None

    def _decode_one_pass(self, data: bytes | str) -> Call[Any] | None:
        """The whole CALL decoded at once with its action's frame type, or ``None`` to take the two-stage path.

        The action is the text between the third and fourth ``"`` of the frame's first bytes. That
        guess can only pick a decoder; the frame is accepted only when msgspec decodes it whole and
        the decoded action is the one guessed. Anything else (another frame type, an action not seen
        yet, escapes, any decode error) returns ``None`` and the two-stage path decodes the frame
        again from scratch, so it alone decides every error.
        """
        if len(data) > _ONE_PASS_MAX_BYTES:
            return None
        parts: list[bytes] | list[str]
        if isinstance(data, str):
            parts = data[:_PEEK_BYTES].split('"', 4)
        elif type(data) is bytes:
            parts = data[:_PEEK_BYTES].split(b'"', 4)
        else:  # a bytearray or memoryview (not what a transport hands over): two-stage
            return None
        if len(parts) < 5:
            return None
        entry = self._one_pass.get(parts[3])
        if entry is None:
            return None
        decode, action = entry
        try:
            frame = decode(data)
        except Exception:  # noqa: BLE001 - whatever it was, the two-stage path meets it again and reports it
            return None
        return frame if frame.action == action else None

    def decode_incoming(self, data: bytes | str) -> tuple[RawFrame, ActionSpec[Any, Any] | None, Any]:
        """:meth:`decode_frame` and, for a CALL, :meth:`decode_call`, in one call: ``(frame, spec, request)``,
        with ``spec`` and ``request`` ``None`` for any other frame. The same results and the same
        :class:`FrameError` as the two calls; what the protocol core runs per frame when it has no signed
        messages to open between the two stages (on a 29-byte Heartbeat the second method call is a
        sizeable share of the whole decode)."""
        frame = self.decode_frame(data)
        if type(frame) is not Call:
            return frame, None, None
        try:
            entry = self._requests.get(frame.action)
            if entry is None:
                spec, request = self.decode_call(frame)  # first CALL of this action, or an unknown one
                return frame, spec, request
            spec, decoder = entry
            payload = frame.payload
            if type(payload) is not _Raw:  # decoded with its frame (one pass)
                return frame, spec, payload
            try:
                return frame, spec, decoder.decode(payload)
            except (msgspec.ValidationError, UnicodeDecodeError, RecursionError) as exc:
                raise _request_refused(exc, payload, frame.message_id) from None
        except FrameError as exc:
            exc.header_read = True
            raise

    # ---- decode, stage 2 -----------------------------------------------------------------
    def decode_call(self, frame: Call[msgspec.Raw]) -> tuple[ActionSpec[Any, Any], Any]:
        """The action and typed request payload of a CALL; raises :class:`FrameError`.

        An action missing from the registry is ``NotImplemented``; a payload breaking the
        request schema gets the code the policy table assigns, its wire path in the description.
        A payload :meth:`decode_frame` already decoded in one pass is returned as it is.
        """
        try:
            spec, decoder = self._requests[frame.action]
        except KeyError:
            spec, decoder = self._request_entry(frame)
        payload = frame.payload
        if type(payload) is not _Raw:  # decoded with its frame (decode_frame, one pass)
            return spec, payload
        try:
            return spec, decoder.decode(payload)
        except (msgspec.ValidationError, UnicodeDecodeError, RecursionError) as exc:
            raise _request_refused(exc, payload, frame.message_id) from None

    def _request_entry(self, frame: Call[msgspec.Raw]) -> tuple[ActionSpec[Any, Any], _PayloadDecoder]:
        """Look an action up in the registry (first CALL of each action); ``NotImplemented`` if unknown.

        Also enables the one-pass decode of the action's later large CALLs, except for an action whose
        payload gets a second pass (DataTransfer's refiner reports errors against the raw payload) and
        a ``<X>-Signed`` name (its payload is a JWS that the session opens before decoding).
        """
        spec = self.actions.get(frame.action)
        if spec is None:
            error = NotImplementedOcppError(f"unknown action {_quote(frame.action)}")
            raise FrameError(error, frame.message_id, MessageType.CALL)
        decoder: _PayloadDecoder = self.decoder_for(spec.request)
        refine = self._refiners.get(spec.name)
        if refine is not None:
            decoder = _Refined(decoder, refine)
        elif frame.action == spec.name and base_action(spec.name) is None:
            frame_type: Any = Call[spec.request]  # type: ignore[name-defined]  # a runtime type, fine for msgspec
            whole = msgspec.json.Decoder(frame_type, dec_hook=self.custom_data.dec_hook)
            self._one_pass[spec.name] = self._one_pass[spec.name.encode()] = (whole.decode, spec.name)
        entry = self._requests[frame.action] = (spec, decoder)
        return entry

    def decode_send(self, frame: Send[msgspec.Raw]) -> tuple[SendSpec[Any], Any]:
        """The action and typed payload of a SEND (OCPP 2.1); raises :class:`FrameError` (never answered)."""
        spec = self.actions.sends.get(frame.action)
        if spec is None:
            error = NotImplementedOcppError(f"unknown SEND action {_quote(frame.action)}")
            raise FrameError(error, frame.message_id, MessageType.SEND)
        try:
            return spec, self.decoder_for(spec.payload).decode(frame.payload)
        except msgspec.ValidationError as exc:
            raise FrameError(_payload_error(frame.payload, exc), frame.message_id, MessageType.SEND) from None
        except (UnicodeDecodeError, RecursionError):
            raise FrameError(RpcFrameworkError(_NOT_UTF8_JSON), frame.message_id, MessageType.SEND) from None

    def error_frame(self, message_id: str, error: OcppError) -> CallError:
        """The CALLERROR for ``error`` with the code spelled as this codec's OCPP version spells it."""
        return error_frame(message_id, error, self._wire_codes)

    def decode_result(self, frame: CallResult[msgspec.Raw], spec: ActionSpec[Any, Any]) -> Any:
        """The typed payload of a CALLRESULT answering a call of ``spec``; raises :class:`FrameError`."""
        try:
            return self.decoder_for(spec.response).decode(frame.payload)
        except msgspec.ValidationError as exc:
            raise FrameError(_payload_error(frame.payload, exc), frame.message_id, MessageType.CALL_RESULT) from None
        except UnicodeDecodeError:
            raise FrameError(RpcFrameworkError(_NOT_UTF8_JSON), frame.message_id, MessageType.CALL_RESULT) from None
        except RecursionError:
            raise FrameError(RpcFrameworkError(_TOO_DEEP), frame.message_id, MessageType.CALL_RESULT) from None


def _diagnose(data: bytes | str, elements: Mapping[MessageType, int], *, unreadable: bool = False) -> FrameError:
    """Say exactly what is wrong with a frame the fast header decode refused.

    Diagnosing must stay cheap, or refused frames become the cheapest way to load a CSMS: each
    path below reads the frame at most twice more, with C-speed parsers (measured against a valid
    frame of the same size by ``benchmarks/refused_frames.py``). ``unreadable`` says msgspec's
    parser already failed on the text itself, so it is not UTF-8 JSON and is not read again.
    """
    if unreadable:
        # msgspec's parser refused the text itself (syntax, truncation, invalid UTF-8, a lone
        # surrogate escape): no reader makes UTF-8 JSON of it, and its header cannot be trusted.
        # Numbers msgspec cannot hold arrive as ValidationError instead, on the path below.
        return _not_json(data, elements)
    try:
        value = msgspec.json.decode(data)
    except (msgspec.DecodeError, UnicodeDecodeError):
        value = _reread(data)
        if value is _NOT_JSON:
            return _not_json(data, elements)
    except RecursionError:
        return _too_deep(data, elements)
    if not isinstance(value, list):
        return FrameError(RpcFrameworkError("message is not a JSON array"))
    if not value:
        return FrameError(RpcFrameworkError("message is an empty JSON array"))

    number = value[0]
    raw_id = value[1] if len(value) > 1 else None
    message_id = raw_id if isinstance(raw_id, str) and len(raw_id) <= MAX_MESSAGE_ID_LENGTH else None
    reply_id = UNREADABLE_MESSAGE_ID if message_id is None else message_id

    if type(number) is not int or number not in elements:  # 2.0, "2" and true are not 2
        huge = isinstance(number, float) and not math.isfinite(number)  # from _reread: 1e400, 10**5000
        shown = "(a number out of range)" if huge else msgspec.json.encode(number).decode()[:20]
        known = ", ".join(f"{int(k)} = {_FRAME_NAMES[k]}" for k in elements)
        unsupported = MessageTypeNotSupportedError(f"Message Type Number {shown} is not supported ({known})")
        return FrameError(unsupported, reply_id)

    kind = MessageType(number)
    name = _FRAME_NAMES[kind]
    if message_id is None:
        if len(value) < 2:
            problem = "messageId is missing"
        elif not isinstance(raw_id, str):
            problem = "messageId is not a string"
        else:
            problem = f"messageId is longer than {MAX_MESSAGE_ID_LENGTH} characters"
        return FrameError(RpcFrameworkError(f"{name}: {problem}"), reply_id, kind)
    expected = elements[kind]
    if len(value) != expected:
        error = RpcFrameworkError(f"a {name} frame has {expected} elements, this one has {len(value)}")
        return FrameError(error, reply_id, kind)
    if kind in (MessageType.CALL, MessageType.SEND) and not isinstance(value[2], str):
        return FrameError(RpcFrameworkError(f"{name}: action is not a string"), reply_id, kind)
    if kind in (MessageType.CALL_ERROR, MessageType.CALL_RESULT_ERROR):
        for index, label, ok in (
            (2, "errorCode is not a string", isinstance(value[2], str)),
            (3, "errorDescription is not a string", isinstance(value[3], str)),
            (4, "errorDetails is not an object", isinstance(value[4], dict)),
        ):
            if not ok:
                return FrameError(RpcFrameworkError(f"{name}: {label}"), reply_id, kind)
    return FrameError(RpcFrameworkError(f"malformed {name} frame"), reply_id, kind)


def _payload_error(payload: msgspec.Raw, exc: msgspec.ValidationError) -> OcppError:
    """The policy error for a payload the decoder refused.

    Text that is not UTF-8 is RpcFrameworkError whatever else is wrong with it: msgspec checks a
    date-time, an enum value or a property name before it checks the bytes of that string, so
    a timestamp starting with the byte 0xC3 and then ``(`` would otherwise come back as a
    PropertyConstraintViolation.
    """
    try:
        bytes(payload).decode("utf-8")
    except UnicodeDecodeError:
        return RpcFrameworkError(_NOT_UTF8_JSON)
    return error_for_validation(exc)


_NOT_JSON = object()
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_ESCAPE = re.compile(r"\\(?:u([dD][89a-fA-F][0-9a-fA-F]{2})|.)", re.DOTALL)


def _huge_integer(digits: str) -> int | float:
    return int(digits) if len(digits) <= 4000 else float("inf")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _reread(data: bytes | str) -> Any:
    """Read a frame msgspec refused once more, for JSON that msgspec cannot represent.

    JSON sets no limit on numbers, but msgspec refuses ``1e400`` or a 5000-digit integer anywhere
    in an untyped document. Such a frame is still JSON, so its header must be judged like any
    other — a CALL whose id is readable is answered with that id, not ``"-1"``. Python's reader
    holds these numbers; a number's exact value never matters here (only whether the type number
    is the integer 2, 3 or 4). Returns ``_NOT_JSON`` for text that really is not UTF-8 JSON,
    including NaN/Infinity and lone surrogate escapes (msgspec refuses those too).
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, parse_int=_huge_integer, parse_constant=_no_constants)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return _NOT_JSON
    if _has_lone_surrogate(text):
        return _NOT_JSON
    return value


def _has_lone_surrogate(text: str) -> bool:
    """True when JSON ``text`` escapes a UTF-16 surrogate that is not part of a pair (``"\\ud800"``).

    Such a string has no UTF-8 form, so the frame is not UTF-8 JSON. Raw surrogate bytes are
    already invalid UTF-8; only ``\\u`` escapes can smuggle one in. The scan is two regular
    expressions over the text (C speed), and the escape-by-escape walk runs only when a surrogate
    escape is present at all.
    """
    if not _SURROGATE_ESCAPE.search(text):
        return False
    low_must_start: int | None = None  # where the low half of a pair must begin
    for match in _ESCAPE.finditer(text):  # every escape sequence, so "\\\\" never starts one
        unit = match.group(1)
        if low_must_start is not None:
            if unit is not None and match.start() == low_must_start and unit[1] in "cdefCDEF":
                low_must_start = None
                continue
            return True
        if unit is None:
            continue
        if unit[1] in "89abAB":
            low_must_start = match.end()
        else:
            return True  # a low half without a high one
    return low_must_start is not None


def _head(data: bytes | str) -> bytes:
    # 512 bytes hold the type number and a 36-character id even when each character is escaped.
    return data[:512].encode("utf-8", "replace") if isinstance(data, str) else data[:512]


def _not_json(data: bytes | str, elements: Mapping[MessageType, int]) -> FrameError:
    """A frame that is not UTF-8 JSON: answered with ``"-1"``, unless its first bytes say it is a
    response (CALLRESULT, CALLERROR; CALLRESULTERROR in 2.1) or a SEND, which are never answered."""
    match = _TYPE_NUMBER.match(_head(data))
    kind = None
    if match is not None and MessageType(int(match.group(1))) in elements:
        kind = MessageType(int(match.group(1)))
    return FrameError(RpcFrameworkError(_NOT_UTF8_JSON), UNREADABLE_MESSAGE_ID, kind)


def peek_header(data: bytes | str) -> tuple[int, str] | None:
    """The type number and messageId written at the start of a frame, read from its first bytes only
    (for frames too deep to parse, and for log lines), or ``None`` when they cannot be read there."""
    match = _HEADER.match(_head(data))
    if match is None:
        return None
    try:
        message_id = msgspec.json.decode(match.group(2), type=MessageId)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        message_id = UNREADABLE_MESSAGE_ID
    return int(match.group(1)), message_id


def _too_deep(data: bytes | str, elements: Mapping[MessageType, int]) -> FrameError:
    """A frame too deeply nested to parse (msgspec stops at the interpreter's recursion limit).

    The text is valid JSON and its header usually sits in the first bytes, so the type number and
    messageId are picked out there: a CALL is answered with its own id (else ``"-1"``), a
    CALLRESULT or CALLERROR is dropped like any unreadable response.
    """
    header = peek_header(data)
    if header is None or MessageType(header[0]) not in elements:
        return FrameError(RpcFrameworkError(_TOO_DEEP))
    return FrameError(RpcFrameworkError(_TOO_DEEP), header[1], MessageType(header[0]))


def _quote(text: str, limit: int = MAX_DESCRIPTION_LENGTH // 4) -> str:
    """``repr`` of a peer-supplied string, shortened so descriptions stay readable and bounded."""
    return repr(text if len(text) <= limit else text[:limit] + "…")
