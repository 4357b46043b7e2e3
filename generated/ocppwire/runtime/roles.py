"""Role-generic machinery behind the generated ``csms`` / ``station`` stubs.

The generated modules only declare *what* each role sends and receives, with precise types:

- a :class:`Peer` subclass — the typed client for the other end (``ChargingStationClient`` on the
  CSMS side, ``CsmsClient`` on the station side), one method per action this role sends;
- a :class:`RoleHandler` subclass — one method per action this role receives, each raising
  ``NotSupported`` until the application overrides it;
- a :class:`RoleBinding` tying both to the action registry and naming the handler method of every
  received action.

Everything else — turning an incoming request into a method call, deciding that a method which
was not overridden means "no handler" (CALLERROR ``NotSupported``), sending typed calls — lives
here once, for every OCPP version and role.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from .actions import ActionRegistry, ActionSpec, Role, SendSpec
from .connection_info import ConnectionInfo
from .datatransfer import DataTransferRegistry
from .errors import NotSupportedError
from .handler_check import check_handler_class
from .session import After, Dispatch, Session, SessionStats
from .signing import SignedBy

__all__ = ["AFTER_PREFIX", "Peer", "PeerT", "RoleBinding", "RoleHandler"]

ReqT = TypeVar("ReqT")
ResT = TypeVar("ResT")


class _Link(Protocol):
    """What a peer needs from its connection: a way to close it."""

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


class Peer:
    """The other end of one OCPP-J connection, as seen by the application.

    Generated subclasses add one typed coroutine per action this side may send; :meth:`call`
    sends any action (for example a vendor's own registry entry). A peer belongs to exactly one
    connection: after a reconnect there is a new peer object.
    """

    def __init__(self, session: Session, info: ConnectionInfo, link: _Link) -> None:
        self._session = session
        self._link = link
        self.info = info
        self.state: dict[str, Any] = {}
        """Free space for the application (e.g. the station's boot data), kept for this connection."""

    @property
    def identity(self) -> str:
        """The Charging Station identity of this connection."""
        return self.info.identity

    @property
    def connected(self) -> bool:
        """False once the connection has closed."""
        return not self._session.closed

    @property
    def stats(self) -> SessionStats:
        """This connection's counters (calls, timeouts, dropped frames ...)."""
        return self._session.stats

    @property
    def actions(self) -> ActionRegistry:
        """The action registry of this connection's OCPP version."""
        return self._session.codec.actions

    @property
    def data_transfer_registry(self) -> DataTransferRegistry:
        """The DataTransfer registry this connection's codec types ``data`` with."""
        return self._session.codec.data_transfer

    @property
    def session(self) -> Session:
        """The correlator of this connection (for advanced use and tests)."""
        return self._session

    async def call(
        self, spec: ActionSpec[ReqT, ResT], request: ReqT, *, timeout: float | None = None, sign: bool | None = None
    ) -> ResT:
        """Send ``request`` as a CALL of ``spec`` and return the typed response (see :meth:`Session.call`).

        ``sign=True`` sends it as ``<Action>-Signed`` (the connection needs a signer), ``False`` plain;
        ``None`` follows the connection's ``signing.sign_calls``."""
        return await self._session.call(spec, request, timeout=timeout, sign=sign)

    async def call_with_signature(
        self, spec: ActionSpec[ReqT, ResT], request: ReqT, *, timeout: float | None = None, sign: bool | None = True
    ) -> tuple[ResT, SignedBy | None]:
        """Send a signed CALL (unless ``sign=False``) and return the typed response and who signed it
        (``None`` when the peer answered unsigned; see :meth:`Session.call_with_signature`)."""
        return await self._session.call_with_signature(spec, request, timeout=timeout, sign=sign)

    async def send(self, spec: SendSpec[ReqT], payload: ReqT) -> None:
        """Send ``payload`` as a SEND frame (OCPP 2.1): written at once, never answered."""
        await self._session.send(spec, payload)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close this connection (WebSocket close code and reason)."""
        await self._link.close(code, reason)

    def __repr__(self) -> str:
        state = "connected" if self.connected else "closed"
        return f"<{type(self).__name__} {self.identity!r} {state}>"


PeerT = TypeVar("PeerT", bound=Peer)


class RoleHandler(Generic[PeerT]):
    """Base of the generated handler classes: connection hooks shared by both roles.

    Handler methods and hooks run concurrently with the connection's receive loop, so they may
    await calls to the peer (for example a CSMS sending GetVariables from :meth:`on_connect`).
    """

    async def on_connect(self, peer: PeerT) -> None:
        """Called once a connection is open (after the handshake), before or while it is used."""

    async def on_disconnect(self, peer: PeerT) -> None:
        """Called once a connection has closed; its pending calls have already failed."""


HandlerT = TypeVar("HandlerT", bound=RoleHandler[Any])

_Impl = Callable[[Any, Any, Any], Awaitable[Any]]
_AfterImpl = Callable[[Any, Any, Any, Any], Awaitable[None]]

AFTER_PREFIX = "after_"
"""``after_<handler method>``: the hook a handler overrides to act once its answer has been sent."""


@dataclass(frozen=True, eq=False)
class RoleBinding(Generic[PeerT, HandlerT]):
    """One role of one OCPP version: its registry, peer client type, handler base and method names.

    ``methods`` maps every action this role receives to the handler method answering it.
    """

    role: Role
    actions: ActionRegistry
    peer_type: type[PeerT]
    handler_type: type[HandlerT]
    methods: Mapping[str, str]
    _tables: dict[type[Any], dict[str, _Impl]] = field(default_factory=dict, repr=False)
    _after_tables: dict[type[Any], dict[str, _AfterImpl]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        expected = self.actions.received_by(self.role) | self.actions.frames_received_by(self.role)
        if set(self.methods) != expected:
            raise ValueError(f"{self.role} handler methods do not match the actions it receives")
        for method in self.methods.values():
            if not inspect.iscoroutinefunction(getattr(self.handler_type, method, None)):
                raise TypeError(f"{self.handler_type.__name__}.{method} must be an async method")

    def implemented(self, handler_class: type[Any]) -> dict[str, _Impl]:
        """The actions ``handler_class`` really handles: those whose method it overrides."""
        table = self._tables.get(handler_class)
        if table is None:
            table = {}
            for action, method in self.methods.items():
                impl = getattr(handler_class, method)
                if impl is not getattr(self.handler_type, method):
                    if not inspect.iscoroutinefunction(impl):
                        raise TypeError(f"{handler_class.__name__}.{method} must be an async method")
                    table[action] = impl
            self._tables[handler_class] = table
        return table

    def after_hooks(self, handler_class: type[Any]) -> dict[str, _AfterImpl]:
        """The actions whose ``after_<method>`` hook ``handler_class`` overrides (the generated base
        declares one per received action, doing nothing)."""
        table = self._after_tables.get(handler_class)
        if table is None:
            table = {}
            for action, method in self.methods.items():
                name = AFTER_PREFIX + method
                base = getattr(self.handler_type, name, None)
                impl = getattr(handler_class, name, None)
                if base is not None and impl is not None and impl is not base:
                    if not inspect.iscoroutinefunction(impl):
                        raise TypeError(f"{handler_class.__name__}.{name} must be an async method")
                    table[action] = impl
            self._after_tables[handler_class] = table
        return table

    def check_handler(self, handler: object) -> None:
        """Raise ``TypeError`` early when ``handler`` is not a handler of this role."""
        if not isinstance(handler, self.handler_type):
            raise TypeError(f"handler must be a {self.handler_type.__name__}, got {type(handler).__name__}")
        self.implemented(type(handler))
        check_handler_class(type(handler), self.handler_type, self.methods)
        self.after_hooks(type(handler))

    def after_dispatcher(self, handler: HandlerT, peer: PeerT) -> After | None:
        """The :data:`After` function running ``handler``'s ``after_*`` hooks, or ``None`` without any."""
        table = self.after_hooks(type(handler))
        if not table:
            return None

        def after(spec: ActionSpec[Any, Any], request: Any, response: Any) -> Awaitable[None] | None:
            impl = table.get(spec.name)
            return None if impl is None else impl(handler, peer, request, response)

        return after

    def dispatcher(self, handler: HandlerT, peer: PeerT) -> Dispatch:
        """The :data:`Dispatch` function routing ``peer``'s requests to ``handler``'s methods."""
        table = self.implemented(type(handler))
        role = self.role.value

        def dispatch(spec: ActionSpec[Any, Any] | SendSpec[Any], request: Any) -> Awaitable[Any]:
            # Returns the handler's coroutine rather than awaiting it in a wrapper of its own: one
            # coroutine less per incoming CALL. An unsupported action raises here, at call time.
            impl = table.get(spec.name)
            if impl is None:
                raise NotSupportedError(f"{spec.name} is not supported by this {role}")
            return impl(handler, peer, request)

        return dispatch
