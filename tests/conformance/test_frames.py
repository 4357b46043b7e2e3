"""Frame fuzzing, bounded: the codec, a Session and a live connection against the policy table.

The oracle (:func:`conformance.frames.expect`) is checked first on hand-written frames, one per
policy-table row, so the fuzzing below rests on a reading of the table that is itself tested.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest

from conformance.framefuzz import FrameFuzzer, format_frame_report, frame_cases, run_frames
from conformance.frames import FrameCase, FrameOutcome, check, expect, outcome
from ocppwire.runtime.actions import ActionSpec
from ocppwire.runtime.codec import Codec
from ocppwire.runtime.errors import NotSupportedError
from ocppwire.runtime.session import Session
from ocppwire.v201 import ACTIONS, csms
from ocppwire.v201 import messages as m

from ..loopback import RawConnect, StartCsms

SEED = 20_201
NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("frame", "answered", "codes", "ids"),
    [
        (b"\xff", True, {"RpcFrameworkError"}, {"-1"}),
        (b'{"a":1}', True, {"RpcFrameworkError"}, {"-1"}),
        (b"[]", True, {"RpcFrameworkError"}, {"-1"}),
        (b'[7,"id",{}]', True, {"MessageTypeNotSupported"}, {"id"}),
        (b'[2.0,"id","Heartbeat",{}]', True, {"MessageTypeNotSupported"}, {"id"}),
        (b'[2,5,"Heartbeat",{}]', True, {"RpcFrameworkError"}, {"-1"}),
        (b'[2,"' + b"x" * 37 + b'","Heartbeat",{}]', True, {"RpcFrameworkError"}, {"-1"}),
        (b'[2,"id","Heartbeat"]', True, {"RpcFrameworkError"}, {"id"}),
        (b'[2,"id",5,{}]', True, {"RpcFrameworkError"}, {"id"}),
        (b'[2,"id","Nope",{}]', True, {"NotImplemented"}, {"id"}),
        (b'[2,"id","Heartbeat",[]]', True, {"FormatViolation"}, {"id"}),
        (b'[3,"id",{},1]', False, {"RpcFrameworkError"}, set()),
        (b'[4,"id",5,"",{}]', False, {"RpcFrameworkError"}, set()),
        (b'[3,"id",{}]', False, set(), set()),
    ],
)
def test_oracle_reads_the_policy_table(frame: bytes, answered: bool, codes: set[str], ids: set[str]) -> None:
    want = expect(frame)
    assert (want.answered, set(want.codes), set(want.ids)) == (answered, codes, ids)


def test_oracle_defers_schema_checks_to_the_payload_decoder() -> None:
    want = expect(b'[2,"id","Heartbeat",{"customData":{"vendorId":"a"}}]')
    assert want.payload == ("HeartbeatRequest", b'{"customData":{"vendorId":"a"}}')


def test_check_reports_a_wrong_message_id() -> None:
    case = FrameCase("x", b'[2,"id","Nope",{}]', expect(b'[2,"id","Nope",{}]'))
    assert check(case, FrameOutcome(False, True, "NotImplemented", "id")) == ""
    assert "id '-1'" in check(case, FrameOutcome(False, True, "NotImplemented", "-1"))
    assert "code" in check(case, FrameOutcome(False, True, "RpcFrameworkError", "id"))


@pytest.mark.parametrize(
    ("frame", "answered", "codes", "ids"),
    [
        (b"\xff", True, {"FormationViolation"}, {"-1"}),
        (b'[7,"id",{}]', True, {"NotImplemented"}, {"id"}),
        (b'[5,"id","GenericError","",{}]', True, {"NotImplemented"}, {"id"}),
        (b'[6,"id","Heartbeat",{}]', True, {"NotImplemented"}, {"id"}),
        (b'[2,"id","Heartbeat"]', True, {"FormationViolation"}, {"id"}),
        (b'[2,"id","Heartbeat",[]]', True, {"FormationViolation"}, {"id"}),
        (b'[2,"id","Nope",{}]', True, {"NotImplemented"}, {"id"}),
        (b'[3,"id",{}]', False, set(), set()),
    ],
)
def test_oracle_reads_the_policy_table_in_16_spelling(
    frame: bytes, answered: bool, codes: set[str], ids: set[str]
) -> None:
    want = expect(frame, "v16")
    assert (want.answered, set(want.codes), set(want.ids)) == (answered, codes, ids)


@pytest.mark.parametrize(
    ("frame", "answered", "codes", "send"),
    [
        (b'[5,"id","GenericError","",{}]', False, set(), False),
        (b'[5,"id",5,"",{}]', False, {"RpcFrameworkError"}, False),
        (b'[5,"id","GenericError",""]', False, {"RpcFrameworkError"}, False),
        (b'[6,"id","NotifyPeriodicEventStream",{}]', False, set(), True),
        (b'[6,"id","Heartbeat",{}]', False, {"NotImplemented"}, False),
        (b'[6,"id","NotifyPeriodicEventStream",[]]', False, {"FormatViolation"}, False),
        (b'[6,"id","NotifyPeriodicEventStream"]', False, {"RpcFrameworkError"}, False),
        (b'[2,"id","NotifyPeriodicEventStream",{}]', True, {"NotImplemented"}, False),
        (b'[7,"id",{}]', True, {"MessageTypeNotSupported"}, False),
    ],
)
def test_oracle_reads_the_21_frame_types(frame: bytes, answered: bool, codes: set[str], send: bool) -> None:
    """2.1: CALLRESULTERROR and SEND are read, never answered; SEND carries only SEND actions."""
    want = expect(frame, "v21")
    assert (want.answered, set(want.codes), want.send) == (answered, codes, send)


@pytest.mark.parametrize("version", ["v16", "v201", "v21"])
def test_codec_follows_the_policy_table_on_fuzzed_frames(version: str) -> None:
    result = run_frames(SEED, 2_000, version)
    assert sum(result.failed.values()) == 0, format_frame_report(result)
    assert set(result.cases) == {name[5:] for name in dir(FrameFuzzer) if name.startswith("make_")}
    assert set(result.known_bugs) <= ({"B3", "B4"} if version == "v21" else {"B4"}), format_frame_report(result)


@pytest.mark.parametrize("depth", [20_000, 100_000])
def test_deeply_nested_call_is_answered_with_its_id(depth: int) -> None:
    """msgspec gives up at the recursion limit; the CALL's id is still read from the first bytes.

    The depths are past msgspec's limit on every supported Python (3.11 stops near 1,000 levels,
    3.12 after 1,000, 3.13 between 5,000 and 10,000).
    """
    data = b'[2,"deep-1","DataTransfer",{"vendorId":"a","data":' + b"[" * depth + b"]" * depth + b"}]"
    got = outcome(Codec(ACTIONS), data)
    assert (got.answered, got.code, got.message_id) == (True, "RpcFrameworkError", "deep-1")
    too_deep_result = b'[3,"deep-2",' + b"[" * depth + b"]" * depth + b"]"
    assert not outcome(Codec(ACTIONS), too_deep_result).answered
    escaped_id = b'[2,"' + b"\\ud83d\\ude00" * 36 + b'","Heartbeat",{"customData":' + b"[" * depth + b"]" * depth + b"}]"
    assert outcome(Codec(ACTIONS), escaped_id).message_id == "\U0001f600" * 36


def _is_utf8(data: bytes | str) -> bool:
    try:
        data.decode("utf-8") if isinstance(data, bytes) else data.encode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


async def _heartbeat_only(spec: ActionSpec[Any, Any], request: Any) -> Any:
    if spec.name == "Heartbeat":
        return m.HeartbeatResponse(current_time=NOW)
    raise NotSupportedError(f"{spec.name} is not handled here")


async def test_session_answers_every_call_exactly_once() -> None:
    """Each frame into a Session: one answer per CALL (with its id), none for responses, and the
    session still serves a plain Heartbeat at the end."""
    sent: list[bytes] = []

    async def send(data: bytes) -> None:
        sent.append(data)

    codec = Codec(ACTIONS)
    session = Session(codec, send, _heartbeat_only, identity="FUZZ")
    for case in frame_cases(SEED + 1, 600):
        got = outcome(codec, case.data)
        before = len(sent)
        await session.receive(case.data)
        await session.wait_idle()
        answers = [json.loads(x) for x in sent[before:]]
        is_call = got.accepted and case.expected.payload is not None
        owed = 1 if got.answered or is_call else 0
        assert len(answers) == owed, (case.kind, case.data[:100], answers)
        if owed:
            assert answers[0][1] == got.message_id, (case.kind, case.data[:100], answers)
    await session.receive(b'[2,"last","Heartbeat",{}]')
    await session.wait_idle()
    assert json.loads(sent[-1])[:2] == [3, "last"]
    assert not session.closed


async def test_live_connection_survives_fuzzed_frames(
    start_csms: StartCsms, raw_connect: RawConnect
) -> None:
    """Fuzzed frames over a real WebSocket: every CALLERROR owed arrives with the right id, nothing
    else comes back, and the connection keeps working. A Heartbeat after each frame marks where its
    answers end (the default handler answers it NotSupported)."""
    server = await start_csms(csms.CsmsHandler())
    raw = await raw_connect(server, "FUZZ1")
    codec = Codec(ACTIONS)
    # a text frame that is not UTF-8 fails the connection with 1007 (tests/runtime/test_policy.py)
    cases = [c for c in frame_cases(SEED + 2, 400) if len(c.data) < 2**20 - 64 and _is_utf8(c.data)]
    for number, case in enumerate(cases):
        got = outcome(codec, case.data)
        marker = f"mark-{number}"
        await raw.send(case.data)
        await raw.send(f'[2,"{marker}","Heartbeat",{{}}]')
        answers: list[Any] = []
        while True:
            message = await raw.recv(timeout=5)
            if message[1] == marker:
                break
            answers.append(message)
        owed = 1 if got.answered or (got.accepted and case.expected.payload is not None) else 0
        assert len(answers) == owed, (case.kind, case.data[:100], answers)
        if owed:
            assert answers[0][1] == got.message_id, (case.kind, case.data[:100], answers)
    assert (await raw.exchange('[2,"end","Heartbeat",{}]'))[:3] == [4, "end", "NotSupported"]


async def test_oversized_frame_closes_only_that_connection(
    start_csms: StartCsms, raw_connect: RawConnect  # noqa: F811
) -> None:
    """The frame size limit holds (close 1009) and the server keeps serving other connections."""
    server = await start_csms(csms.CsmsHandler(), max_message_size=4096)
    bystander = await raw_connect(server, "KEEP")
    victim = await raw_connect(server, "BIG")
    await victim.send(b'[2,"big","DataTransfer",{"vendorId":"a","data":"' + b"x" * 8192 + b'"}]')
    with pytest.raises(Exception):
        await asyncio.wait_for(victim.ws.recv(), 3)
    assert victim.ws.close_code == 1009
    assert (await bystander.exchange('[2,"ok","Heartbeat",{}]'))[:2] == [4, "ok"]
    fresh = await raw_connect(server, "BIG")
    assert (await fresh.exchange('[2,"again","Heartbeat",{}]'))[:2] == [4, "again"]
