"""Seeded hostile frames for a live connection, and the answer the policy table owes each one.

The generator draws from eleven kinds — valid CALLs, unsolicited CALLRESULT/CALLERRORs, mutated
valid frames (byte flips, cuts, insertions, truncation), random bytes, random text, invalid UTF-8
inside strings, deep nesting, huge numbers, huge strings, wrong arity and wrong types in every
header position. :func:`owed` reads docs/runtime.md's policy table independently of the codec
(Python's ``json`` as the reference parser) and says how many answers a frame is owed, with which
messageIds and codes. Schema verdicts on payloads are the differential test's business
(``make conformance``); here a payload-level answer only has to carry the right id.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ocppwire.v201 import ACTIONS
from ocppwire.v201.actions import STATION_SENDS

from ..interop.payloads import rich_json
from ..runtime.builders import minimal_json

__all__ = ["ERROR_CODES", "Frame", "FrameGenerator", "Owed", "owed"]

ERROR_CODES = frozenset(
    {
        "FormatViolation",
        "GenericError",
        "InternalError",
        "MessageTypeNotSupported",
        "NotImplemented",
        "NotSupported",
        "OccurrenceConstraintViolation",
        "PropertyConstraintViolation",
        "ProtocolError",
        "RpcFrameworkError",
        "SecurityError",
        "TypeConstraintViolation",
    }
)
RPC = frozenset({"RpcFrameworkError"})
ANY = None  # any answer: a CALLRESULT or a CALLERROR with one of the 12 codes
_BAD_UTF8 = (b"\xff", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80")
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"
_HEADER = re.compile(rb'^\s*\[\s*([234])\s*,\s*("(?:[^"\\\x00-\x1f]|\\.){0,256}")')
_ACTIONS = sorted(STATION_SENDS)


@dataclass(frozen=True)
class Frame:
    kind: str
    data: bytes


@dataclass(frozen=True)
class Owed:
    """What the policy table prescribes: ``counts`` allowed answers (0 or 1), their ids and codes."""

    counts: frozenset[int]
    ids: frozenset[str] = frozenset()
    codes: frozenset[str] | None = ANY


NOTHING = Owed(frozenset({0}))


def _answer(ids: set[str], codes: frozenset[str] | None) -> Owed:
    return Owed(frozenset({1}), frozenset(ids), codes)


def _has_surrogate(value: Any) -> bool:
    # Iterative: on Python 3.12+ msgspec decodes frames nested deeper than this interpreter's recursion
    # limit (3.12: 1,000 levels; 3.13: 5,000), so a recursive walk of a decoded frame could overflow.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= c <= "\udfff" for c in item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


def _not_json(_: str) -> Any:
    raise ValueError("NaN and Infinity are not JSON")


def _parse(data: bytes) -> tuple[str, Any]:
    """("ok", value), ("invalid", None) or ("too deep", None), with Python's json as the reference."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # JSON has no integer size limit; the codec's verdict comes later
    try:
        return "ok", json.loads(data.decode("utf-8"), parse_constant=_not_json)
    except RecursionError:
        return "too deep", None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return "invalid", None
    finally:
        sys.set_int_max_str_digits(limit)


def _readable_id(frame: list[Any]) -> str | None:
    if len(frame) > 1 and isinstance(frame[1], str) and len(frame[1]) <= 36:
        return frame[1]
    return None


def _salvage(data: bytes) -> tuple[int, str | None] | None:
    """Type number and messageId from the first bytes of a frame that cannot be parsed whole."""
    match = _HEADER.match(data[:512])
    if match is None:
        return None
    try:
        message_id = json.loads(match.group(2))
    except ValueError:
        message_id = None
    readable = isinstance(message_id, str) and len(message_id) <= 36 and not _has_surrogate(message_id)
    return int(match.group(1)), message_id if readable else None


def owed(data: bytes) -> Owed:
    """The answers the policy table (docs/runtime.md) owes ``data``, judged without the codec."""
    status, value = _parse(data)
    if status != "ok":
        header = _salvage(data)
        if status == "too deep":  # valid JSON, too deep for any recursive reader: the header decides
            if header is None:
                return _answer({"-1"}, RPC)
            if header[0] != 2:
                return NOTHING  # a CALLRESULT/CALLERROR that cannot be read is dropped
            return _answer({header[1] or "-1"}, RPC)
        # not UTF-8 JSON: "-1", or the id when the header in front of the fault is readable; a
        # CALL whose action is unknown may be answered for that fault first (the reader never
        # gets to the payload holding the bad bytes)
        ids = {"-1"} | ({header[1]} if header and header[1] is not None else set())
        counts = {0, 1} if header and header[0] != 2 else {1}
        codes = RPC | {"NotImplemented"} if header and header[1] is not None else RPC
        return Owed(frozenset(counts), frozenset(ids), codes)
    if not isinstance(value, list) or not value:
        return _answer({"-1"}, RPC)
    number, message_id = value[0], _readable_id(value)
    if _has_surrogate(value):  # lone surrogate escapes: not valid UTF-8 JSON, or a payload fault
        ids = {"-1"} | ({message_id} if message_id is not None else set())
        counts = {0, 1} if number in (3, 4) and type(number) is int else {1}
        return Owed(frozenset(counts), frozenset(ids), ANY)
    if type(number) is not int or number not in (2, 3, 4):
        return _answer(
            {"-1"} | ({message_id} if message_id is not None else set()), frozenset({"MessageTypeNotSupported"})
        )
    if number in (3, 4):
        return NOTHING  # never answered: matched to no call of ours, it is dropped and counted
    if message_id is None:
        return _answer({"-1"}, RPC)
    if len(value) != 4 or not isinstance(value[2], str):
        return _answer({message_id}, RPC)
    if value[2] not in ACTIONS:
        return _answer({message_id}, frozenset({"NotImplemented"}))
    if not isinstance(value[3], dict):
        return _answer({message_id}, frozenset({"FormatViolation"}))
    return _answer({message_id}, ANY)


class FrameGenerator:
    """Draws hostile frames from one ``random.Random(seed)``; every frame fits ``max_size`` bytes."""

    KINDS = (
        "valid",
        "response",
        "mutated",
        "random_bytes",
        "random_text",
        "invalid_utf8",
        "deep",
        "huge_number",
        "huge_string",
        "arity",
        "header_type",
    )

    def __init__(self, seed: int, max_size: int = 2**20) -> None:
        self.rng = random.Random(seed)
        self.max_size = max_size
        self.count = 0

    def frames(self, n: int) -> Iterator[Frame]:
        for _ in range(n):
            kind = self.rng.choice(self.KINDS)
            data = getattr(self, kind)()
            assert len(data) <= self.max_size, (kind, len(data))
            yield Frame(kind, data)

    # ---- building blocks ---------------------------------------------------------------------
    def _id(self) -> str:
        self.count += 1
        return f"{self.count}-" + "".join(self.rng.choice(_ID_CHARS) for _ in range(self.rng.randint(0, 20)))

    def _payload(self, action: str) -> dict[str, Any]:
        tp = ACTIONS[action].request
        return rich_json(tp) if self.rng.random() < 0.3 else minimal_json(tp)

    def _valid(self) -> bytes:
        action = self.rng.choice(_ACTIONS)
        return json.dumps([2, self._id(), action, self._payload(action)]).encode()

    def _json_value(self, depth: int = 0) -> Any:
        choice = self.rng.randrange(8 if depth < 3 else 5)
        if choice == 0:
            return None
        if choice == 1:
            return self.rng.choice([True, False])
        if choice == 2:
            return self.rng.choice([0, -1, 2, 3, 4, 2**53, -(2**63), 1.5, 1e300])
        if choice in (3, 4):
            return "".join(
                chr(self.rng.choice([self.rng.randint(32, 126), self.rng.randint(160, 0x2FFF)]))
                for _ in range(self.rng.randint(0, 40))
            )
        if choice == 5:
            return [self._json_value(depth + 1) for _ in range(self.rng.randint(0, 4))]
        return {f"k{i}": self._json_value(depth + 1) for i in range(self.rng.randint(0, 4))}

    # ---- kinds -----------------------------------------------------------------------------------
    def valid(self) -> bytes:
        return self._valid()

    def response(self) -> bytes:
        if self.rng.random() < 0.5:
            return json.dumps([3, self._id(), self._json_value()]).encode()
        return json.dumps([4, self._id(), self.rng.choice(sorted(ERROR_CODES)), "x", {}]).encode()

    def mutated(self) -> bytes:
        data = bytearray(self._valid())
        for _ in range(self.rng.randint(1, 5)):
            if not data:
                break
            op = self.rng.randrange(5)
            at = self.rng.randrange(len(data))
            if op == 0:
                data[at] = self.rng.randrange(256)
            elif op == 1:
                del data[at : at + self.rng.randint(1, 8)]
            elif op == 2:
                data[at:at] = bytes(
                    self.rng.choice(b'[]{}",:0123456789-.eE\\ tfn') for _ in range(self.rng.randint(1, 4))
                )
            elif op == 3:
                del data[at:]
            else:
                data[at:at] = data[at : at + self.rng.randint(1, 16)]
        return bytes(data)

    def random_bytes(self) -> bytes:
        return self.rng.randbytes(self.rng.choice([0, 1, 2, 16, 300, 4000]))

    def random_text(self) -> bytes:
        alphabet = '[]{},:"0123456789 -.eEtruefalsnl\\/abc\u00e9\u20ac\U0001f600'
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(0, 200))).encode()

    def invalid_utf8(self) -> bytes:
        data = self._valid()
        quotes = [i for i, b in enumerate(data) if b == ord('"')]
        at = self.rng.choice(quotes) + 1
        return data[:at] + self.rng.choice(_BAD_UTF8) + data[at:]

    def deep(self) -> bytes:
        depth = self.rng.choice([10, 200, 1000, 5000, 100_000])
        open_, close = ("[", "]") if self.rng.random() < 0.5 else ('{"a":', "}")
        nested = open_ * depth + ("1" if open_ != "[" else "") + close * depth
        where = self.rng.randrange(3)
        if where == 0:
            return nested.encode()
        if where == 1:
            return f'[2,"{self._id()}","DataTransfer",{{"vendorId":"x","data":{nested}}}]'.encode()
        return f'[{self.rng.choice([2, 3])},"{self._id()}",{nested}]'.encode()

    def huge_number(self) -> bytes:
        number = self.rng.choice(
            ["1" + "0" * self.rng.choice([20, 400, 5000, 100_000]), "1e400", "-1e400", "1e-400", "-0.0"]
        )
        frame = [2, self._id(), "DataTransfer", {"vendorId": "x", "data": "NUM"}]
        spot = self.rng.randrange(4)
        if spot == 3:
            text = json.dumps(frame).replace('"NUM"', number)
        else:
            frame[spot] = "NUM"
            text = json.dumps(frame).replace('"NUM"', number)
        return text.encode()

    def huge_string(self) -> bytes:
        size = self.rng.choice([37, 256, 10_000, 200_000, self.max_size - 200])
        big = "".join(self.rng.choice("xyz\u00e9") for _ in range(64)) * (size // 64 + 1)
        big = big[:size]
        frame: list[Any] = [2, self._id(), "DataTransfer", {"vendorId": "x", "data": big}]
        frame[self.rng.randrange(1, 4)] = big if self.rng.random() < 0.5 else frame[3]
        data = json.dumps(frame, ensure_ascii=False).encode()
        return data if len(data) <= self.max_size else data[: self.max_size]

    def arity(self) -> bytes:
        frame = (
            [self.rng.choice([2, 3, 4])] + [self._id()] + [self._json_value() for _ in range(self.rng.randint(0, 6))]
        )
        return json.dumps(frame[: self.rng.randint(0, len(frame))]).encode()

    def header_type(self) -> bytes:
        frame: list[Any] = json.loads(self._valid())
        spot = self.rng.randrange(4)
        frame[spot] = self.rng.choice([None, True, False, 2.0, "2", 17, -1, [], {}, "x" * 40, [2], {"id": 1}])
        return json.dumps(frame).encode()
