"""The protocol core on its own: no event loop, no socket — bytes in, events and bytes out, time passed in.

Each test states one rule of docs/runtime.md ("Correlator rules", "Limits") and drives
:class:`~ocppwire.runtime.protocol.OcppProtocol` by hand, the way any transport would.
"""

from __future__ import annotations

import ast
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

import ocppwire.runtime.protocol as protocol_module
from ocppwire.runtime.codec import Codec
from ocppwire.runtime.errors import GenericError, InternalError, SecurityError
from ocppwire.runtime.exceptions import (
    CallTimeoutError,
    ConnectionClosedError,
    InvalidResponseError,
    QueueFullError,
    RequestValidationError,
)
from ocppwire.runtime.protocol import (
    CallFailed,
    CallReceived,
    CallSucceeded,
    FrameRejected,
    OcppProtocol,
    ProtocolConfig,
    ResponseDropped,
)
from ocppwire.v201 import ACTIONS
from ocppwire.v201 import actions as a
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

RESET = m.ResetRequest(type=e.ResetEnumType.IMMEDIATE)
CLEAR = m.ClearCacheRequest()


def make(**config: Any) -> OcppProtocol:
    ids = (f"id-{n}" for n in itertools.count())
    return OcppProtocol(Codec(ACTIONS), ProtocolConfig(id_factory=lambda: next(ids), **config), identity="CS1")


def sent(p: OcppProtocol) -> list[Any]:
    return [json.loads(frame) for frame in p.data_to_send()]


def test_the_core_imports_no_asyncio_and_no_transport() -> None:
    tree = ast.parse(Path(protocol_module.__file__).read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names}
    assert not {name for name in imported if name.split(".")[0] in {"asyncio", "websockets", "socket", "ssl"}}


def test_one_call_in_flight_the_rest_queued_in_call_order() -> None:
    p = make()
    first = p.send_call(a.RESET, RESET, now=0)
    second = p.send_call(a.CLEAR_CACHE, CLEAR, now=0)
    third = p.send_call(a.RESET, RESET, now=0)
    assert [f[:3] for f in sent(p)] == [[2, "id-0", "Reset"]]
    assert p.in_flight is first and p.queued == 2
    event = p.receive_data('[3, "id-0", {"status": "Accepted"}]')
    assert isinstance(event, CallSucceeded) and event.call is first
    assert event.response.status is e.ResetStatusEnumType.ACCEPTED
    assert [f[:3] for f in sent(p)] == [[2, "id-1", "ClearCache"]]  # the next one goes out at once
    assert p.in_flight is second
    p.receive_data('[4, "id-1", "SecurityError", "no", {"k": 1}]')
    assert [f[:3] for f in sent(p)] == [[2, "id-2", "Reset"]]
    assert p.in_flight is third


def test_callerror_fails_the_call_with_its_error_class() -> None:
    p = make()
    call = p.send_call(a.RESET, RESET, now=0)
    event = p.receive_data('[4, "id-0", "SecurityError", "not you", {"why": "x"}]')
    assert isinstance(event, CallFailed) and event.call is call
    assert isinstance(event.error, SecurityError) and event.error.details == {"why": "x"}
    unknown = p.send_call(a.RESET, RESET, now=0)
    event = p.receive_data('[4, "id-1", "NoSuchCode", "d", {}]')
    assert isinstance(event, CallFailed) and event.call is unknown and isinstance(event.error, GenericError)
    assert event.error.details == {"errorCode": "NoSuchCode"}


def test_timeout_counts_from_the_call_and_covers_the_queue_wait() -> None:
    p = make(call_timeout=10)
    first = p.send_call(a.RESET, RESET, now=0)
    queued = p.send_call(a.CLEAR_CACHE, CLEAR, now=1, timeout=5)  # expires at 6, while still queued
    later = p.send_call(a.RESET, RESET, now=2)  # expires at 12
    sent(p)
    assert p.next_deadline() == 6
    failed = p.handle_timeout(6)
    assert [(f.call, type(f.error)) for f in failed] == [(queued, CallTimeoutError)]
    assert failed[0].error.sent is False and p.data_to_send() == []  # never sent
    assert p.next_deadline() == 10
    failed = p.handle_timeout(10)
    assert [f.call for f in failed] == [first] and failed[0].error.sent is True
    assert [f[:3] for f in sent(p)] == [[2, "id-2", "Reset"]]  # the slot went to the next live call
    assert p.in_flight is later and p.next_deadline() == 12
    assert p.stats.timeouts == 2


def test_late_and_unknown_answers_are_dropped_never_given_to_a_later_call() -> None:
    p = make(call_timeout=1)
    p.send_call(a.RESET, RESET, now=0)
    p.handle_timeout(1)
    later = p.send_call(a.RESET, RESET, now=1)
    sent(p)
    late = p.receive_data('[3, "id-0", {"status": "Accepted"}]')
    assert isinstance(late, ResponseDropped) and late.late and late.kind == "CALLRESULT"
    unknown = p.receive_data('[4, "nobody", "GenericError", "", {}]')
    assert isinstance(unknown, ResponseDropped) and not unknown.late
    assert p.in_flight is later
    assert (p.stats.late_responses, p.stats.unknown_responses) == (1, 1)
    assert p.data_to_send() == []  # responses are never answered


def test_invalid_answer_fails_the_call_at_once() -> None:
    p = make()
    call = p.send_call(a.RESET, RESET, now=0)
    sent(p)
    event = p.receive_data('[3, "id-0", {"status": "Perhaps"}]')
    assert isinstance(event, FrameRejected) and not event.answered and event.failed is not None
    assert event.failed.call is call and isinstance(event.failed.error, InvalidResponseError)
    assert event.failed.error.error.code.value == "PropertyConstraintViolation"
    assert p.in_flight is None and p.data_to_send() == []


def test_cancelled_queued_call_is_never_sent_cancelled_in_flight_keeps_the_slot() -> None:
    p = make()
    first = p.send_call(a.RESET, RESET, now=0)
    queued = p.send_call(a.CLEAR_CACHE, CLEAR, now=0)
    after = p.send_call(a.RESET, RESET, now=0)
    sent(p)
    p.cancel_call(queued)
    p.cancel_call(first)
    assert p.in_flight is first  # the peer still owes its answer
    assert p.data_to_send() == []
    p.receive_data('[3, "id-0", {"status": "Accepted"}]')
    assert [f[:2] for f in sent(p)] == [[2, "id-2"]]
    assert p.in_flight is after


def test_queue_is_bounded_and_a_full_queue_fails_at_once() -> None:
    p = make(max_queued_calls=2)
    p.send_call(a.RESET, RESET, now=0)
    p.send_call(a.RESET, RESET, now=0)
    p.send_call(a.RESET, RESET, now=0)
    with pytest.raises(QueueFullError) as info:
        p.send_call(a.RESET, RESET, now=0)
    assert info.value.limit == 2 and p.queued == 2 and p.stats.calls_refused == 1


def test_requests_are_checked_before_anything_is_queued() -> None:
    p = make()
    with pytest.raises(TypeError):
        p.send_call(a.RESET, CLEAR, now=0)  # type: ignore[arg-type]
    bad = m.BootNotificationRequest(
        charging_station=t.ChargingStationType(model="m" * 21, vendor_name="v"), reason=e.BootReasonEnumType.POWER_UP
    )
    with pytest.raises(RequestValidationError) as info:
        p.send_call(a.BOOT_NOTIFICATION, bad, now=0)
    assert info.value.error.code.value == "PropertyConstraintViolation"
    assert p.data_to_send() == [] and p.in_flight is None


def test_incoming_call_is_answered_with_a_validated_response() -> None:
    p = make()
    event = p.receive_data('[2, "s1", "Heartbeat", {}]')
    assert isinstance(event, CallReceived) and event.spec is a.HEARTBEAT and p.incoming == 1
    import datetime as dt

    response = m.HeartbeatResponse(current_time=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    assert p.send_result("s1", event.spec, response) is None
    assert sent(p) == [[3, "s1", {"currentTime": "2024-01-01T00:00:00Z"}]]
    assert p.incoming == 0


def test_an_invalid_response_of_ours_becomes_internal_error() -> None:
    p = make()
    event = p.receive_data('[2, "s1", "Reset", {"type": "Immediate"}]')
    assert isinstance(event, CallReceived)
    problem = p.send_result("s1", event.spec, m.ClearCacheResponse(status=e.ClearCacheStatusEnumType.ACCEPTED))
    assert problem is not None and "ClearCacheResponse" in problem
    answer = sent(p)[0]
    assert answer[:3] == [4, "s1", InternalError.code.value] and "Reset" in answer[3]
    assert p.stats.handler_failures == 1


def test_crossing_calls_are_independent() -> None:
    p = make()
    ours = p.send_call(a.RESET, RESET, now=0)
    sent(p)
    theirs = p.receive_data('[2, "s1", "Heartbeat", {}]')  # the peer's CALL crosses ours
    assert isinstance(theirs, CallReceived)
    done = p.receive_data('[3, "id-0", {"status": "Accepted"}]')
    assert isinstance(done, CallSucceeded) and done.call is ours and p.incoming == 1


def test_peer_ignoring_backpressure_is_refused_and_closed() -> None:
    p = make(max_incoming_calls=2)
    assert isinstance(p.receive_data('[2, "s1", "Heartbeat", {}]'), CallReceived)
    assert isinstance(p.receive_data('[2, "s2", "Heartbeat", {}]'), CallReceived)
    event = p.receive_data('[2, "s3", "Heartbeat", {}]')
    assert isinstance(event, FrameRejected) and event.answered and event.close
    assert sent(p)[0][:3] == [4, "s3", "RpcFrameworkError"]


def test_bad_frames_in_a_row_ask_for_close_and_a_good_frame_resets_the_count() -> None:
    p = make(max_bad_frames=3)
    assert not p.receive_data("junk").close  # type: ignore[union-attr]
    assert not p.receive_data("[]").close  # type: ignore[union-attr]
    assert isinstance(p.receive_data('[2, "ok", "Heartbeat", {}]'), CallReceived)
    events = [p.receive_data(frame) for frame in ("junk", '[3, "x", {}]', "{")]
    assert [e.close for e in events] == [False, False, True]  # type: ignore[union-attr]
    assert [f[:3] for f in sent(p)] == [
        [4, "-1", "RpcFrameworkError"],
        [4, "-1", "RpcFrameworkError"],
        [4, "-1", "RpcFrameworkError"],
        [4, "-1", "RpcFrameworkError"],
    ]


def test_close_fails_every_pending_call_and_refuses_new_ones() -> None:
    p = make()
    first = p.send_call(a.RESET, RESET, now=0)
    queued = p.send_call(a.RESET, RESET, now=0)
    failed = p.close("link lost")
    assert [f.call for f in failed] == [first, queued]
    assert all(isinstance(f.error, ConnectionClosedError) and "link lost" in str(f.error) for f in failed)
    assert p.close() == [] and p.next_deadline() is None
    with pytest.raises(ConnectionClosedError):
        p.send_call(a.RESET, RESET, now=0)


def test_shutdown_refuses_new_calls_but_lets_pending_ones_finish() -> None:
    p = make()
    p.send_call(a.RESET, RESET, now=0)
    p.begin_shutdown()
    with pytest.raises(ConnectionClosedError):
        p.send_call(a.RESET, RESET, now=0)
    assert not p.idle
    p.receive_data('[3, "id-0", {"status": "Accepted"}]')
    assert p.idle


def test_id_factory_must_make_valid_message_ids() -> None:
    p = OcppProtocol(Codec(ACTIONS), ProtocolConfig(id_factory=lambda: "x" * 37))
    with pytest.raises(ValueError):
        p.send_call(a.RESET, RESET, now=0)


@pytest.mark.parametrize("field", ["max_incoming_calls", "max_queued_calls", "max_bad_frames"])
def test_limits_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        ProtocolConfig(**{field: 0})
