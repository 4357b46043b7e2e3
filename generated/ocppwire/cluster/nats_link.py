"""The one NATS connection a cluster process keeps, and what it does when NATS goes away and comes back.

nats-py reconnects by itself (forever, ``reconnect_wait`` apart) and resubscribes; what it does not do is
fail the requests that were in flight when the connection dropped — they would wait for their timeout.
:class:`NatsLink` tracks in-flight requests and fails them at once with
:class:`~.errors.ClusterUnavailableError`, and runs the owner's callbacks on disconnect and reconnect
(a node rewrites its presence entries then).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import nats
import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg

from .config import ClusterConfig
from .errors import ClusterUnavailableError

__all__ = ["NatsLink"]

log = logging.getLogger("ocppwire.cluster")

Callback = Callable[[], Awaitable[None]]


class NatsLink:
    """A connected NATS client plus in-flight request tracking."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._inflight: set[asyncio.Task[Msg]] = set()
        self._lost: set[asyncio.Task[Msg]] = set()
        self.on_disconnect: list[Callback] = []
        self.on_reconnect: list[Callback] = []
        self._closing = False

    @classmethod
    async def connect(cls, config: ClusterConfig, name: str) -> NatsLink:
        """Connect to ``config.servers`` (raises ``ClusterUnavailableError`` if none answers in time)."""
        link: NatsLink | None = None

        async def disconnected() -> None:
            if link is not None:
                await link._disconnected()

        async def reconnected() -> None:
            if link is not None:
                await link._reconnected()

        async def error(exc: Exception) -> None:
            log.debug("NATS: %s", exc)

        try:
            # With reconnects allowed forever nats-py would also retry the *first* connection forever.
            client = await asyncio.wait_for(nats.connect(
                servers=list(config.servers),
                name=name,
                connect_timeout=config.connect_timeout,
                reconnect_time_wait=config.reconnect_wait,
                max_reconnect_attempts=-1,
                allow_reconnect=True,
                disconnected_cb=disconnected,
                reconnected_cb=reconnected,
                error_cb=error,
                **config.connect_options,
            ), config.connect_timeout)
        except (OSError, nats.errors.Error, asyncio.TimeoutError) as exc:
            raise ClusterUnavailableError(f"cannot connect to NATS at {config.server_hosts}: {type(exc).__name__}") from None
        link = cls(client)
        return link

    @property
    def connected(self) -> bool:
        return bool(self.client.is_connected)

    async def request(self, subject: str, data: bytes, headers: dict[str, str], timeout: float) -> Msg:
        """A NATS request that fails with ``ClusterUnavailableError`` as soon as the connection drops.

        Raises ``nats.errors.NoRespondersError`` when nobody subscribes to ``subject`` and
        ``nats.errors.TimeoutError`` when no answer came within ``timeout``.
        """
        if not self.client.is_connected:
            raise ClusterUnavailableError("not connected to NATS")
        task = asyncio.ensure_future(self.client.request(subject, data, timeout=timeout, headers=headers))
        self._inflight.add(task)
        try:
            return await task
        except asyncio.CancelledError:
            if task in self._lost:
                raise ClusterUnavailableError("the connection to NATS was lost while the call was in flight") from None
            raise
        finally:
            self._inflight.discard(task)
            self._lost.discard(task)

    async def _disconnected(self) -> None:
        if self._closing:
            return
        log.warning("NATS connection lost; %d request(s) in flight fail", len(self._inflight))
        for task in list(self._inflight):
            self._lost.add(task)
            task.cancel()
        for callback in self.on_disconnect:
            await callback()

    async def _reconnected(self) -> None:
        log.info("NATS connection restored (%s)", self.client.connected_url.netloc if self.client.connected_url else "")
        for callback in self.on_reconnect:
            try:
                await callback()
            except Exception:
                log.exception("after reconnecting to NATS")

    async def close(self) -> None:
        """Drain and close the connection."""
        self._closing = True
        if self.client.is_closed:
            return
        try:
            await self.client.drain()
        except (nats.errors.Error, OSError, asyncio.TimeoutError):
            await self.client.close()
