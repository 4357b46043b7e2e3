"""Action descriptors and the registry generated bindings fill in.

OCPP schemas say what a request and a response look like but not who sends them; the generated
``actions`` module states it with one :class:`ActionSpec` per action, collected in an
:class:`ActionRegistry` that the codec, the correlator and the role stubs all read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

__all__ = ["ActionRegistry", "ActionSpec", "Direction", "RPC_EXTENSIONS", "Role", "SendSpec"]

RPC_EXTENSIONS = frozenset({"2.1"})
"""OCPP versions whose RPC framework has SEND and CALLRESULTERROR frames besides CALL, CALLRESULT, CALLERROR."""


class Role(StrEnum):
    """The two ends of an OCPP-J connection."""

    CSMS = "CSMS"
    CHARGING_STATION = "ChargingStation"


class Direction(StrEnum):
    """Who sends an action's request."""

    STATION_TO_CSMS = "StationToCsms"
    CSMS_TO_STATION = "CsmsToStation"
    BOTH = "Both"

    def sent_by(self, role: Role) -> bool:
        """True when ``role`` may send this action's request."""
        if self is Direction.BOTH:
            return True
        return (self is Direction.STATION_TO_CSMS) == (role is Role.CHARGING_STATION)


ReqT = TypeVar("ReqT")
ResT = TypeVar("ResT")


@dataclass(frozen=True, slots=True)
class ActionSpec(Generic[ReqT, ResT]):
    """One action: its wire name, request and response payload types and direction."""

    name: str
    request: type[ReqT]
    response: type[ResT]
    direction: Direction

    def sent_by(self, role: Role) -> bool:
        """True when ``role`` may send this action's request."""
        return self.direction.sent_by(role)


@dataclass(frozen=True, slots=True)
class SendSpec(Generic[ReqT]):
    """An action sent as a SEND frame (OCPP 2.1): a payload type and a direction, and never an answer."""

    name: str
    payload: type[ReqT]
    direction: Direction

    def sent_by(self, role: Role) -> bool:
        """True when ``role`` may send this action."""
        return self.direction.sent_by(role)


class ActionRegistry(Mapping[str, ActionSpec[Any, Any]]):
    """The actions of one OCPP version by wire name, with per-role views.

    The mapping holds the request/response actions; ``sends`` those sent as SEND frames (OCPP 2.1),
    which have a payload but no response.
    """

    def __init__(
        self,
        specs: Iterable[ActionSpec[Any, Any]],
        *,
        ocpp_version: str,
        subprotocol: str,
        sends: Iterable[SendSpec[Any]] = (),
    ) -> None:
        self._by_name: dict[str, ActionSpec[Any, Any]] = {}
        self._by_request: dict[type[Any], ActionSpec[Any, Any]] = {}
        for spec in specs:
            if spec.name in self._by_name:
                raise ValueError(f"action {spec.name!r} listed twice")
            self._by_name[spec.name] = spec
            self._by_request[spec.request] = spec
        self.ocpp_version = ocpp_version
        self.subprotocol = subprotocol
        self.rpc_extensions = ocpp_version in RPC_EXTENSIONS
        """Whether SEND and CALLRESULTERROR frames exist in this version."""
        self.sends: dict[str, SendSpec[Any]] = {}
        for send in sends:
            if send.name in self.sends or send.name in self._by_name:
                raise ValueError(f"action {send.name!r} listed twice")
            self.sends[send.name] = send
        if self.sends and not self.rpc_extensions:
            raise ValueError(f"OCPP {ocpp_version} has no SEND frames")

    def __getitem__(self, name: str) -> ActionSpec[Any, Any]:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def for_request(self, request_type: type[Any]) -> ActionSpec[Any, Any]:
        """The action whose request payload type is ``request_type``."""
        return self._by_request[request_type]

    def sent_by(self, role: Role) -> frozenset[str]:
        """Names of the actions whose request ``role`` sends (CALLs; see :meth:`frames_sent_by` for SENDs)."""
        return frozenset(n for n, s in self._by_name.items() if s.sent_by(role))

    def frames_sent_by(self, role: Role) -> frozenset[str]:
        """Names of the SEND-frame actions (OCPP 2.1) that ``role`` sends."""
        return frozenset(n for n, s in self.sends.items() if s.sent_by(role))

    def frames_received_by(self, role: Role) -> frozenset[str]:
        """Names of the SEND-frame actions (OCPP 2.1) that ``role`` receives."""
        other = Role.CSMS if role is Role.CHARGING_STATION else Role.CHARGING_STATION
        return self.frames_sent_by(other)

    def received_by(self, role: Role) -> frozenset[str]:
        """Names of the actions whose request ``role`` receives."""
        other = Role.CSMS if role is Role.CHARGING_STATION else Role.CHARGING_STATION
        return self.sent_by(other)
