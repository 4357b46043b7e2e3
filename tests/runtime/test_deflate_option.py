"""The server's ``compression`` option: off, websockets' defaults, or a tuned permessage-deflate factory."""

from __future__ import annotations

from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.extensions.permessage_deflate import PerMessageDeflate, ServerPerMessageDeflateFactory

from ocppwire.runtime.deflate import DeflateSettings
from ocppwire.v201 import csms

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows


async def _negotiated(compression: Any) -> PerMessageDeflate | None:
    server = await csms.serve(csms.CsmsHandler(), "127.0.0.1", 0, options=csms.ServerOptions(compression=compression))
    try:
        async with ws_connect(f"{server.url}/CS1", subprotocols=["ocpp2.0.1"], compression="deflate") as ws:  # type: ignore[list-item]
            extensions = ws.protocol.extensions
            return extensions[0] if extensions else None  # type: ignore[return-value]
    finally:
        await server.close(grace=1)


async def test_deflate_settings_set_windows_and_memory() -> None:
    settings = DeflateSettings(server_max_window_bits=9, client_max_window_bits=9, mem_level=1)
    deflate = await _negotiated(settings)
    assert isinstance(deflate, PerMessageDeflate)
    assert deflate.remote_max_window_bits == 9 and deflate.local_max_window_bits == 9


async def test_deflate_settings_ask_for_no_context_takeover() -> None:
    deflate = await _negotiated(DeflateSettings(server_no_context_takeover=True, client_no_context_takeover=True))
    assert isinstance(deflate, PerMessageDeflate)
    assert deflate.local_no_context_takeover and deflate.remote_no_context_takeover


async def test_tuned_deflate_factory_sets_windows_and_memory(each_transport: str) -> None:
    if each_transport != "websockets":
        pytest.skip("a websockets ServerPerMessageDeflateFactory only configures the websockets transport")
    factory = ServerPerMessageDeflateFactory(
        server_max_window_bits=9, client_max_window_bits=9, compress_settings={"memLevel": 1}
    )
    deflate = await _negotiated(factory)
    assert isinstance(deflate, PerMessageDeflate)
    assert deflate.remote_max_window_bits == 9 and deflate.local_max_window_bits == 9


@pytest.mark.parametrize(("compression", "on"), [(True, True), (False, False)])
async def test_compression_switch(compression: bool, on: bool) -> None:
    deflate = await _negotiated(compression)
    assert (deflate is not None) is on
    if on:
        assert deflate is not None and deflate.local_max_window_bits == 12  # websockets' default
