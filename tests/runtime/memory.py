"""A connection with no socket: the asyncio Session over the protocol core, fed and read in memory.

Policy and correlator rules live in the sans-I/O core; these tests drive them through the same
Session and role dispatch a real connection uses, without a WebSocket, so each case costs
microseconds instead of a handshake. Transport behaviour keeps its own socket tests.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ocppwire.runtime.codec import Codec
from ocppwire.runtime.connection_info import ConnectionInfo
from ocppwire.runtime.protocol import ProtocolConfig
from ocppwire.runtime.roles import RoleBinding
from ocppwire.runtime.session import Session
from ocppwire.v201 import csms


class MemoryConnection:
    """One side of a connection (a CSMS by default) whose peer is the test: frames in, frames out."""

    def __init__(
        self,
        handler: Any,
        binding: RoleBinding[Any, Any] = csms.BINDING,
        identity: str = "RAW1",
        config: ProtocolConfig | None = None,
    ) -> None:
        self.out: list[Any] = []
        self.closed_with: tuple[int, str] | None = None
        self.session = Session(
            Codec(binding.actions),
            self._send,
            lambda spec, request: self._dispatch(spec, request),
            identity=identity,
            config=config,
            close=self._close,
        )
        self.peer = binding.peer_type(self.session, ConnectionInfo(identity, binding.actions.subprotocol), self)
        self._dispatch = binding.dispatcher(handler, self.peer)
        self.session.after = binding.after_dispatcher(handler, self.peer)

    async def _send(self, data: bytes) -> None:
        self.out.append(json.loads(data))

    def _close(self, code: int, reason: str) -> None:
        self.closed_with = (code, reason)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed_with = (code, reason)
        self.session.close(reason)

    @property
    def stats(self) -> Any:
        return self.session.stats

    async def send(self, frame: str | bytes) -> None:
        await self.session.receive(frame)

    async def recv(self, rounds: int = 200) -> Any:
        for _ in range(rounds):
            if self.out:
                return self.out.pop(0)
            await asyncio.sleep(0)
        raise AssertionError("no answer")

    async def exchange(self, frame: str | bytes) -> Any:
        await self.send(frame)
        return await self.recv()

    async def expect_silence(self, rounds: int = 20) -> None:
        for _ in range(rounds):
            await asyncio.sleep(0)
        assert not self.out, f"unexpected frames: {self.out}"
