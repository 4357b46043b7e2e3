"""Where the ``ocpp`` package (2.1.0) departs from the OCPP 1.6 and 2.1 schemas or from OCPP-J, pinned.

Companion of ``test_peer_quirks`` (2.0.1) for the two other versions: each test shows one peer quirk
and, where it touches the wire, how ocppwire reacts. ocppwire is never bent to match; a newer
``ocpp`` release that fixes a quirk fails here, and docs/reliability.md ("Peer quirks") is updated.
"""

from __future__ import annotations

import decimal
import json
from pathlib import Path
from typing import Any

import ocpp.messages
import ocpp.v16
from ocpp.charge_point import camel_to_snake_case, snake_to_camel_case
from ocpp.exceptions import PropertyConstraintViolationError
from websockets.asyncio.client import connect as ws_connect

from ocppwire.runtime.errors import ErrorCode, error_from_code
from ocppwire.runtime.options import ServerOptions
from ocppwire.v16 import csms as csms16
from ocppwire.v16 import enums as e16
from ocppwire.v16 import messages as m16
from ocppwire.v16 import types as t16
from ocppwire.v16 import station as station16

from ..loopback import eventually
from .peer import answering_peer, peer_response, peer_station, run_peer_csms

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def _wire_names(version: str) -> set[str]:
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties":
                    names.update(value)
                    for sub in value.values():
                        walk(sub)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in (SCHEMAS / version).glob("*.json"):
        if path.name != "actions.json":
            walk(json.loads(path.read_text(encoding="utf-8")))
    return names


def _round_trip(name: str) -> str:
    return next(iter(snake_to_camel_case(camel_to_snake_case({name: None}))))


def test_the_peer_renames_43_ocpp_21_field_names() -> None:
    """The peer converts every key camelCase -> snake_case for its application and back when it sends.
    For 43 of 2.1's property names that round trip gives another name, so the peer cannot send a
    payload holding them (its own schema check refuses its own message). No 1.6 or 2.0.1 name is
    affected. tests/interop/test_peer_versions expects exactly the actions whose payloads hold one."""
    mangled = {n: _round_trip(n) for n in _wire_names("v21") if _round_trip(n) != n}
    assert len(mangled) == 43
    assert mangled["soc"] == "SoC"  # 2.1 limitAtSoC.soc (2.0.1 has no lower-case soc)
    assert mangled["limit_L2"] == "limitL2"  # the per-phase names: the underscore is lost
    assert mangled["receiptUrl"] == "receiptURL"
    assert mangled["prioritizedEMAIDs"] != "prioritizedEMAIDs"
    assert mangled["fixedPF"] != "fixedPF"
    assert not [n for n in _wire_names("v16") | _wire_names("v201") if _round_trip(n) != n]


def test_the_peer_has_no_send_or_callresulterror_frame() -> None:
    """OCPP 2.1's SEND (6) and CALLRESULTERROR (5) do not exist in the peer: it knows types 2, 3, 4 and
    refuses a SEND as a PropertyConstraintViolation (a code about payload values, not frames)."""
    assert {int(v) for k, v in vars(ocpp.messages.MessageType).items() if not k.startswith("_")} == {2, 3, 4}
    try:
        ocpp.messages.unpack('[6,"s-1","NotifyPeriodicEventStream",{}]')
    except PropertyConstraintViolationError as exc:
        assert "MessageTypeId '6' isn't valid" in str(exc.details)
    else:
        raise AssertionError("the peer accepted a SEND frame")


async def test_v16_peer_hands_decimals_to_its_application_as_decimal() -> None:
    """1.6's decimal fields (multipleOf 0.1) reach the peer's handler as ``decimal.Decimal``, not ``float``
    (it parses them so to check multipleOf exactly); the value is the one we sent."""
    server = await csms16.serve(csms16.CsmsHandler(), "127.0.0.1", 0, options=ServerOptions())
    try:
        status = {"status": "Accepted"}
        peer_cls = answering_peer(["SetChargingProfile"], lambda a: peer_response(a, status, ocpp.v16.call_result), ocpp.v16.ChargePoint)
        async with peer_station(server.url, "PEER-DEC", peer_cls, "ocpp1.6") as cp:
            await eventually(lambda: "PEER-DEC" in server.stations)
            period = t16.ChargingSchedulePeriod(start_period=0, limit=16.5)
            schedule = t16.ChargingSchedule(charging_rate_unit=e16.ChargingRateUnit.A, charging_schedule_period=[period])
            profile = t16.CsChargingProfiles(
                charging_profile_id=1,
                stack_level=0,
                charging_profile_purpose=e16.ChargingProfilePurpose.TX_DEFAULT_PROFILE,
                charging_profile_kind=e16.ChargingProfileKind.ABSOLUTE,
                charging_schedule=schedule,
            )
            await server.stations["PEER-DEC"].set_charging_profile(
                m16.SetChargingProfileRequest(connector_id=1, cs_charging_profiles=profile)
            )
        limit = cp.received[0].kwargs["cs_charging_profiles"]["charging_schedule"]["charging_schedule_period"][0]["limit"]
        assert limit == decimal.Decimal("16.5") and isinstance(limit, decimal.Decimal)
    finally:
        await server.close(grace=1)


async def test_v16_peer_answers_a_missing_required_field_with_protocol_error() -> None:
    """A 1.6 CALL missing a required field, sent to the peer's 1.6 CSMS (with a BootNotification handler:
    without one it answers NotImplemented before validating): the peer answers ``ProtocolError``
    "Payload for Action is incomplete", where ocppwire's policy (and 1.6 §4.2.3, "payload for action is
    syntactically correct but at least one of the fields violates occurence constraints") says
    ``OccurenceConstraintViolation``. ocppwire reads whatever code arrives; the code is only a label."""
    peer_cls = answering_peer(["BootNotification"], lambda a: None, ocpp.v16.ChargePoint)
    async with run_peer_csms(peer_cls, "ocpp1.6") as peer:
        async with ws_connect(f"{peer.url}/RAW16", subprotocols=["ocpp1.6"], proxy=None) as ws:  # type: ignore[list-item]
            await ws.send('[2,"b-1","BootNotification",{"chargePointVendor":"V"}]')
            answer = json.loads(await ws.recv())
    assert answer[:4] == [4, "b-1", "ProtocolError", "Payload for Action is incomplete"], answer
    assert error_from_code(answer[2]).code is ErrorCode.PROTOCOL_ERROR
    # both 1.6 spellings are read as the 2.0.1 codes, from this peer as from any other
    assert error_from_code("OccurenceConstraintViolation").code is ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION
    assert error_from_code("FormationViolation").code is ErrorCode.FORMAT_VIOLATION


async def test_our_v16_station_gets_16_spelling_from_our_csms_and_the_peer_agrees() -> None:
    """Our 1.6 Central System answers a payload fault with 1.6's spelling, as the peer's 1.6 charge
    point expects (its exception for that code is ``OccurenceConstraintViolationError``)."""
    server = await csms16.serve(csms16.CsmsHandler(), "127.0.0.1", 0, options=ServerOptions())
    try:
        async with ws_connect(f"{server.url}/RAW16B", subprotocols=["ocpp1.6"], proxy=None) as ws:  # type: ignore[list-item]
            await ws.send('[2,"b-2","BootNotification",{"chargePointVendor":"V"}]')
            answer = json.loads(await ws.recv())
    finally:
        await server.close(grace=1)
    assert answer[:3] == [4, "b-2", "OccurenceConstraintViolation"], answer
    from ocpp.exceptions import OccurenceConstraintViolationError

    assert OccurenceConstraintViolationError.code == "OccurenceConstraintViolation"
    assert station16  # the same runtime serves our 1.6 station
