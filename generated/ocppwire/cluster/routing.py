"""Calls to any station of the cluster, from any node or from a process that holds no connection.

``cluster.stations["CS001"]`` is a typed client of the same class family as a local
``server.stations["CS001"]`` (a subclass of the generated ``ChargingStationClient``), so
``await cluster.stations["CS001"].reset(req)`` returns ``ResetResponse`` or raises what a local call
raises. How a call travels:

1. On a node that holds the station itself, the call goes straight to the local connection.
2. Otherwise the holding node is read from presence (and remembered), and the call is a NATS request
   to that node (:mod:`.rpc`), which makes it through the station's own session — so the
   one-call-in-flight rule per station holds cluster-wide, as do the queue bound and the timeout.
3. A node that no longer holds the station answers "not connected" and NATS answers "no responders"
   for a node that has gone: presence is read once more, and if it names no other node the caller gets
   :class:`~.errors.StationNotConnectedError` at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

import nats.errors
import nats.js.errors
from nats.aio.msg import Msg

from ..runtime.actions import ActionRegistry, ActionSpec
from ..runtime.connection_info import ConnectionInfo
from ..runtime.exceptions import CallTimeoutError, ConnectionClosedError
from ..runtime.payload import encode
from ..runtime.roles import Peer, PeerT, RoleBinding
from ..runtime.session import Session, SessionStats
from . import rpc
from .errors import ClusterUnavailableError, StationNotConnectedError
from .nats_link import NatsLink
from .presence import Presence
from .subjects import Names

__all__ = ["ClusterStations", "RemotePeer", "Router"]

ReqT = TypeVar("ReqT")
ResT = TypeVar("ResT")

log = logging.getLogger("ocppwire.cluster")

_MAX_REMEMBERED = 200_000
"""Identity -> node routes kept in memory (the table is cleared when it grows past this)."""

LocalLookup = Callable[[str], "Peer | None"]


class Router:
    """Routes calls for one OCPP version's types to whichever node holds each station."""

    def __init__(
        self,
        link: NatsLink,
        presence: Presence,
        names: Names,
        actions: ActionRegistry,
        *,
        call_timeout: float,
        call_grace: float,
        probe_interval: float = 1.0,
        local: LocalLookup | None = None,
    ) -> None:
        self._link = link
        self._presence = presence
        self._names = names
        self.actions = actions
        self.call_timeout = call_timeout
        self._grace = call_grace
        self._probe = probe_interval
        self._local = local
        self._routes: dict[str, str] = {}

    async def call(self, identity: str, spec: ActionSpec[ReqT, ResT], request: ReqT, timeout: float | None) -> ResT:
        """Make ``spec`` with ``request`` on station ``identity`` wherever it is connected."""
        if self._local is not None:
            peer = self._local(identity)
            if peer is not None and peer.connected:
                return await peer.call(spec, request, timeout=timeout)
        if not self._link.connected:
            raise ClusterUnavailableError(f"cannot send {spec.name} to {identity}: not connected to NATS")
        timeout = self.call_timeout if timeout is None else timeout
        data = encode(request)
        headers = rpc.call_headers(spec, self.actions.subprotocol, timeout)
        node = self._routes.get(identity)
        fresh = False
        if node is None:
            node, fresh = await self._where(identity, spec), True
        while True:
            try:
                msg = await self._watched(node, identity, spec, data, headers, timeout)
            except nats.errors.NoRespondersError:
                reply = None
                why = "the node that held it has gone"
            except nats.errors.TimeoutError:
                raise CallTimeoutError(spec.name, "", timeout) from None
            else:
                if msg.headers is None or msg.headers.get(rpc.STATUS) != rpc.NOT_CONNECTED:
                    self._remember(identity, node)
                    return rpc.raise_or_return(spec, identity, msg.headers, msg.data)
                reply = msg
                why = "no node holds a connection"
            self._routes.pop(identity, None)
            if fresh:
                raise StationNotConnectedError(identity, spec.name, why if reply is None else "no node holds a connection")
            previous, node, fresh = node, await self._where(identity, spec), True
            if node == previous:
                raise StationNotConnectedError(identity, spec.name, why)

    async def _watched(
        self, node: str, identity: str, spec: ActionSpec[Any, Any], data: bytes, headers: dict[str, str], timeout: float
    ) -> Msg:
        """The routed request, probing the holding node every ``probe_interval`` while it waits: a node that
        died with the call in flight would otherwise leave the caller waiting for the whole timeout."""
        request = asyncio.ensure_future(self._link.request(self._names.call(node, identity), data, headers, timeout + self._grace))
        try:
            while True:
                done, _ = await asyncio.wait([request], timeout=self._probe)
                if done:
                    return request.result()
                try:
                    await self._link.request(self._names.ping(node), b"", {}, self._probe)
                except nats.errors.NoRespondersError:
                    raise ConnectionClosedError(
                        f"{identity}: the node holding it went away while {spec.name} was in flight (outcome unknown)"
                    ) from None
                except nats.errors.TimeoutError:
                    pass  # a slow node: the call's own timeout decides
        finally:
            if not request.done():
                request.cancel()

    async def _where(self, identity: str, spec: ActionSpec[Any, Any]) -> str:
        try:
            entry = await self._presence.lookup(identity)
        except (nats.errors.Error, nats.js.errors.Error, asyncio.TimeoutError) as exc:
            raise ClusterUnavailableError(f"cannot read presence of {identity}: {exc}") from exc
        if entry is None:
            raise StationNotConnectedError(identity, spec.name)
        return entry.node

    def _remember(self, identity: str, node: str) -> None:
        if len(self._routes) >= _MAX_REMEMBERED:
            self._routes.clear()
        self._routes[identity] = node

    def forget(self, identity: str) -> None:
        """Drop the remembered route of ``identity`` (presence changed)."""
        self._routes.pop(identity, None)


class RemotePeer(Peer):
    """A station of the cluster seen through the :class:`Router`: a :class:`Peer` without a local session.

    ``call`` (and so every generated typed method) is routed; ``connected`` is unknown locally and is
    ``True`` (a call tells); ``close`` is refused: connections are closed by the node holding them.
    """

    _router: Router

    def __init__(self, router: Router, identity: str) -> None:  # noqa: D107 - no Session: nothing local
        self._router = router
        self.info = ConnectionInfo(identity=identity, subprotocol=router.actions.subprotocol)
        self.state: dict[str, Any] = {}

    @property
    def connected(self) -> bool:
        return True

    @property
    def stats(self) -> SessionStats:
        raise AttributeError("a remote station has no local session")

    @property
    def session(self) -> Session:
        raise AttributeError("a remote station has no local session")

    @property
    def actions(self) -> ActionRegistry:
        return self._router.actions

    async def call(
        self, spec: ActionSpec[ReqT, ResT], request: ReqT, *, timeout: float | None = None, sign: bool | None = None
    ) -> ResT:
        if sign:  # the holding node signs with its own key; a routed call cannot ask for it
            raise ValueError("a call routed through the cluster cannot be signed: call it on the holding node")
        return await self._router.call(self.info.identity, spec, request, timeout)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        raise NotImplementedError("only the node holding a connection closes it")

    def __repr__(self) -> str:
        return f"<remote {type(self).__mro__[2].__name__} {self.identity!r}>"


_remote_types: dict[type[Any], type[Any]] = {}


def remote_peer_type(peer_type: type[PeerT]) -> type[PeerT]:
    """The routed variant of a generated peer class (``ChargingStationClient`` -> its remote subclass)."""
    cls = _remote_types.get(peer_type)
    if cls is None:
        cls = _remote_types[peer_type] = type(f"Remote{peer_type.__name__}", (RemotePeer, peer_type), {})
    return cls


class ClusterStations(Generic[PeerT]):
    """``stations[identity]``: the typed, routed client of any station of the cluster.

    Indexing never does I/O and never fails: whether the station is connected is learnt by calling it
    (``StationNotConnectedError``) or with :meth:`where`.
    """

    def __init__(self, binding: RoleBinding[PeerT, Any], router: Router) -> None:
        # A RemotePeer subclass of the generated peer class: built from the router, not from a session.
        self._make = cast(Callable[[Router, str], PeerT], remote_peer_type(binding.peer_type))
        self._router = router

    def __getitem__(self, identity: str) -> PeerT:
        return self._make(self._router, identity)
