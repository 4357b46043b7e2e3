"""Many stations against one CSMS, each calling and answering with echoes that prove correlation.

Every call in a fault run is a DataTransfer whose ``data`` is a token unique to that call, and
every handler echoes the token back. A caller that receives another call's token has been handed
the wrong answer — the :class:`~tests.reliability.ledger.Ledger` counts that as ``misrouted``.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Callable
from typing import Any

from ocppwire.runtime import RetryBackOff
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

from .ledger import Ledger

__all__ = ["EchoCsms", "EchoStation", "Workload", "echo_request", "start_fleet"]

VENDOR = "org.example.reliability"
ACCEPTED = e.DataTransferStatusEnumType.ACCEPTED


def echo_request(token: str) -> m.DataTransferRequest:
    return m.DataTransferRequest(vendor_id=VENDOR, message_id="echo", data=token)


def echoes(token: str) -> Callable[[m.DataTransferResponse], bool]:
    """The check that an answer carries this call's own token."""
    return lambda response: response.data == token


class EchoCsms(csms.CsmsHandler):
    """Echoes DataTransfer ``data`` after a random delay of up to ``max_delay`` seconds."""

    def __init__(self, max_delay: float = 0.0, seed: int = 1) -> None:
        self.max_delay = max_delay
        self.rng = random.Random(seed)
        self.answered = 0

    async def data_transfer(
        self, station: csms.ChargingStationClient, req: m.DataTransferRequest
    ) -> m.DataTransferResponse:
        if self.max_delay:
            await asyncio.sleep(self.rng.uniform(0, self.max_delay))
        self.answered += 1
        return m.DataTransferResponse(status=ACCEPTED, data=req.data)


class EchoStation(station.ChargingStationHandler):
    """The station side of the echo; counts its connections."""

    def __init__(self, max_delay: float = 0.0, seed: int = 1) -> None:
        self.max_delay = max_delay
        self.rng = random.Random(seed)
        self.connects = 0

    async def on_connect(self, csms: station.CsmsClient) -> None:
        self.connects += 1

    async def data_transfer(self, csms: station.CsmsClient, req: m.DataTransferRequest) -> m.DataTransferResponse:
        if self.max_delay:
            await asyncio.sleep(self.rng.uniform(0, self.max_delay))
        return m.DataTransferResponse(status=ACCEPTED, data=req.data)


async def start_fleet(
    url: str,
    count: int,
    *,
    prefix: str = "CS",
    backoff: RetryBackOff | None = None,
    handler_delay: float = 0.0,
    handler: Callable[[int], station.ChargingStationHandler] | None = None,
    batch: int = 50,
    **options: Any,
) -> list[station.StationConnection]:
    """Connect ``count`` stations (``prefix0000`` …) in batches; return once all are connected.

    Each answers echo DataTransfers after a random delay of up to ``handler_delay`` seconds, unless
    ``handler(i)`` makes the handler of station ``i``.
    """
    backoff = backoff or RetryBackOff(wait_minimum=0.05, random_range=0.25, repeat_times=3)
    clients: list[station.StationConnection] = []
    for start in range(0, count, batch):
        group = [
            station.connect(
                url,
                identity=f"{prefix}{i:04d}",
                handler=handler(i) if handler else EchoStation(handler_delay, seed=i),
                options=station.ClientOptions(backoff=backoff, **options),
            )
            for i in range(start, min(count, start + batch))
        ]
        await asyncio.gather(*(client.start() for client in group))
        clients.extend(group)
    return clients


class Workload:
    """Keeps one side calling: each loop makes one echo call per target and tracks it in a ledger."""

    def __init__(self, ledger: Ledger, name: str) -> None:
        self.ledger = ledger
        self.name = name
        self.running = True
        self._tokens = itertools.count()

    def token(self) -> str:
        return f"{self.name}-{next(self._tokens)}"

    async def station_loop(self, client: station.StationConnection, pause: float) -> None:
        """One station calling its CSMS with echo DataTransfers, across reconnects."""
        while self.running:
            try:
                peer = await asyncio.wait_for(client.wait_connected(), 1.0)
            except TimeoutError:
                continue
            token = self.token()
            await self.ledger.track(peer.data_transfer(echo_request(token)), echoes(token))
            await asyncio.sleep(pause)

    async def csms_loop(self, server: Callable[[], Any], pause: float) -> None:
        """The CSMS (``server()``: the one currently running) calling every connected station:
        one calling loop per connection, so each connection nearly always has a call in flight."""
        active: dict[Any, asyncio.Task[None]] = {}
        while self.running:
            for peer in list(server().stations.values()):
                if peer not in active:
                    active[peer] = asyncio.create_task(self._peer_loop(peer, pause))
            await asyncio.sleep(0.02)
        if active:
            await asyncio.wait(active.values())

    async def _peer_loop(self, peer: Any, pause: float) -> None:
        while self.running and peer.connected:
            token = self.token()
            await self.ledger.track(peer.data_transfer(echo_request(token)), echoes(token))
            await asyncio.sleep(pause)
