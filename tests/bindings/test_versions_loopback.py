"""Every CALL action of OCPP 1.6 and 2.1 through the generated role stubs, over real sockets.

For each version a CSMS (1.6: Central System) and a station (1.6: Charge Point) are connected on
127.0.0.1 with the version's subprotocol. Handlers answering every action are built from the
generated ``BINDING`` tables; each side then sends every action it may send with a minimal valid
request and must get back the minimal valid response, typed. (2.0.1 has the same test in
tests/runtime.) SEND-frame actions (2.1's NotifyPeriodicEventStream) need the runtime's SEND
support and are not covered here.
"""

from __future__ import annotations

import asyncio
import json
import types as pytypes
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

from ocppwire import decode
from ocppwire.runtime.actions import Role
from ocppwire.v16 import csms as csms16
from ocppwire.v16 import station as station16
from ocppwire.v21 import csms as csms21
from ocppwire.v21 import station as station21

from .strategies import minimal

VERSIONS = {"v16": (csms16, station16, "ocpp1.6"), "v21": (csms21, station21, "ocpp2.1")}


def sample(tp: type[msgspec.Struct]) -> Any:
    """The minimal valid instance of a generated message type."""
    return decode(tp, json.dumps(minimal(mi.type_info(tp))))


def answering(base: type, binding: Any) -> Any:
    """An instance of ``base`` whose handler method for every received action returns a minimal response."""

    def method(response: type[msgspec.Struct]) -> Any:
        async def handle(self: Any, peer: Any, req: Any) -> Any:
            self.seen.append(type(req).__name__)
            return sample(response)

        return handle

    def frame() -> Any:
        async def receive(self: Any, peer: Any, req: Any) -> None:
            self.seen.append(type(req).__name__)

        return receive

    namespace: dict[str, Any] = {"seen": None}
    for action, name in binding.methods.items():
        sent_as_frame = action in binding.actions.sends
        namespace[name] = frame() if sent_as_frame else method(binding.actions[action].response)
    cls = pytypes.new_class("Answering" + base.__name__, (base,), exec_body=lambda ns: ns.update(namespace))
    handler = cls()
    handler.seen = []
    return handler


@pytest.mark.parametrize("version", sorted(VERSIONS))
async def test_every_action_through_the_stubs(version: str) -> None:
    csms_mod, station_mod, subprotocol = VERSIONS[version]
    assert csms_mod.BINDING.actions.subprotocol == subprotocol
    csms_handler = answering(csms_mod.CsmsHandler, csms_mod.BINDING)
    station_handler = answering(station_mod.ChargingStationHandler, station_mod.BINDING)
    server = await csms_mod.serve(csms_handler, "127.0.0.1", 0)
    try:
        conn = station_mod.connect(
            server.url, identity="CS1", handler=station_handler, options=station_mod.ClientOptions(reconnect=False)
        )
        async with asyncio.timeout(60):
            await conn
            try:
                while "CS1" not in server.stations:
                    await asyncio.sleep(0.01)
                actions = csms_mod.BINDING.actions
                station_sends = sorted(actions.sent_by(Role.CHARGING_STATION))
                csms_sends = sorted(actions.sent_by(Role.CSMS))
                for peer, names in ((conn.peer, station_sends), (server.stations["CS1"], csms_sends)):
                    for name in names:
                        spec = actions[name]
                        method = getattr(peer, station_mod.BINDING.methods.get(name) or csms_mod.BINDING.methods[name])
                        response = await method(sample(spec.request))
                        assert type(response) is spec.response, name
                for name in sorted(actions.frames_sent_by(Role.CHARGING_STATION)):  # SEND frames (2.1): no answer
                    frame_spec = actions.sends[name]
                    assert (
                        await getattr(
                            conn.peer, station_mod.BINDING.methods.get(name) or csms_mod.BINDING.methods[name]
                        )(sample(frame_spec.payload))
                        is None
                    )
                    while frame_spec.payload.__name__ not in csms_handler.seen:
                        await asyncio.sleep(0.01)
            finally:
                await conn.close(grace=1)
    finally:
        await server.close(grace=1)
    frames = [actions.sends[n].payload.__name__ for n in actions.frames_sent_by(Role.CHARGING_STATION)]
    expected_csms = sorted([actions[n].request.__name__ for n in station_sends] + frames)
    expected_station = sorted(actions[n].request.__name__ for n in csms_sends)
    assert sorted(csms_handler.seen) == expected_csms
    assert sorted(station_handler.seen) == expected_station
    # DataTransfer both ways; 2.1's NotifyPeriodicEventStream as a SEND frame
    assert len(expected_csms) + len(expected_station) == {"v16": 40, "v21": 92}[version]
