"""The codec's one-pass decode of large CALLs: the same results as the two-stage path, and the same errors.

A codec decodes the first CALL of each action in two stages and from then on decodes a large CALL of
that action (``_ONE_PASS_MIN_BYTES`` and up) whole, as ``Call[<request type>]``. Every frame the
one-pass decode does not accept must come out of the two-stage path exactly as it would have from a
codec that never tried: same payload, same FrameError (code, description, messageId, answerable).
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from ocppwire.runtime import codec as codec_module
from ocppwire.runtime.codec import Codec, FrameError
from ocppwire.runtime.customdata import CustomData, CustomDataRegistry
from ocppwire.runtime.frames import Call
from ocppwire.v201 import ACTIONS
from ocppwire.v201 import messages as m

SAMPLED = [{"value": 1.5 + i, "measurand": "Energy.Active.Import.Register"} for i in range(12)]
READINGS: list[dict[str, Any]] = [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": SAMPLED}]
METER: dict[str, Any] = {"evseId": 1, "meterValue": READINGS}


def _frame(message_id: str, action: str, payload: Any) -> bytes:
    return json.dumps([2, message_id, action, payload], separators=(",", ":")).encode()


def _warm() -> Codec:
    """A codec that has seen one MeterValues and one DataTransfer CALL (one-pass enabled for MeterValues)."""
    codec = Codec(ACTIONS)
    codec.decode_call(codec.decode_frame(_frame("w", "MeterValues", METER)))  # type: ignore[arg-type]
    codec.decode_call(codec.decode_frame(_frame("w", "DataTransfer", {"vendorId": "v"})))  # type: ignore[arg-type]
    return codec


def _outcome(codec: Codec, data: bytes | str) -> Any:
    """What the protocol layer gets from a frame: (spec name, payload) or the FrameError's fields."""
    try:
        frame = codec.decode_frame(data)
        assert isinstance(frame, Call)
        spec, payload = codec.decode_call(frame)
    except FrameError as exc:
        return ("error", exc.error.code, exc.error.description, exc.message_id, exc.message_type, exc.answerable)
    return (frame.message_id, spec.name, payload)


def test_large_calls_of_a_known_action_are_decoded_in_one_pass_with_the_same_result() -> None:
    data = _frame("19223201", "MeterValues", METER)
    assert len(data) >= codec_module._ONE_PASS_MIN_BYTES
    fresh = Codec(ACTIONS)
    first = fresh.decode_frame(data)
    assert isinstance(first, Call) and isinstance(first.payload, msgspec.Raw)  # first of its action: two stages
    expected = _outcome(Codec(ACTIONS), data)
    warm = _warm()
    for wire in (data, data.decode()):  # websockets hands text frames over as str
        frame = warm.decode_frame(wire)
        assert isinstance(frame, Call) and isinstance(frame.payload, m.MeterValuesRequest)
        assert _outcome(warm, wire) == expected


def test_small_frames_and_other_frame_types_stay_two_stage() -> None:
    warm = _warm()
    small = warm.decode_frame(_frame("1", "MeterValues", {"evseId": 1, "meterValue": []}))
    assert isinstance(small, Call) and isinstance(small.payload, msgspec.Raw)
    result = warm.decode_frame(json.dumps([3, "1", METER]).encode())
    assert isinstance(result.payload, msgspec.Raw)  # type: ignore[union-attr]
    readings = READINGS * (codec_module._ONE_PASS_MAX_BYTES // 500)
    huge = _frame("h", "MeterValues", {"evseId": 1, "meterValue": readings})
    assert len(huge) > codec_module._ONE_PASS_MAX_BYTES  # bounds what a refused frame costs (refused_frames.py)
    frame = warm.decode_frame(huge)
    assert isinstance(frame, Call) and isinstance(frame.payload, msgspec.Raw)
    assert _outcome(warm, huge) == _outcome(Codec(ACTIONS), huge)


def test_data_transfer_is_never_one_pass_and_is_still_refined() -> None:
    warm = _warm()
    data = _frame("d", "DataTransfer", {"vendorId": "com.example", "messageId": "m", "data": "x" * 600})
    frame = warm.decode_frame(data)
    assert isinstance(frame, Call) and isinstance(frame.payload, msgspec.Raw)
    assert _outcome(warm, data) == _outcome(Codec(ACTIONS), data)


# Large frames of the action the warm codec decodes in one pass, each broken (or oddly written) in one way.
_OPEN = json.dumps(METER, separators=(",", ":"))[:-1]
_CASES = {
    "valid": _frame("ok", "MeterValues", METER),
    "spaces between elements": f'[ 2 , "ok" , "MeterValues" , {json.dumps(METER)} ]'.encode(),
    "escaped action name": f'[2,"ok","Meter\\u0056alues",{_OPEN}}}]'.encode(),
    "quote in the messageId": f'[2,"a\\",\\"MeterValues","MeterValues",{_OPEN}}}]'.encode(),
    # The text between the 3rd and 4th quote is MeterValues, the action is not, the payload fits MeterValues.
    "messageId hides an unknown action": f'[2,"a\\",\\"MeterValues","Nope",{_OPEN}}}]'.encode(),
    "messageId hides another action": f'[2,"a\\",\\"MeterValues","NotifyEvent",{_OPEN}}}]'.encode(),
    "a string before the action": f'[2,"x","MeterValues","Heartbeat",{_OPEN}}}]'.encode(),
    "messageId too long": _frame("i" * 37, "MeterValues", METER),
    "schema violation at the end": f'[2,"v","MeterValues",{_OPEN},"x":1}}]'.encode(),
    "wrong type of a field": _frame("v", "MeterValues", {**METER, "evseId": "one"}),
    "invalid UTF-8 in the payload": f'[2,"v","MeterValues",{_OPEN},"x":"\xff"}}]'.encode("latin-1"),
    "lone surrogate escape": f'[2,"v","MeterValues",{_OPEN},"x":"\\ud800"}}]'.encode(),
    "number out of range": f'[2,"v","MeterValues",{_OPEN},"x":1e400}}]'.encode(),
    "cut short": _frame("v", "MeterValues", METER)[:-2],
    "trailing data": _frame("v", "MeterValues", METER) + b" x",
    "five elements": f'[2,"v","MeterValues",{_OPEN}}},5]'.encode(),
    "CALLRESULT shaped like a CALL": f'[3,"v","MeterValues",{_OPEN}}}]'.encode(),
    "SEND number in 2.0.1": f'[6,"v","MeterValues",{_OPEN}}}]'.encode(),
    "type number as a string": f'["2","v","MeterValues",{_OPEN}}}]'.encode(),
    "payload not an object": f'[2,"v","MeterValues",[{_OPEN}}}]]'.encode(),
    "nested too deeply": b'[2,"v","MeterValues",{"evseId":1,"x":' + b"[" * 5000 + b"]" * 5000 + b"}]",
}


@pytest.mark.parametrize("case", list(_CASES))
def test_every_frame_gets_exactly_what_the_two_stage_path_gives_it(case: str) -> None:
    data = _CASES[case]
    assert len(data) >= codec_module._ONE_PASS_MIN_BYTES
    expected = _outcome(Codec(ACTIONS), data)  # a fresh codec never tries the one-pass decode
    warm = _warm()
    assert _outcome(warm, data) == expected
    if case != "invalid UTF-8 in the payload":
        assert _outcome(warm, data.decode("utf-8")) == expected


def test_the_one_pass_decoder_uses_the_codecs_own_custom_data_registry() -> None:
    registry = CustomDataRegistry()

    @registry.register("com.example.meter")
    class Meter(msgspec.Struct, CustomData, kw_only=True):
        vendor_id: str = msgspec.field(name="vendorId")
        serial: str

    codec = Codec(ACTIONS, custom_data=registry)
    payload = {**METER, "customData": {"vendorId": "com.example.meter", "serial": "S-1"}}
    data = _frame("c", "MeterValues", payload)
    two_stage = _outcome(codec, data)
    one_pass = codec.decode_frame(data)
    assert isinstance(one_pass, Call) and isinstance(one_pass.payload, m.MeterValuesRequest)
    assert one_pass.payload.custom_data == Meter(vendor_id="com.example.meter", serial="S-1")
    assert _outcome(codec, data) == two_stage


def test_decode_incoming_is_decode_frame_then_decode_call() -> None:
    """The protocol core's one call per frame gives what the two stages give, errors included."""
    from ocppwire.runtime.codec import Codec, FrameError
    from ocppwire.v201 import ACTIONS

    one, two = Codec(ACTIONS), Codec(ACTIONS)
    frames = [
        b'[2,"h1","Heartbeat",{}]',
        b'[2,"h2","Heartbeat",{}]',  # the second CALL of an action takes the cached decoder
        b'[2,"s1","StatusNotification",{"timestamp":"2025-01-01T00:00:00Z","connectorStatus":"Available",'
        b'"evseId":1,"connectorId":1}]',
        b'[2,"b1","StatusNotification",{"timestamp":"2025-01-01T00:00:00Z"}]',  # payload refused
        b'[2,"u1","NoSuchAction",{}]',  # unknown action: header read, NotImplemented
        b'[3,"r1",{"currentTime":"2025-01-01T00:00:00Z"}]',
        b'[2,"x"',  # not JSON: header never read
    ]
    for data in frames:
        try:
            frame, spec, request = one.decode_incoming(data)
        except FrameError as exc:
            with pytest.raises(FrameError) as expected:
                frame2 = two.decode_frame(data)
                two.decode_call(frame2)  # type: ignore[arg-type]
            assert (exc.error.code, str(exc.error), exc.message_id) == (
                expected.value.error.code,
                str(expected.value.error),
                expected.value.message_id,
            )
            assert exc.header_read == (data.startswith(b'[2,"b1"') or data.startswith(b'[2,"u1"'))
            continue
        frame2 = two.decode_frame(data)
        assert frame == frame2
        if spec is None:
            assert request is None
        else:
            assert (spec, request) == two.decode_call(frame2)  # type: ignore[arg-type]
