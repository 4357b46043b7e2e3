"""Frame fuzzing: random and mutated OCPP-J frames through the codec, checked against the policy table.

Payloads were the differential test's business; here the *frame* is attacked - random bytes,
invalid UTF-8, a BOM, trailing garbage, truncation, deep nesting, huge numbers and strings, wrong
arity, wrong types in every header position - and every outcome is compared with an independent
reading of the policy table (:func:`expect`), written from OCPP-J Part 4 and this project's table,
not from the codec:

| fault                                                      | answer                  | messageId |
|------------------------------------------------------------|-------------------------|-----------|
| not UTF-8 JSON (incl. lone surrogate escapes, NaN, BOM)    | RpcFrameworkError       | "-1" or the id, if one can be picked out |
| not an array, or an empty one                              | RpcFrameworkError       | "-1"      |
| Message Type Number not the JSON integer 2, 3 or 4         | MessageTypeNotSupported | the id, or "-1" |
| messageId missing, not a string, over 36 characters        | RpcFrameworkError       | "-1"      |
| wrong element count, action / CALLERROR field of wrong type| RpcFrameworkError       | the id    |
| unknown action                                             | NotImplemented          | the id    |
| payload not an object                                      | FormatViolation         | the id    |
| payload breaks the request schema                          | as the payload decoder  | the id    |

A broken CALLRESULT or CALLERROR (type number 3 or 4, readable or not) is dropped, never answered.
A CALL whose id is readable must be answered with that id - a message too deeply nested for the
parser included (it is valid JSON; only the reader gives up).

Per version (:func:`expect` takes the schema set):

- OCPP 2.1 adds CALLRESULTERROR (type 5, five elements, read like a CALLERROR) and SEND (type 6,
  ``[6, id, action, payload]``). Neither is ever answered: a broken one, a SEND of an action that is
  not a SEND action (``schemas/v21/actions.json`` ``"frame": "SEND"``) or a SEND whose payload breaks
  its schema is dropped. Before 2.1, types 5 and 6 are unsupported like 7.
- OCPP 1.6 spells the codes its own way (OCPP-J 1.6 §4.2.3 has ten codes): OccurenceConstraintViolation
  and FormationViolation; it has no RpcFrameworkError (a frame that does not conform to the PDU
  structure is a FormationViolation) and no MessageTypeNotSupported (an unknown type is
  NotImplemented, "not known by receiver"). The table below is written in 2.0.1's names and
  respelled by :data:`SPELLING_16`.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ocppwire.runtime.codec import Codec, FrameError
from ocppwire.runtime.frames import Call, CallError, CallResult, CallResultError, Send

from . import subject
from .schemas import by_name, schema_set

__all__ = [
    "FrameCase",
    "FrameExpectation",
    "FrameOutcome",
    "SPELLING_16",
    "VersionRules",
    "check",
    "expect",
    "outcome",
    "rules_for",
]

RPC = "RpcFrameworkError"
MTNS = "MessageTypeNotSupported"
ANY_ID = "*"  # expectation wildcard: "-1" or the id picked out of the text

_ELEMENTS = {2: 4, 3: 3, 4: 5}
_ELEMENTS_21 = {**_ELEMENTS, 5: 5, 6: 4}
# The id of a frame the JSON reader gave up on, picked out of its first bytes.
_SALVAGE = re.compile(rb'^\s*\[\s*([234])\s*,\s*("(?:[^"\\\x00-\x1f]|\\.)*")')
_SALVAGE_21 = re.compile(rb'^\s*\[\s*([2-6])\s*,\s*("(?:[^"\\\x00-\x1f]|\\.)*")')

SPELLING_16 = {
    "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
    "FormatViolation": "FormationViolation",
    RPC: "FormationViolation",
    MTNS: "NotImplemented",
}
"""2.0.1's code names as an OCPP 1.6 connection writes them (OCPP-J 1.6 §4.2.3)."""


@dataclass(frozen=True)
class VersionRules:
    """What a schema set changes in the policy table: frame types, actions, code spellings."""

    version: str
    elements: dict[int, int]  # type number -> element count
    responses: frozenset[int]  # type numbers never answered
    calls: frozenset[str]  # actions a CALL may carry
    sends: frozenset[str]  # actions a SEND may carry (2.1)
    salvage: re.Pattern[bytes]
    spelling: dict[str, str]

    def spell(self, code: str) -> str:
        return self.spelling.get(code, code)


def rules_for(version: str) -> VersionRules:
    """The rules of ``version``, read from its ``actions.json`` (project data, not the codec)."""
    if version not in _RULES:
        data = json.loads((schema_set(version).directory / "actions.json").read_text(encoding="utf-8"))
        calls, sends = set(), set()
        for name, entry in data["actions"].items():
            (sends if isinstance(entry, dict) and entry.get("frame") == "SEND" else calls).add(name)
        extended = version == "v21"
        _RULES[version] = VersionRules(
            version,
            _ELEMENTS_21 if extended else _ELEMENTS,
            frozenset({3, 4, 5, 6} if extended else {3, 4}),
            frozenset(calls),
            frozenset(sends),
            _SALVAGE_21 if extended else _SALVAGE,
            SPELLING_16 if version == "v16" else {},
        )
    return _RULES[version]


_RULES: dict[str, VersionRules] = {}


@dataclass(frozen=True, slots=True)
class FrameExpectation:
    """What the policy table prescribes for one frame.

    ``answered``: a CALLERROR must go back (else: accepted, or dropped). ``codes``: the acceptable
    error codes (empty when the frame is accepted). ``ids``: acceptable messageIds of the answer.
    ``payload`` (a CALL of a known action with an object payload): the verdict is the payload
    decoder's, which the differential test checks against the schemas.
    """

    answered: bool
    codes: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    payload: tuple[str, bytes] | None = None  # (request schema name, payload JSON)
    send: bool = False  # the payload is a SEND's: judged like a CALL's, never answered


@dataclass(frozen=True, slots=True)
class FrameOutcome:
    """What the codec did, as the session would act on it."""

    accepted: bool  # a frame came out (a CALL with its typed payload, a CALLRESULT or a CALLERROR)
    answered: bool = False
    code: str = ""
    message_id: str = ""
    crash: str = ""


@dataclass(frozen=True, slots=True)
class FrameCase:
    kind: str
    data: bytes | str
    expected: FrameExpectation = field(repr=False)
    version: str = "v201"


# ---- the independent reading of the policy table --------------------------------------------
class _NotJson(Exception):
    pass


def _strict_json(text: str) -> Any:
    """``json.loads`` restricted to RFC 8259 text that is also Unicode (no lone surrogates, no
    NaN/Infinity); ``RecursionError`` passes through (valid JSON, too deep for the reader)."""

    def reject_constant(name: str) -> Any:
        raise _NotJson(name)

    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        value = json.loads(text, parse_constant=reject_constant)
    except (ValueError, _NotJson) as exc:
        raise _NotJson(str(exc)) from None
    finally:
        sys.set_int_max_str_digits(limit)
    if _has_lone_surrogate(value):
        raise _NotJson("lone surrogate")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    """True when a string anywhere in ``value`` (keys included) holds half a surrogate pair."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= c <= "\udfff" for c in item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
    return False


# Invalid UTF-8 inside a payload string is found only when the payload is decoded (the header
# decode skips its strings), so a payload that also has another fault may be reported by that one.
_AFTER_BAD_UTF8 = frozenset(
    {
        RPC,
        "NotImplemented",
        "FormatViolation",
        "OccurrenceConstraintViolation",
        "TypeConstraintViolation",
        "PropertyConstraintViolation",
        "ProtocolError",
    }
)


_INT_DIGITS_LIMIT = 10**4300  # msgspec (like CPython's int/str) refuses integers of more digits


def _parses(text: str) -> bool:
    """Whether ``text`` is JSON once its invalid bytes became U+FFFD (the bad bytes sat in strings)."""
    try:
        _strict_json(text)
    except (_NotJson, RecursionError):
        return False
    return True


def _unrepresentable(value: Any) -> bool:
    """A JSON number msgspec refuses (beyond the double range, or an integer of 4301+ digits)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return True
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) >= _INT_DIGITS_LIMIT:
            return True
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False


def _picked_id(match: re.Match[bytes] | None) -> str | None:
    """The messageId token of a :data:`_SALVAGE` match, if it is a readable id (valid JSON string
    of valid UTF-8, escapes included, at most 36 characters)."""
    if match is None:
        return None
    try:
        message_id = json.loads(match.group(2).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return message_id if isinstance(message_id, str) and len(message_id) <= 36 else None


def _salvaged(data: bytes, rules: VersionRules) -> frozenset[str]:
    """Acceptable ids for a corrupt frame: "-1", or its id if one can be picked out."""
    message_id = _picked_id(rules.salvage.match(data))
    return frozenset({"-1"} if message_id is None else {"-1", message_id})


def expect(data: bytes | str, version: str = "v201") -> FrameExpectation:
    """The policy table's answer to ``data`` on a connection of schema set ``version`` (see the module
    docstring), codes spelled as that version writes them."""
    rules = rules_for(version)
    want = _expect(data, rules)
    if not rules.spelling or not want.codes:
        return want
    return FrameExpectation(
        want.answered, frozenset(rules.spell(c) for c in want.codes), want.ids, want.payload, want.send
    )


def _expect(data: bytes | str, rules: VersionRules) -> FrameExpectation:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    responses = {str(n).encode() for n in rules.responses}
    try:
        value = _strict_json(raw.decode("utf-8"))
    except RecursionError:
        match = rules.salvage.match(raw)
        if match and match.group(1) in responses:
            return FrameExpectation(False, frozenset({RPC}))  # a response: dropped
        ids = frozenset({_picked_id(match) or "-1"})
        return FrameExpectation(True, frozenset({RPC, "FormatViolation"}), ids)
    except UnicodeDecodeError:
        codes = _AFTER_BAD_UTF8 if _parses(raw.decode("utf-8", "replace")) else frozenset({RPC})
        match = rules.salvage.match(raw)
        if match and match.group(1) in responses:
            return FrameExpectation(False, codes)
        return FrameExpectation(True, codes, _salvaged(raw, rules))
    except _NotJson:
        match = rules.salvage.match(raw)
        if match and match.group(1) in responses:
            return FrameExpectation(False, frozenset({RPC}))
        return FrameExpectation(True, frozenset({RPC}), _salvaged(raw, rules))
    if not isinstance(value, list) or not value:
        return FrameExpectation(True, frozenset({RPC}), frozenset({"-1"}))
    number = value[0]
    raw_id = value[1] if len(value) > 1 else None
    readable = isinstance(raw_id, str) and len(raw_id) <= 36
    reply = frozenset({raw_id if isinstance(raw_id, str) and readable else "-1"})
    payload_at = {2: 3, 3: 2, 6: 3}.get(number) if type(number) is int else None
    if any(_unrepresentable(x) for i, x in enumerate(value) if i != payload_at):
        # FD1: a header number msgspec cannot hold makes the whole frame unreadable to it.
        codes = frozenset({RPC, MTNS, "NotImplemented"})
        return FrameExpectation(number not in rules.responses, codes, reply | {"-1"})
    if type(number) is not int or number not in rules.elements:
        return FrameExpectation(True, frozenset({MTNS}), reply)
    is_call = number == 2
    if not readable or len(value) != rules.elements[number]:
        return FrameExpectation(is_call, frozenset({RPC}), reply if is_call else frozenset())
    if number == 3:
        return FrameExpectation(False)
    if number in (4, 5):  # CALLERROR, and CALLRESULTERROR (2.1) with the same three fields
        ok = isinstance(value[2], str) and isinstance(value[3], str) and isinstance(value[4], dict)
        return FrameExpectation(False, frozenset() if ok else frozenset({RPC}))
    action, payload = value[2], value[3]
    if not isinstance(action, str):
        return FrameExpectation(is_call, frozenset({RPC}), reply if is_call else frozenset())
    if action not in (rules.calls if is_call else rules.sends):
        return FrameExpectation(is_call, frozenset({"NotImplemented"}), reply if is_call else frozenset())
    if not isinstance(payload, dict):
        return FrameExpectation(is_call, frozenset({"FormatViolation"}), reply if is_call else frozenset())
    try:
        text = _payload_text(raw)
    except RecursionError:
        return FrameExpectation(is_call, frozenset({RPC, "FormatViolation"}), reply if is_call else frozenset())
    return FrameExpectation(False, ids=reply, payload=(f"{action}Request", text), send=not is_call)


def _payload_text(raw: bytes) -> bytes:
    """The payload's JSON text inside a well-formed CALL (its fourth element), verbatim."""
    return bytes(msgspec.json.decode(raw, type=tuple[msgspec.Raw, msgspec.Raw, msgspec.Raw, msgspec.Raw])[3])


# ---- what the codec does -----------------------------------------------------------------------
def outcome(codec: Codec, data: bytes | str) -> FrameOutcome:
    """Run ``data`` through the codec as :meth:`Session.receive` does, without a session; a rejection's
    code is spelled as the codec's version writes it on the wire."""
    try:
        try:
            frame = codec.decode_frame(data)
        except FrameError as exc:
            return _refused(codec, exc)
        if isinstance(frame, Call):
            try:
                codec.decode_call(frame)
            except FrameError as exc:
                return _refused(codec, exc)
            return FrameOutcome(True, message_id=frame.message_id)
        if isinstance(frame, Send):
            try:
                codec.decode_send(frame)
            except FrameError as exc:
                return _refused(codec, exc)
            return FrameOutcome(True, message_id=frame.message_id)
        assert isinstance(frame, (CallResult, CallError, CallResultError))
        return FrameOutcome(True, message_id=frame.message_id)
    except Exception as exc:  # noqa: BLE001 - the finding
        return FrameOutcome(False, crash=f"{type(exc).__name__}: {str(exc)[:80]}")


def _refused(codec: Codec, exc: FrameError) -> FrameOutcome:
    code = codec.error_frame(exc.message_id, exc.error).error_code
    return FrameOutcome(False, exc.answerable, code, exc.message_id)


def check(case: FrameCase, got: FrameOutcome) -> str:
    """``""`` when the codec did what the policy table says, else what differs."""
    want = case.expected
    if got.crash:
        return f"codec raised {got.crash}"
    if want.payload is not None:
        ours = subject.judge(by_name(want.payload[0], case.version), want.payload[1])
        code = rules_for(case.version).spell(ours.code)
        if got.accepted != ours.accepted or (not ours.accepted and got.code != code):
            return f"frame path says {got.code or 'accepted'}, payload decoder says {code or 'accepted'}"
        if want.send:
            return f"SEND answered with {got.code}" if got.answered else ""
        if not got.accepted and (not got.answered or got.message_id not in want.ids):
            return f"payload rejection answered={got.answered} with id {got.message_id!r}"
        return ""
    if not want.codes:
        return "" if got.accepted else f"rejected with {got.code}, expected acceptance"
    if got.accepted:
        return f"accepted, expected {'/'.join(sorted(want.codes))}"
    if got.code not in want.codes:
        return f"code {got.code}, expected {'/'.join(sorted(want.codes))}"
    if got.answered != want.answered:
        return f"answered={got.answered}, expected {want.answered}"
    if want.answered and got.message_id not in want.ids:
        return f"answered with id {got.message_id!r}, expected {'/'.join(sorted(want.ids))}"
    return ""
