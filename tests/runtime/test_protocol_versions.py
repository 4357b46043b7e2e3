"""What differs between OCPP versions at the RPC layer, on the protocol core alone.

- 1.6 spells two codes its own way and lacks three 2.0.1 codes: answers use 1.6's spellings;
- from any peer of any version, both spellings of the occurrence code are accepted;
- 2.1 adds SEND (type 6, never answered) and CALLRESULTERROR (type 5, about a CALLRESULT);
  in 1.6 and 2.0.1 those type numbers stay unsupported.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from ocppwire.runtime.actions import ActionRegistry, Direction, SendSpec
from ocppwire.runtime.codec import Codec
from ocppwire.runtime.errors import FormatViolationError, OccurrenceConstraintViolationError
from ocppwire.runtime.exceptions import InvalidResponseError
from ocppwire.runtime.protocol import (
    CallFailed,
    CallReceived,
    FrameRejected,
    OcppProtocol,
    ProtocolConfig,
    ResultRejected,
    SendReceived,
)
from ocppwire.v16 import ACTIONS as ACTIONS16
from ocppwire.v201 import ACTIONS as ACTIONS201
from ocppwire.v201 import actions as a201
from ocppwire.v201 import enums as e201
from ocppwire.v201 import messages as m201
from ocppwire.v21 import ACTIONS as ACTIONS21_GENERATED
from ocppwire.v21 import actions as a21
from ocppwire.v21 import messages as m21
from ocppwire.v21 import types as t21

STREAM = SendSpec("NotifyPeriodicEventStream", m21.NotifyPeriodicEventStreamRequest, Direction.STATION_TO_CSMS)
ACTIONS21 = (
    ACTIONS21_GENERATED
    if ACTIONS21_GENERATED.sends
    else ActionRegistry(list(ACTIONS21_GENERATED.values()), ocpp_version="2.1", subprotocol="ocpp2.1", sends=[STREAM])
)
STREAM_FRAME = '[6, "s1", "NotifyPeriodicEventStream", {"id": 1, "pending": 0, "basetime": "2025-01-01T00:00:00Z", "data": [{"t": 0.5, "v": "12"}]}]'


def core(actions: ActionRegistry) -> OcppProtocol:
    ids = iter(f"id-{n}" for n in range(100))
    return OcppProtocol(Codec(actions), ProtocolConfig(id_factory=lambda: next(ids)))


def sent(p: OcppProtocol) -> list[Any]:
    return [json.loads(frame) for frame in p.data_to_send()]


@pytest.mark.parametrize(
    ("frame", "code16", "code201"),
    [
        ('[2, "a", "Authorize", {}]', "OccurenceConstraintViolation", None),
        ('[2, "b", "Authorize", []]', "FormationViolation", None),
        ("not json", "FormationViolation", "RpcFrameworkError"),
        ('[9, "c", "Heartbeat", {}]', "NotImplemented", "MessageTypeNotSupported"),
        ('[2, "d", "Authorize", {"idTag": 5}]', "TypeConstraintViolation", None),
    ],
)
def test_16_answers_with_its_own_spellings(frame: str, code16: str, code201: str | None) -> None:
    p = core(ACTIONS16)
    p.receive_data(frame)
    assert sent(p)[0][2] == code16
    if code201 is not None:
        q = core(ACTIONS201)
        q.receive_data(frame)
        assert sent(q)[0][2] == code201


def test_16_codes_are_all_in_its_list() -> None:
    codes16 = {
        "NotImplemented", "NotSupported", "InternalError", "ProtocolError", "SecurityError", "FormationViolation",
        "PropertyConstraintViolation", "OccurenceConstraintViolation", "TypeConstraintViolation", "GenericError",
    }  # fmt: skip
    from ocppwire.runtime.errors import ErrorCode, wire_codes

    assert {wire_codes("1.6").get(code, code.value) for code in ErrorCode} <= codes16


@pytest.mark.parametrize("actions", [ACTIONS16, ACTIONS201, ACTIONS21], ids=["1.6", "2.0.1", "2.1"])
@pytest.mark.parametrize(
    ("code", "error_type"),
    [
        ("OccurenceConstraintViolation", OccurrenceConstraintViolationError),
        ("OccurrenceConstraintViolation", OccurrenceConstraintViolationError),
        ("FormationViolation", FormatViolationError),
        ("FormatViolation", FormatViolationError),
    ],
)
def test_both_spellings_are_accepted_from_any_peer(actions: ActionRegistry, code: str, error_type: type) -> None:
    p = core(actions)
    spec = actions["Heartbeat"]
    p.send_call(spec, spec.request(), now=0)
    sent(p)
    event = p.receive_data(f'[4, "id-0", "{code}", "", {{}}]')
    assert isinstance(event, CallFailed) and type(event.error) is error_type


def test_21_send_is_delivered_and_never_answered() -> None:
    p = core(ACTIONS21)
    event = p.receive_data(STREAM_FRAME)
    assert isinstance(event, SendReceived) and event.spec.name == "NotifyPeriodicEventStream"
    assert event.payload.data[0].v == "12"
    assert p.data_to_send() == [] and p.incoming == 0


@pytest.mark.parametrize(
    "frame",
    [
        '[6, "s2", "NotifyPeriodicEventStream", {"id": -1, "pending": 0, "basetime": "2025-01-01T00:00:00Z", "data": []}]',
        '[6, "s3", "NoSuchStream", {}]',
        '[6, "s4", "NotifyPeriodicEventStream"]',
    ],
)
def test_21_broken_send_is_dropped_not_answered(frame: str) -> None:
    p = core(ACTIONS21)
    event = p.receive_data(frame)
    assert isinstance(event, FrameRejected) and not event.answered
    assert p.data_to_send() == []


def test_21_sends_a_send_without_taking_the_call_slot() -> None:
    p = core(ACTIONS21)
    call = p.send_call(a21.HEARTBEAT, m21.HeartbeatRequest(), now=0)
    payload = m21.NotifyPeriodicEventStreamRequest(
        id=1, pending=0, basetime=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), data=[t21.StreamDataElementType(t=0.5, v="1")]
    )
    p.send_message(STREAM, payload)
    frames = sent(p)
    assert [f[0] for f in frames] == [2, 6] and p.in_flight is call


def test_21_invalid_callresult_gets_a_callresulterror() -> None:
    p = core(ACTIONS21)
    p.send_call(a21.HEARTBEAT, m21.HeartbeatRequest(), now=0)
    sent(p)
    event = p.receive_data('[3, "id-0", {"currentTime": "yesterday"}]')
    assert isinstance(event, FrameRejected) and event.failed is not None
    assert isinstance(event.failed.error, InvalidResponseError)
    assert [f[:3] for f in sent(p)] == [[5, "id-0", "PropertyConstraintViolation"]]


def test_21_callresulterror_about_our_result_is_reported() -> None:
    p = core(ACTIONS21)
    event = p.receive_data('[5, "x9", "PropertyConstraintViolation", "bad time", {}]')
    assert isinstance(event, ResultRejected) and event.message_id == "x9"
    assert p.stats.result_errors_received == 1 and p.data_to_send() == []


@pytest.mark.parametrize("actions", [ACTIONS16, ACTIONS201], ids=["1.6", "2.0.1"])
@pytest.mark.parametrize("frame", [STREAM_FRAME, '[5, "x", "GenericError", "", {}]'])
def test_types_5_and_6_do_not_exist_before_21(actions: ActionRegistry, frame: str) -> None:
    p = core(actions)
    event = p.receive_data(frame)
    assert isinstance(event, FrameRejected) and event.answered
    answer = sent(p)[0]
    assert answer[2] in {"MessageTypeNotSupported", "NotImplemented"}


def test_201_invalid_callresult_is_only_dropped() -> None:
    p = core(ACTIONS201)
    p.send_call(a201.RESET, m201.ResetRequest(type=e201.ResetEnumType.IMMEDIATE), now=0)
    sent(p)
    event = p.receive_data('[3, "id-0", {"status": "Perhaps"}]')
    assert isinstance(event, FrameRejected) and p.data_to_send() == []


def test_a_send_cannot_go_out_before_21() -> None:
    p = core(ACTIONS201)
    with pytest.raises(ValueError, match="no SEND"):
        p.send_message(STREAM, object())  # type: ignore[arg-type]


def test_call_received_still_works_in_every_version() -> None:
    for actions in (ACTIONS16, ACTIONS201, ACTIONS21):
        p = core(actions)
        assert isinstance(p.receive_data('[2, "h", "Heartbeat", {}]'), CallReceived)
