"""Frame fuzzer: draws random and mutated OCPP-J frames and runs them through the codec.

Frame kinds (each ``make_<kind>`` method): valid CALLs and CALLs with a differential payload
mutant, text (``str``) frames, CALLRESULTs, CALLERRORs with fields of every type, random bytes,
random JSON, truncation, byte flips, invalid UTF-8 inside strings, not-JSON text (BOM, trailing
garbage, trailing comma, NaN/Infinity, lone surrogate), bad Message Type Numbers, bad messageIds,
wrong arity, bad actions, non-object payloads, deep nesting (up to 100,000 levels), huge strings,
numbers and arrays, and odd whitespace; the OCPP 2.1 frames SEND (valid, payload mutants, unknown
and request actions, wrong fields) and CALLRESULTERROR (valid and with fields of every type), which
every version gets: 2.1 must read them, 1.6 and 2.0.1 must refuse them as unsupported types. Every
frame is judged by :mod:`conformance.frames` with the rules of the version under test.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ocppwire.runtime.codec import Codec

from .cases import batch_for
from .frames import FrameCase, FrameOutcome, check, expect, outcome, rules_for
from .instances import STRING_ALPHABET, InstanceGenerator, any_json, random_string
from .schemas import MessageSchema, by_name, schema_set

__all__ = [
    "KNOWN_FRAME_BUGS",
    "FrameFuzzer",
    "FrameRunResult",
    "format_frame_report",
    "frame_cases",
    "known_frame_bug",
    "run_frames",
]

_ELEMENTS = {2: 4, 3: 3, 4: 5}

KNOWN_FRAME_BUGS: dict[str, str] = {}
"""Frame-level bugs found by the fuzzer and still open (none: B3 and B4 are fixed; see :mod:`conformance.known_bugs`)."""


def known_frame_bug(case: FrameCase, got: FrameOutcome) -> str:
    """The id of the reported bug that explains this outcome, or ``""``."""
    data = case.data.encode("utf-8", "surrogatepass") if isinstance(case.data, str) else case.data
    is_send_action = data.lstrip().startswith(b"[6") and b'"NotifyPeriodicEventStream"' in data[:80]
    if case.version == "v21" and is_send_action and got.code == "NotImplemented" and not got.answered:
        return "B3"
    rpc = rules_for(case.version).spell("RpcFrameworkError")
    if not case.expected.answered and got.answered and got.code == rpc and got.message_id == "-1":
        return "B4"
    return ""
_BAD_UTF8 = (b"\xff", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80")


def _id(rng: random.Random) -> str:
    return random_string(rng, rng.randint(1, 36), "abcdefghijklmnopqrstuvwxyz0123456789-")


def _frame(*parts: bytes) -> bytes:
    return b"[" + b",".join(parts) + b"]"


def _j(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


class FrameFuzzer:
    """Draws frame cases from one seeded ``random.Random``."""

    def __init__(self, seed: int, version: str = "v201") -> None:
        self.version = version
        self.rng = random.Random(f"{seed}:frames" if version == "v201" else f"{seed}:{version}:frames")
        self._generators: dict[str, InstanceGenerator] = {}
        rules = rules_for(version)
        self._requests = sorted(rules.calls)
        # The SEND action of 2.1; other versions get it too, where type 6 is unsupported anyway.
        self._sends = sorted(rules_for("v21").sends)

    def _generator(self, schema: MessageSchema) -> InstanceGenerator:
        if schema.name not in self._generators:
            self._generators[schema.name] = InstanceGenerator(schema, self.rng)
        return self._generators[schema.name]

    def call(self, payload_kind: str = "valid", action: str | None = None) -> tuple[str, str, bytes]:
        """A CALL's (id, action, payload JSON): a valid payload or one of its differential mutants."""
        action = action or self.rng.choice(self._requests)
        schema = by_name(f"{action}Request", "v21" if action in self._sends else self.version)
        generator = self._generator(schema)
        instance = generator.generate()
        if payload_kind == "valid":
            return _id(self.rng), action, _j(instance)
        batch = batch_for(schema, instance, generator, self.rng)
        return _id(self.rng), action, self.rng.choice(batch[1:] or batch).data

    def cases(self, count: int) -> Iterator[FrameCase]:
        makers = [getattr(self, name) for name in sorted(dir(self)) if name.startswith("make_")]
        for _ in range(count):
            maker = self.rng.choice(makers)
            data = maker()
            yield FrameCase(maker.__name__[5:], data, expect(data, self.version), self.version)

    # Each make_* returns one frame (bytes, or str for a text frame); its name is the case kind.
    def make_valid_call(self) -> bytes:
        message_id, action, payload = self.call()
        return _frame(b"2", _j(message_id), _j(action), payload)

    def make_payload_mutant(self) -> bytes:
        message_id, action, payload = self.call("mutant")
        return _frame(b"2", _j(message_id), _j(action), payload)

    def make_text_frame(self) -> str:
        message_id, action, payload = self.call(self.rng.choice(("valid", "mutant")))
        return _frame(b"2", _j(message_id), _j(action), payload).decode("utf-8")

    def make_call_result(self) -> bytes:
        return _frame(b"3", _j(_id(self.rng)), _j(self.rng.choice(({}, {"status": "Accepted"}, any_json(self.rng)))))

    def make_call_error(self) -> bytes:
        rng = self.rng
        code = rng.choice(("GenericError", "NotSupported", "Nope", "", 5, None))
        description = rng.choice(("", "boom", "x" * 300, 5, None))
        details: Any = rng.choice(({}, {"a": [1]}, [], None, "x"))
        return _frame(b"4", _j(_id(rng)), _j(code), _j(description), _j(details))

    def make_random_bytes(self) -> bytes:
        return bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(0, 64)))

    def make_random_json(self) -> bytes:
        rng = self.rng
        value = any_json(rng) if rng.random() < 0.5 else [any_json(rng) for _ in range(rng.randint(0, 6))]
        return _j(value)

    def make_truncated(self) -> bytes:
        data = self.make_valid_call()
        return data[: self.rng.randint(0, len(data) - 1)]

    def make_byte_flip(self) -> bytes:
        data = bytearray(self.make_valid_call())
        for _ in range(self.rng.randint(1, 3)):
            data[self.rng.randrange(len(data))] = self.rng.getrandbits(8)
        return bytes(data)

    def make_invalid_utf8(self) -> bytes:
        data = self.make_valid_call()
        quote = [i for i, b in enumerate(data) if b == ord('"')]
        at = self.rng.choice(quote) + 1  # inside a string: the header decode must not miss it
        return data[:at] + self.rng.choice(_BAD_UTF8) + data[at:]

    def make_not_json_text(self) -> bytes:
        data = self.make_valid_call()
        rng = self.rng
        form = rng.randrange(5)
        if form == 0:
            return b"\xef\xbb\xbf" + data  # BOM
        if form == 1:
            return data + rng.choice((b" x", b",", b"]", b"[]"))  # trailing garbage
        if form == 2:
            return data[:-1] + b",]"  # trailing comma
        if form == 3:
            return _frame(
                b"2",
                _j(_id(rng)),
                b'"DataTransfer"',
                b'{"vendorId":"a","data":' + rng.choice((b"NaN", b"Infinity", b"-Infinity")) + b"}",
            )
        return _frame(b"2", _j(_id(rng)), b'"DataTransfer"', b'{"vendorId":"a","data":"\\ud800"}')

    def make_type_number(self) -> bytes:
        message_id, action, payload = self.call()
        number = self.rng.choice(
            (
                b"0",
                b"1",
                b"5",
                b"-1",
                b"2.0",
                b"2e0",
                b'"2"',
                b"true",
                b"null",
                b"[]",
                b"{}",
                b"18446744073709551616",
                b"1e400",
                b"3.5",
            )
        )
        return _frame(number, _j(message_id), _j(action), payload)

    def make_message_id(self) -> bytes:
        rng = self.rng
        _, action, payload = self.call()
        number = rng.choice((b"2", b"3", b"4"))
        bad: Any = rng.choice(
            (5, None, "", "x" * 36, "x" * 37, "\U0001f600" * 36, "\u00e9" * 37, [], {}, "a\u0000b", 1.5)
        )
        rest = {b"2": (_j(action), payload), b"3": (payload,), b"4": (b'"GenericError"', b'""', b"{}")}[number]
        if rng.random() < 0.15:
            return _frame(number)  # no id at all
        return _frame(number, _j(bad), *rest)

    def make_arity(self) -> bytes:
        rng = self.rng
        message_id, action, payload = self.call()
        number = rng.choice((b"2", b"3", b"4"))
        elements = [number, _j(message_id), _j(action), payload, b'"extra"', b"{}"]
        length = rng.choice([n for n in range(0, 7) if n != _ELEMENTS[int(number)]])
        return _frame(*elements[:length])

    def make_action(self) -> bytes:
        message_id, action, payload = self.call()
        bad: Any = self.rng.choice(
            (
                action.lower(),
                action + "Request",
                action + "-Signed",
                "",
                " " + action,
                "Nope",
                5,
                None,
                [],
                {},
                "x" * 100_000,
                "Heart\u0000beat",
            )
        )
        raw = b"1e400" if self.rng.random() < 0.05 else _j(bad)
        return _frame(b"2", _j(message_id), raw, payload)

    def make_payload_type(self) -> bytes:
        message_id, action, _ = self.call()
        bad = self.rng.choice((b"null", b"[]", b'"x"', b"1", b"true", b"[{}]"))
        return _frame(b"2", _j(message_id), _j(action), bad)

    def make_deep_nesting(self) -> bytes:
        rng = self.rng
        depth = rng.choice((10, 100, 500, 2_000, 5_000, 100_000))
        nested = b"[" * depth + b"]" * depth
        where = rng.randrange(3)
        if where == 0:  # inside DataTransfer data (untyped: any depth is schema-valid)
            return _frame(b"2", _j(_id(rng)), b'"DataTransfer"', b'{"vendorId":"a","data":' + nested + b"}")
        if where == 1:  # inside customData, which is open
            return _frame(b"2", _j(_id(rng)), b'"Heartbeat"', b'{"customData":{"vendorId":"a","x":' + nested + b"}}")
        return b"[" * depth + b"]" * depth  # the frame itself

    def make_huge(self) -> bytes:
        rng = self.rng
        big = rng.choice((10_000, 100_000, 400_000))  # frames stay under the 1 MiB default limit
        form = rng.randrange(4)
        if form == 0:
            return _frame(b"2", _j(_id(rng)), b'"DataTransfer"', b'{"vendorId":"a","data":' + _j("x" * big) + b"}")
        if form == 1:
            return _frame(b"2", _j("y" * big), b'"Heartbeat"', b"{}")
        if form == 2:
            return _frame(
                b"2",
                _j(_id(rng)),
                b'"DataTransfer"',
                b'{"vendorId":"a","data":' + b"9" * rng.choice((400, 4301, 50_000)) + b"}",
            )
        return _frame(
            b"2", _j(_id(rng)), b'"DataTransfer"', b'{"vendorId":"a","data":[' + b",".join([b"1"] * big) + b"]}"
        )

    def make_whitespace(self) -> bytes:
        message_id, action, payload = self.call()
        space = self.rng.choice((b" ", b"\n", b"\t", b"\r\n  "))
        return (
            space
            + b"["
            + space
            + (b"," + space).join((b"2", _j(message_id), _j(action), payload))
            + space
            + b"]"
            + space
        )

    def make_send(self) -> bytes:
        """OCPP 2.1 SEND: its action with a valid payload or a mutant, a CALL action, an unknown one,
        or wrong fields."""
        rng = self.rng
        form = rng.randrange(6)
        action = rng.choice(self._sends)
        if form <= 1:
            message_id, _, payload = self.call("valid" if form == 0 else "mutant", action)
            return _frame(b"6", _j(message_id), _j(action), payload)
        if form == 2:
            message_id, action, payload = self.call()  # a request/response action sent as SEND
            return _frame(b"6", _j(message_id), _j(action), payload)
        if form == 3:
            return _frame(b"6", _j(_id(rng)), _j(rng.choice(("Nope", "", action.lower()))), b"{}")
        if form == 4:
            return _frame(b"6", _j(_id(rng)), _j(rng.choice((5, None, []))), b"{}")
        return _frame(b"6", _j(_id(rng)), _j(action))  # three elements

    def make_call_result_error(self) -> bytes:
        """OCPP 2.1 CALLRESULTERROR: well formed, or with fields of every JSON type, or wrong arity."""
        rng = self.rng
        if rng.random() < 0.1:
            return _frame(b"5", _j(_id(rng)), b'"GenericError"')
        code = rng.choice(("GenericError", "FormatViolation", "OccurenceConstraintViolation", "Nope", 5, None))
        description = rng.choice(("", "bad result", "x" * 300, 5, None))
        details: Any = rng.choice(({}, {"a": [1]}, [], None, "x"))
        return _frame(b"5", _j(_id(rng)), _j(code), _j(description), _j(details))

    def make_broken_response(self) -> bytes:
        """A CALLRESULT, CALLERROR or (2.1) CALLRESULTERROR or SEND that is not JSON: dropped, never answered."""
        rng = self.rng
        number = rng.choice((b"3", b"4", b"5", b"6"))
        head = {b"3": b"", b"4": b'"GenericError","",', b"5": b'"GenericError","",', b"6": b'"NotifyPeriodicEventStream",'}
        bad = rng.choice((b'{"a":"\\ud800"}', b'{"a":NaN}', b"{} x", b"{,}"))
        return b"[" + number + b"," + _j(_id(rng)) + b"," + head[number] + bad + b"]"

    def make_random_string_frame(self) -> bytes:
        return _frame(b"2", _j(_id(self.rng)), _j(random_string(self.rng, 8, STRING_ALPHABET)), b"{}")


def frame_cases(seed: int, count: int, version: str = "v201") -> list[FrameCase]:
    """``count`` frame cases for ``seed`` on a connection of ``version`` (deterministic)."""
    return list(FrameFuzzer(seed, version).cases(count))


@dataclass
class FrameRunResult:
    """Tallies of one frame fuzzing run, per frame kind; the first failures kept for the report."""

    seed: int
    version: str = "v201"
    cases: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    known_bugs: Counter[str] = field(default_factory=Counter)
    answered: int = 0
    failures: list[tuple[FrameCase, FrameOutcome, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.cases.values())


def run_frames(seed: int, count: int, version: str = "v201") -> FrameRunResult:
    """Fuzz the codec of ``version`` (its generated ``ACTIONS``) with ``count`` frames drawn from ``seed``."""
    started = time.perf_counter()
    codec = Codec(schema_set(version).package().ACTIONS)
    result = FrameRunResult(seed, version)
    for case in FrameFuzzer(seed, version).cases(count):
        got = outcome(codec, case.data)
        problem = check(case, got)
        bug = known_frame_bug(case, got) if problem else ""
        if bug:
            result.known_bugs[bug] += 1
            problem = ""
        result.cases[case.kind] += 1
        result.answered += got.answered
        if problem:
            result.failed[case.kind] += 1
            if len(result.failures) < 20:
                result.failures.append((case, got, problem))
    result.seconds = time.perf_counter() - started
    return result


def format_frame_report(result: FrameRunResult) -> str:
    """Per-kind table and the failing frames."""
    width = max(len(k) for k in result.cases) if result.cases else 4
    version = schema_set(result.version).ocpp_version
    lines = [f"Frame fuzzing, OCPP {version} ({result.version}): codec vs the policy table (seed {result.seed})", ""]
    lines.append(f"{'kind'.ljust(width)}  {'frames':>7}  {'ok':>7}  {'failed':>6}")
    lines.append(f"{'-' * width}  {'-' * 7}  {'-' * 7}  {'-' * 6}")
    for kind in sorted(result.cases):
        n, bad = result.cases[kind], result.failed[kind]
        lines.append(f"{kind.ljust(width)}  {n:>7}  {n - bad:>7}  {bad:>6}")
    failed = sum(result.failed.values())
    lines += [
        "",
        f"frames {result.total}, as the policy table says {result.total - failed}, failures {failed}, "
        f"CALLERRORs owed {result.answered}, {result.seconds:.1f} s",
    ]
    for bug, n in sorted(result.known_bugs.items()):
        lines.append(f"known bug {bug} ({n} frames, reported; not counted as failures): {KNOWN_FRAME_BUGS[bug]}")
    for case, got, problem in result.failures:
        shown = case.data[:160] if isinstance(case.data, str) else case.data[:160].decode("utf-8", "backslashreplace")
        lines += [f"- [{case.kind}] {problem}", f"    {shown!r}"]
    return "\n".join(lines)
