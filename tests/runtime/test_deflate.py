"""permessage-deflate (RFC 7692) of the picows transport: negotiation, the codec, bombs, and both transports
talking to each other compressed (picows CSMS with a websockets station and the other way round)."""

from __future__ import annotations

import datetime as dt
import zlib

import pytest

from ocppwire.runtime.deflate import (
    DeflateSettings,
    ExtensionRefusedError,
    MessageTooBigError,
    accept_response,
    client_offer,
    negotiate,
)
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

from ..loopback import eventually

DEFAULT = DeflateSettings()


def test_the_first_acceptable_offer_wins_and_a_bad_one_is_skipped() -> None:
    header = (
        "x-other, permessage-deflate; server_max_window_bits=8, permessage-deflate; foo=1, "
        "permessage-deflate; server_max_window_bits=10; client_max_window_bits=11"
    )
    agreed = negotiate(header, DEFAULT)
    assert agreed is not None
    answer, extension = agreed
    assert answer == "permessage-deflate; server_max_window_bits=10; client_max_window_bits=11"
    assert extension.local_bits == 10 and extension.remote_bits == 11


def test_without_client_max_window_bits_the_client_keeps_a_15_bit_window() -> None:
    agreed = negotiate("permessage-deflate", DEFAULT)
    assert agreed is not None
    assert "client_max_window_bits" not in agreed[0] and agreed[1].remote_bits == 15


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "x-webkit-deflate-frame",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; client_no_context_takeover=1",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    ],
)
def test_no_acceptable_offer_means_no_compression(header: str | None) -> None:
    assert negotiate(header, DEFAULT) is None


def test_client_offer_and_server_answer_agree_both_ways() -> None:
    settings = DeflateSettings(server_max_window_bits=9, client_max_window_bits=9, client_no_context_takeover=True)
    agreed = negotiate(client_offer(settings), settings)
    assert agreed is not None
    answer, server = agreed
    client = accept_response(answer, settings)
    assert client is not None and client.local_reset and server.remote_reset
    frame = b'[2,"1","MeterValues",{"evseId":1,"meterValue":[]}]'
    for _ in range(3):  # context takeover on the server side: the same stream goes on
        assert server.decompress(client.compress(frame) or b"", 1000) == frame
        assert client.decompress(server.compress(frame) or b"", 1000) == frame


@pytest.mark.parametrize(
    "answer",
    [
        "permessage-deflate; client_max_window_bits=8",
        "permessage-deflate; unknown",
        "x-other",
        "permessage-deflate, permessage-deflate",
    ],
)
def test_a_client_refuses_an_answer_it_did_not_allow(answer: str) -> None:
    with pytest.raises(ExtensionRefusedError):
        accept_response(answer, DEFAULT)


def test_a_decompression_bomb_stops_at_the_limit() -> None:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = deflater.compress(b" " * 50_000_000) + deflater.flush(zlib.Z_SYNC_FLUSH)
    agreed = negotiate("permessage-deflate", DEFAULT)
    assert agreed is not None and len(bomb) < 100_000
    with pytest.raises(MessageTooBigError):
        agreed[1].decompress(bomb[:-4], 2**20)


def test_a_corrupt_stream_is_a_zlib_error() -> None:
    agreed = negotiate("permessage-deflate", DEFAULT)
    assert agreed is not None
    with pytest.raises(zlib.error):
        agreed[1].decompress(b"\xff\xff\xff\xff garbage", 1000)


def test_short_messages_go_uncompressed_below_the_threshold() -> None:
    agreed = negotiate("permessage-deflate", DeflateSettings(compress_threshold=64))
    assert agreed is not None
    assert agreed[1].compress(b"[3,\"1\",{}]") is None
    assert agreed[1].compress(b"x" * 64) is not None


class _Csms(csms.CsmsHandler):
    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        return m.HeartbeatResponse(current_time=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))


class _Station(station.ChargingStationHandler):
    async def data_transfer(
        self, csms: station.CsmsClient, req: m.DataTransferRequest
    ) -> m.DataTransferResponse:
        return m.DataTransferResponse(status=e.DataTransferStatusEnumType.ACCEPTED, data=req.data)


@pytest.mark.parametrize(("server_transport", "client_transport"), [("picows", "websockets"), ("websockets", "picows")])
async def test_the_two_transports_talk_compressed(server_transport: str, client_transport: str) -> None:
    settings = DeflateSettings(server_max_window_bits=10, client_max_window_bits=10)
    server = await csms.serve(
        _Csms(), "127.0.0.1", 0, options=csms.ServerOptions(transport=server_transport, compression=settings)
    )
    try:
        options = station.ClientOptions(transport=client_transport, reconnect=False, compression=settings)
        async with station.connect(server.url, identity="CS1", handler=_Station(), options=options) as conn:
            await eventually(lambda: "CS1" in server.stations)
            peer = server.stations["CS1"]
            payload = "measurand:" + "Energy.Active.Import.Register," * 200  # compresses well, over many frames
            for i in range(20):
                answer = await peer.data_transfer(m.DataTransferRequest(vendor_id="V", data=f"{i}:{payload}"))
                assert answer.data == f"{i}:{payload}"
                assert (await conn.peer.heartbeat(m.HeartbeatRequest())).current_time.year == 2025
            picows_side = peer._link if server_transport == "picows" else conn.peer._link  # type: ignore[attr-defined]
            assert picows_side.channel._deflate is not None  # the extension was agreed, not skipped
    finally:
        await server.close(grace=1)


async def test_picows_refuses_a_websockets_deflate_factory() -> None:
    from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

    options = csms.ServerOptions(transport="picows", compression=ServerPerMessageDeflateFactory())
    with pytest.raises(TypeError, match="DeflateSettings"):
        await csms.serve(csms.CsmsHandler(), "127.0.0.1", 0, options=options)


@pytest.mark.parametrize("compression", ["deflate", None])
async def test_fragmented_messages_are_reassembled(each_transport: str, compression: str | None) -> None:
    from websockets.asyncio.client import connect as ws_connect

    server = await csms.serve(_Csms(), "127.0.0.1", 0, options=csms.ServerOptions(max_message_size=4096))
    try:
        async with ws_connect(
            f"{server.url}/CS1", subprotocols=["ocpp2.0.1"], compression=compression  # type: ignore[list-item]
        ) as ws:
            await ws.send(['[2,"f1",', '"Heartbeat",', "{}]"])  # one message in three frames
            assert '"currentTime"' in str(await ws.recv())
            too_big = ['[2,"f2","Heartbeat",{"x":"', "y" * 3000, "y" * 3000, '"}]']
            await ws.send(too_big)  # over max_message_size only once reassembled
            await ws.wait_closed()
            assert ws.close_code == 1009
    finally:
        await server.close(grace=1)
