"""The WebSocket transport: handshake rules, authentication, TLS profiles, duplicates, reconnects, shutdown."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import ServerConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from ocppwire.runtime import tls
from ocppwire.runtime.backoff import RetryBackOff
from ocppwire.runtime.exceptions import ConnectionClosedError, ConnectionRejectedError
from ocppwire.runtime.handshake import AuthRequest, HandshakeRejectedError, identity_from_path
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

from .certs import make_pki
from ..loopback import RawConnect, StartCsms, StartStation, eventually

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
RESET = m.ResetRequest(type=e.ResetEnumType.IMMEDIATE)


class HeartbeatCsms(csms.CsmsHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, csms.ChargingStationClient]] = []

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        return m.HeartbeatResponse(current_time=NOW)

    async def on_connect(self, peer: csms.ChargingStationClient) -> None:
        self.events.append(("connect", peer))

    async def on_disconnect(self, peer: csms.ChargingStationClient) -> None:
        self.events.append(("disconnect", peer))


class ResettableStation(station.ChargingStationHandler):
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.connects = 0

    async def on_connect(self, peer: station.CsmsClient) -> None:
        self.connects += 1

    async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
        await asyncio.sleep(self.delay)
        return m.ResetResponse(status=e.ResetStatusEnumType.ACCEPTED)


def http_status(exc: BaseException) -> int:
    assert isinstance(exc, InvalidStatus), exc
    return exc.response.status_code


# ---- subprotocol ---------------------------------------------------------------------------------


@pytest.mark.parametrize("offered", [(), ("ocpp1.6",), ("ocpp2.0", "ocpp1.6")])
async def test_no_common_subprotocol_completes_handshake_then_closes(
    start_csms: StartCsms, raw_connect: RawConnect, offered: tuple[str, ...]
) -> None:
    server = await start_csms()
    raw = await raw_connect(server, "CS1", subprotocols=offered)
    assert raw.ws.subprotocol is None
    assert "Sec-WebSocket-Protocol" not in raw.ws.response.headers  # type: ignore[union-attr]
    with pytest.raises(ConnectionClosed) as info:
        await asyncio.wait_for(raw.ws.recv(), 2)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1002
    assert "CS1" not in server.stations


async def test_preferred_subprotocol_is_picked_from_several(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms()
    raw = await raw_connect(server, "CS1", subprotocols=("ocpp1.6", "ocpp2.0.1"))
    assert raw.ws.subprotocol == "ocpp2.0.1"


async def test_compression_is_negotiated(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms()
    raw = await raw_connect(server)
    assert "permessage-deflate" in raw.ws.response.headers["Sec-WebSocket-Extensions"]  # type: ignore[union-attr]


async def test_station_refuses_csms_without_subprotocol() -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async with ws_serve(handler, "127.0.0.1", 0) as plain:
        port = plain.sockets[0].getsockname()[1]
        with pytest.raises(ConnectionRejectedError, match="subprotocol"):
            await station.connect(f"ws://127.0.0.1:{port}", identity="CS1", handler=station.ChargingStationHandler())


# ---- identity ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "identity"),
    [("/CS1", "CS1"), ("/ocpp/CS%2B1", "CS+1"), ("/a/b/cs-1.A@x?x=1", "cs-1.A@x"), ("/" + "x" * 48, "x" * 48)],
)
def test_identity_is_the_last_path_segment_percent_decoded(path: str, identity: str) -> None:
    assert identity_from_path(path) == identity


@pytest.mark.parametrize(
    "segment",
    [
        "a:b",
        "a%3Ab",
        "x" * 49,
        "",
        "%FF",
        "a%2Fb",  # a/b
        "..%2F..%2Fetc%2Fpasswd",  # ../../etc/passwd
        "CS%00",  # NUL
        "CS%0D%0AINFO%20forged",  # CR/LF
        "CS%1B%5B31m",  # ESC
        "CS%E2%80%AE1",  # U+202E right-to-left override
        "%C3%85",  # Å precomposed
        "A%CC%8A",  # A + combining ring above
        "CS%201",  # space
        "%C3%A9t%C3%A9",  # été
    ],
)
async def test_bad_identity_gets_http_400(start_csms: StartCsms, segment: str) -> None:
    server = await start_csms()
    with pytest.raises(InvalidStatus) as info:
        await ws_connect(f"{server.url}/ocpp/{segment}", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]
    assert http_status(info.value) == 400


async def test_station_checks_its_identity_before_connecting() -> None:
    for identity in ("a:b", "x" * 49, "", "a/b", "CS 1", "Å"):
        with pytest.raises(ValueError):
            station.connect("ws://127.0.0.1:1", identity=identity, handler=station.ChargingStationHandler())


async def test_path_prefix(start_csms: StartCsms, start_station: StartStation) -> None:
    server = await start_csms(path_prefix="/ocpp/")
    assert server.url.endswith("/ocpp")
    await start_station(server, "CS1")
    with pytest.raises(InvalidStatus) as info:
        await ws_connect(f"ws://127.0.0.1:{server.port}/other/CS2", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]
    assert http_status(info.value) == 404


async def test_percent_encoded_identity_round_trip(start_csms: StartCsms, start_station: StartStation) -> None:
    server = await start_csms(HeartbeatCsms())
    conn = await start_station(server, "RDAM+1|2=3*4@x.y_z-0")
    await eventually(lambda: "RDAM+1|2=3*4@x.y_z-0" in server.stations)
    await conn.peer.heartbeat(m.HeartbeatRequest())


# ---- authentication ------------------------------------------------------------------------------------


def password_auth(seen: list[AuthRequest]) -> Any:
    async def auth(request: AuthRequest) -> bool:
        seen.append(request)
        return request.password == "correct horse battery"

    return auth


async def test_basic_auth_profile_1(start_csms: StartCsms, start_station: StartStation) -> None:
    seen: list[AuthRequest] = []
    server = await start_csms(HeartbeatCsms(), auth=password_auth(seen))
    conn = await start_station(server, "CS1", password="correct horse battery")
    await conn.peer.heartbeat(m.HeartbeatRequest())
    assert seen[0].identity == "CS1" and seen[0].certificate is None
    assert server.stations["CS1"].info.username == "CS1"


@pytest.mark.parametrize("password", ["wrong", None])
async def test_wrong_or_missing_password_gets_401(
    start_csms: StartCsms, start_station: StartStation, password: str | None
) -> None:
    server = await start_csms(auth=password_auth([]))
    with pytest.raises(ConnectionRejectedError) as info:
        await start_station(server, "CS1", password=password)
    assert info.value.status == 401
    assert "CS1" not in server.stations


async def test_basic_username_must_be_the_identity(start_csms: StartCsms) -> None:
    server = await start_csms(auth=password_auth([]))
    token = base64.b64encode(b"someone-else:correct horse battery").decode()
    with pytest.raises(InvalidStatus) as info:
        await ws_connect(
            f"{server.url}/CS1", subprotocols=["ocpp2.0.1"], additional_headers={"Authorization": f"Basic {token}"}, proxy=None  # type: ignore[list-item]
        )
    assert http_status(info.value) == 401
    assert info.value.response.headers["WWW-Authenticate"].startswith("Basic")


async def test_auth_hook_may_choose_the_status(start_csms: StartCsms) -> None:
    def auth(request: AuthRequest) -> bool:
        raise HandshakeRejectedError(404, "unknown station")

    server = await start_csms(auth=auth)
    with pytest.raises(InvalidStatus) as info:
        await ws_connect(f"{server.url}/CS9", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]
    assert http_status(info.value) == 404


# ---- TLS security profiles 2 and 3 ---------------------------------------------------------------------


async def test_tls_profile_2(start_csms: StartCsms, start_station: StartStation, tmp_path: Path) -> None:
    pki = make_pki(tmp_path, "CS1")
    seen: list[AuthRequest] = []
    server = await start_csms(
        HeartbeatCsms(), ssl=tls.server_context(pki.server.cert, pki.server.key), auth=password_auth(seen)
    )
    assert server.url.startswith("wss://")
    conn = await start_station(server, "CS1", password="correct horse battery", ssl=tls.client_context(pki.ca))
    await conn.peer.heartbeat(m.HeartbeatRequest())
    assert seen[0].password == "correct horse battery" and seen[0].certificate is None


async def test_tls_profile_2_rejects_untrusted_server(
    start_csms: StartCsms, start_station: StartStation, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path, "CS1")
    (tmp_path / "other").mkdir()
    other = make_pki(tmp_path / "other", "CS1")
    server = await start_csms(ssl=tls.server_context(pki.server.cert, pki.server.key))
    with pytest.raises(ConnectionRejectedError, match="certificate"):
        await start_station(server, "CS1", ssl=tls.client_context(other.ca))


async def test_tls_profile_3(start_csms: StartCsms, start_station: StartStation, tmp_path: Path) -> None:
    pki = make_pki(tmp_path, "CS1")
    seen: list[AuthRequest] = []

    def auth(request: AuthRequest) -> bool:
        seen.append(request)
        assert request.certificate is not None
        subject = dict(pair[0] for pair in request.certificate["subject"])
        return subject.get("commonName") == request.identity

    server = await start_csms(
        HeartbeatCsms(), ssl=tls.server_context(pki.server.cert, pki.server.key, client_ca=pki.ca), auth=auth
    )
    conn = await start_station(server, "CS1", ssl=tls.client_context(pki.ca, cert=pki.client.cert, key=pki.client.key))
    await conn.peer.heartbeat(m.HeartbeatRequest())
    assert seen[0].certificate_der and server.stations["CS1"].info.certificate_der == seen[0].certificate_der
    # the certificate names CS1: another identity with it is refused before the hook runs (403)
    with pytest.raises(ConnectionRejectedError) as info:
        await start_station(server, "CS2", ssl=tls.client_context(pki.ca, cert=pki.client.cert, key=pki.client.key))
    assert info.value.status == 403
    assert [r.identity for r in seen] == ["CS1"]


@pytest.mark.parametrize("which", ["none", "rogue"])
async def test_tls_profile_3_requires_a_trusted_client_certificate(
    start_csms: StartCsms, start_station: StartStation, tmp_path: Path, which: str
) -> None:
    pki = make_pki(tmp_path, "CS1")
    server = await start_csms(ssl=tls.server_context(pki.server.cert, pki.server.key, client_ca=pki.ca))
    context = (
        tls.client_context(pki.ca)
        if which == "none"
        else tls.client_context(pki.ca, cert=pki.rogue_client.cert, key=pki.rogue_client.key)
    )
    # with TLS 1.3 the client learns of the refusal only as a connection closed during the handshake
    with pytest.raises((ConnectionRejectedError, InvalidHandshake, OSError)):
        await start_station(server, "CS1", ssl=context, open_timeout=3)
    assert "CS1" not in server.stations


# ---- duplicate identity ---------------------------------------------------------------------------------


async def test_second_connection_with_same_identity_replaces_the_first(
    start_csms: StartCsms, raw_connect: RawConnect, start_station: StartStation
) -> None:
    handler = HeartbeatCsms()
    server = await start_csms(handler)
    first = await raw_connect(server, "CS1")
    await eventually(lambda: "CS1" in server.stations)
    old_peer = server.stations["CS1"]
    pending = asyncio.create_task(old_peer.reset(RESET))
    await first.recv()
    second = await start_station(server, "CS1", handler=ResettableStation())
    with pytest.raises(ConnectionClosed) as info:
        await asyncio.wait_for(first.ws.recv(), 2)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1008
    with pytest.raises(ConnectionClosedError):
        await asyncio.wait_for(pending, 2)
    await eventually(lambda: server.stations["CS1"] is not old_peer)
    new_peer = server.stations["CS1"]
    assert (await new_peer.reset(RESET)).status is e.ResetStatusEnumType.ACCEPTED
    await eventually(lambda: len(handler.events) == 3)
    assert handler.events == [("connect", old_peer), ("disconnect", old_peer), ("connect", new_peer)]
    assert list(server.stations) == ["CS1"]
    await second.peer.heartbeat(m.HeartbeatRequest())


# ---- limits, logging ------------------------------------------------------------------------------------


async def test_oversized_frame_closes_with_1009(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms(max_message_size=1000)
    raw = await raw_connect(server)
    await raw.send('[2, "big", "DataTransfer", {"vendorId": "x", "data": "' + "x" * 2000 + '"}]')
    with pytest.raises(ConnectionClosed) as info:
        await asyncio.wait_for(raw.ws.recv(), 2)
    assert info.value.sent is not None and info.value.sent.code == 1009


async def test_frames_are_logged_at_debug_with_identity_and_id(
    start_csms: StartCsms, start_station: StartStation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ocppwire.frames")
    server = await start_csms(HeartbeatCsms())
    conn = await start_station(server, "CS7")
    await conn.peer.heartbeat(m.HeartbeatRequest())
    records = [r for r in caplog.records if r.name == "ocppwire.frames"]
    directions = {(r.ocpp_identity, r.ocpp_direction) for r in records}  # type: ignore[attr-defined]
    assert directions == {("CS7", "in"), ("CS7", "out")}
    ids = {r.ocpp_message_id for r in records}  # type: ignore[attr-defined]
    assert len(ids) == 1 and all(i in r.getMessage() for r in records for i in ids)


# ---- reconnect ------------------------------------------------------------------------------------------


def test_retry_back_off_doubles_then_stays_constant() -> None:
    backoff = RetryBackOff(wait_minimum=1.0, random_range=2.0, repeat_times=3, rng=lambda: 0.5)
    delays = backoff.delays()
    assert [next(delays) for _ in range(6)] == [2.0, 3.0, 5.0, 9.0, 9.0, 9.0]
    assert RetryBackOff(wait_minimum=3, random_range=0, repeat_times=0).delay(5) == 3
    with pytest.raises(ValueError):
        RetryBackOff(wait_minimum=-1)


async def test_station_reconnects_after_losing_the_connection(
    start_csms: StartCsms, start_station: StartStation
) -> None:
    handler = ResettableStation()
    server = await start_csms(HeartbeatCsms())
    conn = await start_station(
        server, "CS1", handler=handler, reconnect=True, backoff=RetryBackOff(wait_minimum=0.05, random_range=0.0)
    )
    await eventually(lambda: "CS1" in server.stations)
    first = server.stations["CS1"]
    await first.close(1012, "restart")
    await eventually(lambda: conn.connections == 2 and "CS1" in server.stations and server.stations["CS1"] is not first)
    peer = await conn.wait_connected()
    await peer.heartbeat(m.HeartbeatRequest())
    assert handler.connects == 2


async def test_station_keeps_retrying_until_the_csms_is_up(start_station: StartStation) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    delays: list[float] = []

    class Recording(RetryBackOff):
        def delay(self, attempt: int) -> float:
            delays.append(super().delay(attempt))
            return delays[-1]

    client = station.connect(
        f"ws://127.0.0.1:{port}",
        identity="CS1",
        handler=station.ChargingStationHandler(),
        options=station.ClientOptions(
            backoff=Recording(wait_minimum=0.02, random_range=0.0, repeat_times=2), first_connect_attempts=None
        ),
    )
    starting = asyncio.create_task(client.start())
    await eventually(lambda: len(delays) >= 4)
    assert delays[:4] == [0.02, 0.04, 0.08, 0.08]
    server = await csms.serve(HeartbeatCsms(), "127.0.0.1", port)
    try:
        await asyncio.wait_for(starting, 3)
        await client.peer.heartbeat(m.HeartbeatRequest())
    finally:
        await client.close(grace=1)
        await server.close(grace=1)


async def test_station_without_reconnect_reports_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OSError):
        await station.connect(
            f"ws://127.0.0.1:{port}",
            identity="CS1",
            handler=station.ChargingStationHandler(),
            options=station.ClientOptions(reconnect=False),
        )


# ---- graceful shutdown ----------------------------------------------------------------------------------


async def test_server_shutdown_lets_calls_in_flight_finish(start_station: StartStation) -> None:
    server = await csms.serve(HeartbeatCsms(), "127.0.0.1", 0)
    conn = await start_station(server, "CS1", handler=ResettableStation(delay=0.3))
    await eventually(lambda: "CS1" in server.stations)
    peer = server.stations["CS1"]
    in_flight = asyncio.create_task(peer.reset(RESET))
    await asyncio.sleep(0.05)
    closing = asyncio.create_task(server.close(grace=5))
    await asyncio.sleep(0.05)
    with pytest.raises(ConnectionClosedError):
        await peer.reset(RESET)  # no new calls once shutdown started
    with pytest.raises(InvalidStatus) as info:  # nor new connections
        await ws_connect(f"{server.url}/CS2", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]
    assert http_status(info.value) == 503
    assert (await in_flight).status is e.ResetStatusEnumType.ACCEPTED
    await asyncio.wait_for(closing, 5)
    await eventually(lambda: not conn.connected)


async def test_station_close_lets_its_call_finish(start_csms: StartCsms, start_station: StartStation) -> None:
    class SlowCsms(csms.CsmsHandler):
        async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
            await asyncio.sleep(0.2)
            return m.HeartbeatResponse(current_time=NOW)

    server = await start_csms(SlowCsms())
    conn = await start_station(server, "CS1")
    call = asyncio.create_task(conn.peer.heartbeat(m.HeartbeatRequest()))
    await asyncio.sleep(0.05)
    await conn.close(grace=5)
    assert (await call).current_time == NOW
    assert not conn.connected
    await eventually(lambda: "CS1" not in server.stations)


# ---- pings ----------------------------------------------------------------------------------------------


class _PingLog(logging.Handler):
    """Counts the pings a websockets endpoint receives (its protocol traces each one at DEBUG as ``< PING``)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.pings = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("< PING"):
            self.pings += 1


def _ping_logger(name: str) -> tuple[logging.Logger, _PingLog]:
    logger = logging.getLogger(name)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    handler = _PingLog()
    logger.addHandler(handler)
    return logger, handler


async def test_the_csms_sends_pings(start_csms: StartCsms) -> None:
    server = await start_csms(ping_interval=0.05)
    logger, log = _ping_logger("test.ping.station")
    async with ws_connect(f"{server.url}/CS1", subprotocols=["ocpp2.0.1"], ping_interval=None, logger=logger):  # type: ignore[list-item]
        await eventually(lambda: log.pings >= 2)


async def test_the_station_sends_pings(start_station: StartStation) -> None:
    logger, log = _ping_logger("test.ping.csms")

    async def hold(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async with ws_serve(hold, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"], ping_interval=None, logger=logger) as raw:  # type: ignore[list-item]
        port = raw.sockets[0].getsockname()[1]
        fake = type("Fake", (), {"url": f"ws://127.0.0.1:{port}"})()
        await start_station(fake, "CS1", ping_interval=0.05)
        await eventually(lambda: log.pings >= 2)


async def test_ping_interval_zero_disables_pings(start_csms: StartCsms, start_station: StartStation) -> None:
    server = await start_csms(ping_interval=0)
    logger, log = _ping_logger("test.ping.none")
    async with ws_connect(f"{server.url}/CS1", subprotocols=["ocpp2.0.1"], ping_interval=None, logger=logger):  # type: ignore[list-item]
        await asyncio.sleep(0.3)
    assert log.pings == 0


async def test_a_peer_that_never_answers_pings_is_dropped(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms(ping_interval=0.1, ping_timeout=0.1, close_timeout=0.5)
    raw = await raw_connect(server, "CS1", ping_interval=None)
    await eventually(lambda: "CS1" in server.stations)
    raw.ws.transport.pause_reading()  # our pings pile up unread: no pong ever comes back
    await eventually(lambda: "CS1" not in server.stations, timeout=3)
    raw.ws.transport.abort()
