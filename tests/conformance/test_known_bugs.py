"""Bugs the conformance harness found in the runtime and the generator (B1-B4), fixed: each test pins
the right behaviour. ``conformance/known_bugs.py`` and ``conformance/framefuzz.KNOWN_FRAME_BUGS`` hold
the records of bugs still open (none now); a record that stops matching fails the harness."""

from __future__ import annotations

import msgspec
import pytest

from conformance.framefuzz import KNOWN_FRAME_BUGS
from conformance.known_bugs import KNOWN_BUGS
from ocppwire.runtime.codec import Codec, FrameError
from ocppwire.runtime.errors import error_for_validation
from ocppwire.runtime.frames import Send
from ocppwire.runtime.payload import decode
from ocppwire.v16 import messages as m16
from ocppwire.v21 import ACTIONS as ACTIONS_21
from ocppwire.v201 import ACTIONS as ACTIONS_201

_PROFILE = (
    b'{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,'
    b'"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":'
    b'{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":LIMIT}]}}}'
)


def test_no_bug_is_open() -> None:
    assert {b.id for b in KNOWN_BUGS} | set(KNOWN_FRAME_BUGS) == set()


@pytest.mark.parametrize("limit", [b"0.05", b"0.30000000000000004", b"16.01"])
def test_b1_multiple_of_failure_is_a_property_constraint_violation(limit: bytes) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        decode(m16.SetChargingProfileRequest, _PROFILE.replace(b"LIMIT", limit))
    assert error_for_validation(caught.value).code.value == "PropertyConstraintViolation"


def test_b1_valid_decimals_are_accepted() -> None:
    """The check itself is right: decimal multiples of 0.1 pass (only the code of a failure is wrong)."""
    for limit in (b"16", b"16.0", b"0.3", b"32.5"):
        decode(m16.SetChargingProfileRequest, _PROFILE.replace(b"LIMIT", limit))


@pytest.mark.parametrize(
    ("request_type", "rest"),
    [(m16.GetDiagnosticsRequest, b""), (m16.UpdateFirmwareRequest, b',"retrieveDate":"2024-01-01T00:00:00Z"')],
)
def test_b2_uri_with_a_trailing_newline_is_refused(request_type: type, rest: bytes) -> None:
    decode(request_type, b'{"location":"ftp://example.com/x"' + rest + b"}")  # the same URI without it passes
    with pytest.raises(msgspec.ValidationError):
        decode(request_type, b'{"location":"ftp://example.com/x\\n"' + rest + b"}")


def test_b3_v21_codec_reads_a_send_notify_periodic_event_stream() -> None:
    codec = Codec(ACTIONS_21)
    frame = codec.decode_frame(
        b'[6,"s-1","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2025-01-01T00:00:00Z",'
        b'"data":[{"t":1.5,"v":"230.1"}]}]'
    )
    assert isinstance(frame, Send)
    spec, payload = codec.decode_send(frame)
    assert spec.name == "NotifyPeriodicEventStream" and payload.id == 1


@pytest.mark.parametrize("data", [b'[3,"r-1",{"a":NaN}]', b'[3,"r-1",{"a":"\\ud800"}]', b'[4,"r-1","X","",{}] x'])
def test_b4_a_broken_response_is_dropped(data: bytes) -> None:
    with pytest.raises(FrameError) as caught:
        Codec(ACTIONS_201).decode_frame(data)
    assert not caught.value.answerable
