"""Fault injection: crash a CSMS without a goodbye, and a TCP proxy that cuts or kills links silently.

The runtime's own ``close()`` paths are polite (close frames, grace periods). Real faults are not:
a CSMS process dies and the kernel resets its sockets; a mobile link goes silent and neither end
hears a FIN. These helpers reproduce both on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

__all__ = ["FaultyProxy", "crash"]


async def crash(server: Any) -> None:
    """Stop a running ``csms.serve`` server the way a killed process would.

    The listening socket closes and every connection's TCP transport is aborted (RST, no WebSocket
    close frame), so stations see the connection vanish mid-call. The CSMS's own sessions see the
    same thing and fail their pending calls. Uses the servers underneath (``server._ws``, one per
    listening socket: websockets servers or asyncio servers for picows) and the open connections: the
    public API only offers graceful shutdown.
    """
    for listener in server._ws:
        if hasattr(listener, "connections"):  # websockets
            listener.close(close_connections=False)
            for connection in list(listener.connections):
                connection.transport.abort()
        else:  # picows: an asyncio server stops listening and leaves its connections alone
            listener.close()
    for connection in list(server._connections.values()):
        connection.abort()
    await server.close(grace=0)


class _Link:
    __slots__ = ("client", "upstream", "dead")

    def __init__(self, client: asyncio.StreamWriter, upstream: asyncio.StreamWriter, dead: bool) -> None:
        self.client = client
        self.upstream = upstream
        self.dead = dead


class FaultyProxy:
    """A loopback TCP proxy in front of a server that can cut links (RST) or kill them silently.

    ``network_down()`` turns every current link into a *dead* one: its sockets stay open but it
    forwards nothing and never closes — the half-open connection of a mobile link that vanished;
    only WebSocket pings (or a replacing connection) can reveal it. Links opened while the network
    is down are dead too. ``network_up()`` lets new links through; dead links stay dead, as a
    vanished TCP path does. ``cut()`` aborts every live link at once (both ends see a reset).
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.down = False
        self.port = 0
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FaultyProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for link in list(self._links):
            link.client.transport.abort()
            link.upstream.transport.abort()
        for task in set(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def network_down(self) -> None:
        self.down = True
        for link in self._links:
            link.dead = True

    def network_up(self) -> None:
        self.down = False

    def cut(self) -> None:
        for link in [link for link in self._links if not link.dead]:
            link.client.transport.abort()
            link.upstream.transport.abort()
            self._links.discard(link)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        link = _Link(writer, up_writer, dead=self.down)
        self._links.add(link)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(source, sink, link))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, link: _Link) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await source.read(65536):
                if link.dead:
                    continue  # swallowed: the other end never hears of it
                sink.write(data)
                await sink.drain()
        if not link.dead:  # a clean end on one side ends the other; a dead link stays silent
            link.client.close()
            link.upstream.close()
            self._links.discard(link)
