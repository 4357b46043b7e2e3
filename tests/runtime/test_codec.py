"""Frame codec without sockets: exact bytes out, typed frames in, precise FrameErrors."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from ocppwire.runtime.codec import Codec, FrameError, error_frame
from ocppwire.runtime.errors import GenericError, NotImplementedOcppError, ProtocolError
from ocppwire.runtime.frames import Call, CallError, CallResult
from ocppwire.v201 import ACTIONS
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

codec = Codec(ACTIONS)
NOW = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def test_encode_frames() -> None:
    assert codec.encode(Call("1", "Heartbeat", m.HeartbeatRequest())) == b'[2,"1","Heartbeat",{}]'
    assert codec.encode(CallResult("1", m.HeartbeatResponse(current_time=NOW))) == (
        b'[3,"1",{"currentTime":"2024-01-02T03:04:05Z"}]'
    )
    assert codec.encode(CallError("1", "GenericError", "", {})) == b'[4,"1","GenericError","",{}]'


def test_error_frame_cuts_description_and_copies_details() -> None:
    details = {"a": 1}
    frame = error_frame("9", GenericError("z" * 300, details))
    assert len(frame.error_description) == 255 and frame.error_details == details
    assert frame.error_details is not details


def test_two_stage_decode_of_a_call() -> None:
    frame = codec.decode_frame(b'[2,"7","Reset",{"type":"OnIdle","evseId":1}]')
    assert isinstance(frame, Call) and isinstance(frame.payload, msgspec.Raw)
    spec, payload = codec.decode_call(frame)
    assert spec is ACTIONS["Reset"]
    assert payload == m.ResetRequest(type=e.ResetEnumType.ON_IDLE, evse_id=1)


def test_call_result_is_decoded_with_the_response_type_of_the_call() -> None:
    frame = codec.decode_frame(b'[3,"7",{"status":"Scheduled"}]')
    assert isinstance(frame, CallResult)
    assert codec.decode_result(frame, ACTIONS["Reset"]) == m.ResetResponse(status=e.ResetStatusEnumType.SCHEDULED)
    with pytest.raises(FrameError) as info:
        codec.decode_result(frame, ACTIONS["Heartbeat"])
    assert isinstance(info.value.error, ProtocolError)  # "status" is not a HeartbeatResponse field
    assert not info.value.answerable


def test_call_error_frame() -> None:
    frame = codec.decode_frame(b'[4,"7","NotSupported","no",{"k":[1]}]')
    assert frame == CallError("7", "NotSupported", "no", {"k": [1]})


def test_unknown_action() -> None:
    frame = codec.decode_frame(b'[2,"7","Nope",{}]')
    assert isinstance(frame, Call)
    with pytest.raises(FrameError) as info:
        codec.decode_call(frame)
    assert isinstance(info.value.error, NotImplementedOcppError)
    assert info.value.to_call_error() == CallError("7", "NotImplemented", "unknown action 'Nope'", {})


def test_invalid_utf8_inside_a_payload_string_keeps_the_message_id() -> None:
    frame = codec.decode_frame(b'[2,"7","DataTransfer",{"vendorId":"\xff"}]')
    assert isinstance(frame, Call)
    with pytest.raises(FrameError) as info:
        codec.decode_call(frame)
    assert info.value.message_id == "7" and info.value.error.code == "RpcFrameworkError"
