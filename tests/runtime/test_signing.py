"""Signed messages (OCPP-J Part 4 §7) in the protocol core and between our CSMS and our station.

The refusals are pure protocol tests: a frame in, the CALLERROR out, and no CallReceived (so no
handler can run). The interop tests run both sides over real sockets.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
from typing import Any

import msgspec
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from ocppwire.runtime.codec import Codec
from ocppwire.runtime.errors import SecurityError
from ocppwire.runtime.exceptions import InvalidResponseError
from ocppwire.runtime.jws import Signer, b64url_encode, sign_flattened
from ocppwire.runtime.protocol import (
    CallFailed,
    CallReceived,
    CallSucceeded,
    FrameRejected,
    OcppProtocol,
    ProtocolConfig,
)
from ocppwire.runtime.signing import SignedBy, SigningConfig, request_signature, seal
from ocppwire.v201 import ACTIONS, csms, station
from ocppwire.v201 import actions as a
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from ..loopback import RawConnect, StartCsms, StartStation
from .signing_keys import ec_signer, rsa_signer, trusting

STATION_KEY = ec_signer("CS001")
CSMS_KEY = rsa_signer("csms.example")
STRANGER = ec_signer("stranger")
BOOT = m.BootNotificationRequest(
    charging_station=t.ChargingStationType(model="M1", vendor_name="V1"), reason=e.BootReasonEnumType.POWER_UP
)
BOOT_BYTES = msgspec.json.encode({"chargingStation": {"model": "M1", "vendorName": "V1"}, "reason": "PowerUp"})


def core(signing: SigningConfig | None, name: str = "p") -> OcppProtocol:
    ids = (f"{name}-{n}" for n in itertools.count())
    return OcppProtocol(Codec(ACTIONS), ProtocolConfig(id_factory=lambda: next(ids), signing=signing), identity=name)


def station_side(**options: Any) -> OcppProtocol:
    options.setdefault("verifier", trusting(CSMS_KEY))
    return core(SigningConfig(signer=STATION_KEY, **options), "station")


def csms_side(**options: Any) -> OcppProtocol:
    options.setdefault("verifier", trusting(STATION_KEY))
    return core(SigningConfig(signer=CSMS_KEY, **options), "csms")


def frames(p: OcppProtocol) -> list[Any]:
    return [json.loads(data) for data in p.data_to_send()]


def header(jws: dict[str, str]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(_b64(jws["protected"]))
    return decoded


def _b64(text: str) -> bytes:
    from ocppwire.runtime.jws import b64url_decode

    return b64url_decode(text)


def signed_call(
    action: str = "BootNotification",
    *,
    signer: Signer = STATION_KEY,
    message_id: str = "m1",
    protected: dict[str, Any] | None = None,
    payload: bytes = BOOT_BYTES,
    frame_action: str | None = None,
) -> bytes:
    """A hand-made signed CALL: ``protected`` replaces the OCPP header fields when given."""
    fields = {"alg": signer.algorithm, "OCPPAction": action, "OCPPMessageTypedId": 2, "x5t#S256": signer.thumbprint}
    if protected is not None:
        fields = protected
    jws = sign_flattened(fields, payload, signer.key) if protected is None else es256_by_hand(fields, payload, signer)
    return json.dumps([2, message_id, frame_action or f"{action}-Signed", jws]).encode()


def es256_by_hand(protected: dict[str, Any], payload: bytes, signer: Signer) -> dict[str, str]:
    """A flattened JWS signed with cryptography alone, whatever the header says (joserfc would check it)."""
    assert isinstance(signer.key, ec.EllipticCurvePrivateKey)
    segments = f"{b64url_encode(json.dumps(protected).encode())}.{b64url_encode(payload)}"
    r, s = decode_dss_signature(signer.key.sign(segments.encode(), ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    encoded_header, encoded_payload = segments.split(".")
    return {"protected": encoded_header, "payload": encoded_payload, "signature": b64url_encode(signature)}


def refused(p: OcppProtocol, data: bytes) -> list[Any]:
    """Feed ``data``; it must be refused (no handler runs) with a CALLERROR; return that CALLERROR."""
    event = p.receive_data(data)
    assert isinstance(event, FrameRejected) and event.answered, event
    [answer] = frames(p)
    assert answer[0] == 4
    return list(answer)


# ---- the happy path, both directions ------------------------------------------------------------------------------
def test_a_signed_call_is_verified_handled_as_the_plain_call_and_answered_signed() -> None:
    st, cs = station_side(), csms_side()
    call = st.send_call(a.BOOT_NOTIFICATION, BOOT, now=0.0, sign=True)
    [wire] = frames(st)
    assert wire[:3] == [2, call.message_id, "BootNotification-Signed"]
    assert sorted(wire[3]) == ["payload", "protected", "signature"]
    assert header(wire[3]) == {
        "alg": "ES256",
        "OCPPAction": "BootNotification",
        "OCPPMessageTypedId": 2,
        "x5t#S256": STATION_KEY.thumbprint,
    }
    assert json.loads(_b64(wire[3]["payload"])) == json.loads(BOOT_BYTES)

    event = cs.receive_data(json.dumps(wire))
    assert isinstance(event, CallReceived)
    assert event.spec is a.BOOT_NOTIFICATION and event.request == BOOT  # the same typed request as unsigned
    assert isinstance(event.signature, SignedBy)
    assert event.signature.subject == "CN=CS001" and event.signature.algorithm == "ES256"
    assert event.signature.thumbprint == STATION_KEY.thumbprint

    response = m.BootNotificationResponse(
        current_time=dt.datetime(2026, 12, 2, tzinfo=dt.timezone.utc),
        interval=300,
        status=e.RegistrationStatusEnumType.ACCEPTED,
    )
    assert cs.send_result(event.message_id, event.spec, response) is None
    [reply] = frames(cs)
    assert reply[:2] == [3, call.message_id]
    assert header(reply[2]) == {
        "alg": "RS256",
        "OCPPAction": "BootNotification",
        "OCPPMessageTypedId": 3,
        "x5t#S256": CSMS_KEY.thumbprint,
    }
    done = st.receive_data(json.dumps(reply))
    assert isinstance(done, CallSucceeded) and done.response == response
    assert done.signature is not None and done.signature.subject == "CN=csms.example"


def test_unsigned_calls_are_answered_unsigned_and_sign_calls_signs_per_connection() -> None:
    st, cs = station_side(sign_calls=frozenset({"BootNotification"})), csms_side()
    st.send_call(a.HEARTBEAT, m.HeartbeatRequest(), now=0.0)
    [heartbeat] = frames(st)
    assert heartbeat[2] == "Heartbeat" and heartbeat[3] == {}
    event = cs.receive_data(json.dumps(heartbeat))
    assert isinstance(event, CallReceived) and event.signature is None
    cs.send_result(event.message_id, event.spec, m.HeartbeatResponse(current_time=dt.datetime.now(dt.timezone.utc)))
    [reply] = frames(cs)
    assert set(reply[2]) == {"currentTime"}  # a plain request gets a plain reply
    assert isinstance(st.receive_data(json.dumps(reply)), CallSucceeded)

    st.send_call(a.BOOT_NOTIFICATION, BOOT, now=0.0)  # named in sign_calls
    assert frames(st)[0][2] == "BootNotification-Signed"
    st2 = station_side(sign_calls=True)
    st2.send_call(a.HEARTBEAT, m.HeartbeatRequest(), now=0.0, sign=False)  # the per-call choice wins
    assert frames(st2)[0][2] == "Heartbeat"


def test_a_receiver_without_a_signer_verifies_and_answers_unsigned() -> None:
    cs = core(SigningConfig(verifier=trusting(STATION_KEY)))
    event = cs.receive_data(signed_call())
    assert isinstance(event, CallReceived) and event.signature is not None
    cs.send_result(
        event.message_id,
        event.spec,
        m.BootNotificationResponse(
            current_time=dt.datetime.now(dt.timezone.utc), interval=1, status=e.RegistrationStatusEnumType.ACCEPTED
        ),
    )
    assert set(frames(cs)[0][2]) == {"currentTime", "interval", "status"}


def test_signing_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="needs a signer"):
        SigningConfig(verifier=trusting(STATION_KEY), sign_calls=True)
    with pytest.raises(TypeError):
        SigningConfig(verifier=object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no signer"):
        core(SigningConfig(verifier=trusting(STATION_KEY))).send_call(
            a.HEARTBEAT, m.HeartbeatRequest(), now=0, sign=True
        )
    with pytest.raises(ValueError, match="no signing config"):
        core(None).send_call(a.HEARTBEAT, m.HeartbeatRequest(), now=0, sign=True)


# ---- refusals: the CALLERROR the policy table assigns, and nothing reaches a handler -------------------------------
def test_without_signing_config_signed_actions_stay_not_implemented() -> None:
    answer = refused(core(None), signed_call())
    assert answer[2] == "NotImplemented" and "BootNotification-Signed" in answer[3]


def test_an_unknown_action_signed_is_not_implemented() -> None:
    answer = refused(csms_side(), signed_call("Teleport"))
    assert answer[2] == "NotImplemented"


def test_a_changed_payload_does_not_verify() -> None:
    data = json.loads(signed_call())
    data[3]["payload"] = b64url_encode(BOOT_BYTES.replace(b"PowerUp", b"Triggered"))
    answer = refused(csms_side(), json.dumps(data).encode())
    assert answer[1:4] == ["m1", "SecurityError", "BootNotification signature does not verify"]


def test_an_unknown_key_is_refused() -> None:
    answer = refused(csms_side(), signed_call(signer=STRANGER))
    assert answer[2] == "SecurityError" and "no trusted certificate has x5t#S256" in answer[3]


def test_an_expired_certificate_is_an_unknown_key() -> None:
    from .signing_keys import certificate

    old = Signer(STATION_KEY.key, certificate(STATION_KEY.key, "CS001", valid_from=dt.timedelta(days=-3)))
    cs = core(SigningConfig(verifier=trusting(old)))
    assert refused(cs, signed_call(signer=old))[2] == "SecurityError"


def test_a_signature_for_another_action_is_refused() -> None:
    # A valid BootNotification signature pasted under another action name.
    answer = refused(csms_side(), signed_call(frame_action="Heartbeat-Signed"))
    assert answer[2] == "SecurityError"
    assert answer[3] == "JWS header OCPPAction 'BootNotification' does not match the action 'Heartbeat'"


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"OCPPMessageTypedId": 3}, "does not match the message type 2"),  # a CALLRESULT's signature as a CALL
        ({"OCPPMessageTypedId": "2"}, "does not match the message type 2"),
        ({"OCPPMessageTypedId": None}, "does not match the message type 2"),
        ({"OCPPMessageTypeId": 3}, "does not match the message type 2"),  # both spellings must agree
        ({"OCPPAction": None}, "OCPPAction None does not match"),
        ({"x5t#S256": None}, "no x5t#S256"),
        ({"crit": ["exp"], "exp": 1}, "'crit' is not supported"),
        ({"b64": True}, "'b64' is not supported"),
    ],
)
def test_a_header_that_disagrees_with_the_frame_is_refused(fields: dict[str, Any], why: str) -> None:
    protected: dict[str, Any] = {
        "alg": "ES256",
        "OCPPAction": "BootNotification",
        "OCPPMessageTypedId": 2,
        "x5t#S256": STATION_KEY.thumbprint,
    }
    protected.update(fields)
    protected = {k: v for k, v in protected.items() if v is not None}
    answer = refused(csms_side(), signed_call(protected=protected))
    assert answer[2] == "SecurityError" and why in answer[3], answer


@pytest.mark.parametrize(
    "unprotected", [{"alg": "HS256"}, {"x5t#S256": STRANGER.thumbprint}, {"OCPPAction": "Heartbeat"}, {"kid": "k"}]
)
def test_nothing_that_decides_trust_may_sit_in_the_unprotected_header(unprotected: dict[str, str]) -> None:
    data = json.loads(signed_call())
    data[3]["header"] = unprotected
    answer = refused(csms_side(), json.dumps(data).encode())
    assert answer[2] == "SecurityError" and "unprotected header" in answer[3]
    data[3]["header"] = {"note": "free text"}  # anything else there is ignored
    assert isinstance(csms_side().receive_data(json.dumps(data)), CallReceived)


def test_the_other_spelling_of_the_message_type_is_accepted() -> None:
    protected = {
        "alg": "ES256",
        "OCPPAction": "BootNotification",
        "OCPPMessageTypeId": 2,
        "x5t#S256": STATION_KEY.thumbprint,
    }
    assert isinstance(csms_side().receive_data(signed_call(protected=protected)), CallReceived)


@pytest.mark.parametrize("alg", ["none", "HS256", "ES384", "PS256", "EdDSA", None])
def test_an_algorithm_outside_es256_rs256_rs384_is_refused(alg: str | None) -> None:
    protected = {
        "alg": alg,
        "OCPPAction": "BootNotification",
        "OCPPMessageTypedId": 2,
        "x5t#S256": STATION_KEY.thumbprint,
    }
    answer = refused(csms_side(), signed_call(protected=protected))
    assert answer[2] == "SecurityError" and "is not allowed (ES256, RS256, RS384)" in answer[3]


def test_a_certificate_whose_key_does_not_fit_the_algorithm_is_refused() -> None:
    # Claims RS256 but names the station's P-256 certificate.
    jws = sign_flattened(
        {"alg": "RS256", "OCPPAction": "BootNotification", "OCPPMessageTypedId": 2, "x5t#S256": STATION_KEY.thumbprint},
        BOOT_BYTES,
        CSMS_KEY.key,
    )
    answer = refused(csms_side(), json.dumps([2, "m1", "BootNotification-Signed", jws]).encode())
    assert answer[2] == "SecurityError" and "cannot check RS256" in answer[3]


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ({}, "lacks"),
        ([], "not a JSON object"),
        ({"payload": "e30", "signatures": []}, "general JWS serialization"),
        ({"protected": "e30", "payload": "e30", "signature": "", "kid": "x"}, "unexpected members"),
        ({"protected": 1, "payload": "e30", "signature": ""}, "'protected' is not a string"),
        ({"protected": "%%%", "payload": "e30", "signature": ""}, "protected header is not base64url"),
        ({"protected": b64url_encode(b"[1]"), "payload": "e30", "signature": ""}, "protected header is not base64url"),
        ({"protected": "e30", "payload": "e30", "signature": "", "header": 1}, "'header' is not an object"),
    ],
)
def test_a_payload_that_is_not_a_flattened_jws_is_a_format_violation(payload: Any, why: str) -> None:
    answer = refused(csms_side(), json.dumps([2, "m1", "BootNotification-Signed", payload]).encode())
    assert answer[2] == "FormatViolation" and why in answer[3], answer


def test_a_signed_payload_that_is_not_json_is_a_format_violation() -> None:
    answer = refused(csms_side(), signed_call(payload=b"not json"))
    assert answer[2] == "FormatViolation" and "not UTF-8 JSON" in answer[3]


def test_a_verified_payload_still_gets_the_schema_codes() -> None:
    answer = refused(csms_side(), signed_call(payload=b'{"reason": "PowerUp"}'))
    assert answer[2] == "OccurrenceConstraintViolation" and "chargingStation" in answer[3]


def test_require_signed_refuses_plain_calls_of_those_actions() -> None:
    cs = csms_side(require_signed=frozenset({"BootNotification"}))
    plain = json.dumps([2, "m1", "BootNotification", json.loads(BOOT_BYTES)]).encode()
    answer = refused(cs, plain)
    assert answer[2:4] == ["SecurityError", "BootNotification must be signed (BootNotification-Signed)"]
    assert isinstance(cs.receive_data(b'[2, "m2", "Heartbeat", {}]'), CallReceived)
    assert isinstance(cs.receive_data(signed_call(message_id="m3")), CallReceived)


def test_refused_signatures_count_towards_max_bad_frames() -> None:
    cs = core(SigningConfig(verifier=trusting(STATION_KEY)))
    cs = OcppProtocol(Codec(ACTIONS), ProtocolConfig(max_bad_frames=2, signing=cs.config.signing))
    first = cs.receive_data(signed_call(signer=STRANGER))
    second = cs.receive_data(signed_call(signer=STRANGER, message_id="m2"))
    assert isinstance(first, FrameRejected) and not first.close
    assert isinstance(second, FrameRejected) and second.close


# ---- signed replies that fail -------------------------------------------------------------------------------------
def test_a_signed_reply_that_does_not_verify_fails_the_call_at_once() -> None:
    st = station_side()
    call = st.send_call(a.HEARTBEAT, m.HeartbeatRequest(), now=0.0, sign=True)
    frames(st)
    payload = b'{"currentTime":"2026-12-02T07:00:00Z"}'
    jws = json.loads(seal(STRANGER, action="Heartbeat", message_type=3, payload=payload))
    event = st.receive_data(json.dumps([3, call.message_id, jws]))
    assert isinstance(event, FrameRejected) and not event.answered
    assert isinstance(event.failed, CallFailed) and isinstance(event.failed.error, InvalidResponseError)
    assert isinstance(event.failed.error.error, SecurityError)
    assert frames(st) == []  # a CALLRESULT is never answered


def test_a_reply_signed_for_another_action_or_as_a_call_is_refused() -> None:
    for action, message_type in (("BootNotification", 3), ("Heartbeat", 2)):
        st = station_side()
        call = st.send_call(a.HEARTBEAT, m.HeartbeatRequest(), now=0.0, sign=True)
        frames(st)
        jws = json.loads(
            seal(CSMS_KEY, action=action, message_type=message_type, payload=b'{"currentTime":"2026-12-02T07:00:00Z"}')
        )
        event = st.receive_data(json.dumps([3, call.message_id, jws]))
        assert isinstance(event, FrameRejected) and event.failed is not None


def test_an_unsigned_reply_to_a_signed_call_is_accepted() -> None:
    st = station_side()
    call = st.send_call(a.HEARTBEAT, m.HeartbeatRequest(), now=0.0, sign=True)
    frames(st)
    event = st.receive_data(json.dumps([3, call.message_id, {"currentTime": "2026-12-02T07:00:00Z"}]))
    assert isinstance(event, CallSucceeded) and event.signature is None


# ---- over real sockets ----------------------------------------------------------------------------------------------
class SignedCsms(csms.CsmsHandler):
    def __init__(self) -> None:
        self.seen: list[SignedBy | None] = []

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        self.seen.append(request_signature())
        return m.BootNotificationResponse(
            current_time=dt.datetime.now(dt.timezone.utc), interval=300, status=e.RegistrationStatusEnumType.ACCEPTED
        )

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        self.seen.append(request_signature())
        return m.HeartbeatResponse(current_time=dt.datetime.now(dt.timezone.utc))


class SignedStation(station.ChargingStationHandler):
    def __init__(self) -> None:
        self.seen: list[SignedBy | None] = []

    async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
        self.seen.append(request_signature())
        return m.ResetResponse(status=e.ResetStatusEnumType.ACCEPTED)


def _wire(caplog: pytest.LogCaptureFixture, direction: str) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "ocppwire.frames" and f" {direction} " in r.getMessage()
    ]


async def test_csms_and_station_sign_and_verify_each_other_over_sockets(
    start_csms: StartCsms, start_station: StartStation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ocppwire.frames")
    handler, station_handler = SignedCsms(), SignedStation()
    server = await start_csms(handler, signing=SigningConfig(verifier=trusting(STATION_KEY), signer=CSMS_KEY))
    conn = await start_station(
        server,
        "CS001",
        handler=station_handler,
        signing=SigningConfig(
            verifier=trusting(CSMS_KEY), signer=STATION_KEY, sign_calls=frozenset({"BootNotification"})
        ),
    )
    boot = await conn.peer.boot_notification(BOOT)  # signed per connection
    assert boot.status == e.RegistrationStatusEnumType.ACCEPTED
    await conn.peer.heartbeat(m.HeartbeatRequest())  # not in sign_calls: plain
    [signed, plain] = handler.seen
    assert signed is not None and signed.subject == "CN=CS001" and plain is None

    peer = server.stations["CS001"]
    reset = await peer.call(a.RESET, m.ResetRequest(type=e.ResetEnumType.IMMEDIATE), sign=True)  # signed per call
    assert reset.status == e.ResetStatusEnumType.ACCEPTED
    [by_csms] = station_handler.seen
    assert by_csms is not None and by_csms.subject == "CN=csms.example" and by_csms.algorithm == "RS256"

    boot2, by = await conn.peer.call_with_signature(a.BOOT_NOTIFICATION, BOOT)  # who signed the reply
    assert boot2.status == e.RegistrationStatusEnumType.ACCEPTED
    assert by is not None and by.subject == "CN=csms.example"
    _, nobody = await conn.peer.call_with_signature(a.HEARTBEAT, m.HeartbeatRequest(), sign=False)
    assert nobody is None

    logged = " ".join(_wire(caplog, "->"))  # what each side wrote
    assert '"BootNotification-Signed"' in logged and '"Reset-Signed"' in logged
    assert '"Heartbeat-Signed"' not in logged
    assert logged.count('"protected"') == 6  # three signed calls, three signed replies


async def test_a_csms_without_signing_answers_not_implemented(
    start_csms: StartCsms, start_station: StartStation
) -> None:
    server = await start_csms(SignedCsms())
    conn = await start_station(
        server, "CS001", signing=SigningConfig(verifier=trusting(CSMS_KEY), signer=STATION_KEY, sign_calls=True)
    )
    from ocppwire.runtime.errors import NotImplementedOcppError

    with pytest.raises(NotImplementedOcppError):
        await conn.peer.boot_notification(BOOT)


async def test_an_untrusted_station_gets_security_error_over_sockets(
    start_csms: StartCsms, start_station: StartStation
) -> None:
    handler = SignedCsms()
    server = await start_csms(handler, signing=SigningConfig(verifier=trusting(STATION_KEY)))
    conn = await start_station(
        server, "CS001", signing=SigningConfig(verifier=trusting(CSMS_KEY), signer=STRANGER, sign_calls=True)
    )
    with pytest.raises(SecurityError, match="no trusted certificate"):
        await conn.peer.boot_notification(BOOT)
    assert handler.seen == []


async def test_the_policy_rows_for_signed_calls_over_a_real_connection(
    start_csms: StartCsms, raw_connect: RawConnect
) -> None:
    """docs/runtime.md's signed-message rows, each as a raw frame over a socket (like test_policy.py)."""
    handler = SignedCsms()
    server = await start_csms(
        handler,
        signing=SigningConfig(verifier=trusting(STATION_KEY), signer=CSMS_KEY, require_signed=frozenset({"Heartbeat"})),
    )
    raw = await raw_connect(server, "CS001")
    tampered = json.loads(signed_call(message_id="t1"))
    tampered[3]["payload"] = b64url_encode(BOOT_BYTES.replace(b"V1", b"V2"))
    none_alg = {"alg": "none", "OCPPAction": "BootNotification", "OCPPMessageTypedId": 2}
    rows = [
        (signed_call("Teleport", message_id="n1"), "NotImplemented"),
        (b'[2, "f1", "BootNotification-Signed", {"payload": "e30"}]', "FormatViolation"),
        (signed_call(message_id="f2", payload=b"\xff"), "FormatViolation"),
        (json.dumps(tampered).encode(), "SecurityError"),
        (signed_call(message_id="s1", signer=STRANGER), "SecurityError"),
        (signed_call(message_id="s2", frame_action="StatusNotification-Signed"), "SecurityError"),
        (signed_call(message_id="s3", protected=none_alg), "SecurityError"),
        (b'[2, "s4", "Heartbeat", {}]', "SecurityError"),  # require_signed
        (signed_call(message_id="o1", payload=b'{"reason": "PowerUp"}'), "OccurrenceConstraintViolation"),
    ]
    for frame, code in rows:
        answer = await raw.exchange(frame)
        message_id = json.loads(frame)[1]
        assert answer[:3] == [4, message_id, code], (frame[:60], answer)
    assert handler.seen == []  # nothing reached a handler
    ok = await raw.exchange(signed_call(message_id="ok"))
    assert ok[:2] == [3, "ok"] and set(ok[2]) == {"protected", "payload", "signature"}
    assert len(handler.seen) == 1


def test_the_protocol_core_loads_no_cryptography_until_a_signature_arrives() -> None:
    """Signing is an optional extra: a runtime without it must not import joserfc or cryptography."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from ocppwire.runtime.codec import Codec\n"
        "from ocppwire.runtime.protocol import OcppProtocol\n"
        "from ocppwire.v201 import ACTIONS\n"
        "p = OcppProtocol(Codec(ACTIONS))\n"
        'p.receive_data(b\'[2, "1", "Heartbeat-Signed", {}]\')\n'
        "print(sorted(m for m in ('joserfc', 'cryptography', 'ocppwire.runtime.jws') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
