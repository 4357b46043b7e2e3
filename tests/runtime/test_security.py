"""Safe to expose, over real sockets: secrets kept out of logs at DEBUG, profile 3 identity binding,
connection limits, TLS handshake timeout, prompt replacement of a stale connection, the station's
first-connection policy."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus

from ocppwire.runtime import tls
from ocppwire.runtime.backoff import RetryBackOff
from ocppwire.runtime.exceptions import ConnectionRejectedError
from ocppwire.runtime.framelog import redact_frame
from ocppwire.runtime.handshake import AuthRequest, PeerCertificate
from ocppwire.runtime.logsafe import TransportLogger
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from .certs import make_pki
from ..loopback import RawConnect, StartCsms, StartStation, eventually

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

PASSWORD = "Sup3r-Secret-Basic-Pw"
NEW_PASSWORD = "N3w-Secret-For-SetVariables"
NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
FAST = RetryBackOff(wait_minimum=0.01, random_range=0.0, repeat_times=0)


def _status(exc: BaseException) -> int:
    assert isinstance(exc, InvalidStatus), exc
    return exc.response.status_code


# ---- secrets never reach a log -------------------------------------------------------------------------


class SecretStation(station.ChargingStationHandler):
    async def set_variables(self, csms: station.CsmsClient, req: m.SetVariablesRequest) -> m.SetVariablesResponse:
        return m.SetVariablesResponse(
            set_variable_result=[
                t.SetVariableResultType(
                    attribute_status=e.SetVariableStatusEnumType.ACCEPTED,
                    component=d.component,
                    variable=d.variable,
                )
                for d in req.set_variable_data
            ]
        )

    async def get_variables(self, csms: station.CsmsClient, req: m.GetVariablesRequest) -> m.GetVariablesResponse:
        return m.GetVariablesResponse(
            get_variable_result=[
                t.GetVariableResultType(
                    attribute_status=e.GetVariableStatusEnumType.ACCEPTED,
                    attribute_value=NEW_PASSWORD,
                    component=d.component,
                    variable=d.variable,
                )
                for d in req.get_variable_data
            ]
        )


class ReportCsms(csms.CsmsHandler):
    async def notify_report(
        self, station: csms.ChargingStationClient, req: m.NotifyReportRequest
    ) -> m.NotifyReportResponse:
        return m.NotifyReportResponse()


SECURITY = t.ComponentType(name="SecurityCtrlr")
BASIC_AUTH = t.VariableType(name="BasicAuthPassword")


async def test_no_secret_reaches_any_log_at_debug(
    start_csms: StartCsms, start_station: StartStation, caplog: pytest.LogCaptureFixture, each_transport: str
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, websockets' handshake and frame traces included
    seen: list[AuthRequest] = []

    def auth(request: AuthRequest) -> bool:
        seen.append(request)
        logging.getLogger("test.app").info("auth attempt %r", request)  # what an application might log
        return request.password == PASSWORD

    server = await start_csms(ReportCsms(), auth=auth)
    conn = await start_station(server, "CS1", handler=SecretStation(), password=PASSWORD)
    await eventually(lambda: "CS1" in server.stations)
    peer = server.stations["CS1"]
    await peer.set_variables(
        m.SetVariablesRequest(
            set_variable_data=[
                t.SetVariableDataType(attribute_value=NEW_PASSWORD, component=SECURITY, variable=BASIC_AUTH)
            ]
        )
    )
    await peer.get_variables(
        m.GetVariablesRequest(get_variable_data=[t.GetVariableDataType(component=SECURITY, variable=BASIC_AUTH)])
    )
    await conn.peer.notify_report(
        m.NotifyReportRequest(
            request_id=1,
            generated_at=NOW,
            seq_no=0,
            report_data=[
                t.ReportDataType(
                    component=SECURITY,
                    variable=BASIC_AUTH,
                    variable_attribute=[t.VariableAttributeType(value=NEW_PASSWORD)],
                )
            ],
        )
    )
    logged = "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])
    assert seen and seen[0].password == PASSWORD
    if each_transport == "websockets":  # picows does not trace handshake headers at all
        assert "Authorization: <redacted>" in logged  # the handshake trace was on, and redacted
    assert "BasicAuthPassword" in logged  # the frames were logged ...
    assert PASSWORD not in logged and NEW_PASSWORD not in logged  # ... without a secret
    import base64

    assert base64.b64encode(f"CS1:{PASSWORD}".encode()).decode() not in logged


@pytest.mark.parametrize(
    ("frame", "kept", "gone"),
    [
        (
            '[2,"1","SetVariables",{"setVariableData":[{"attributeValue":"pw1","component":{"name":"SecurityCtrlr"},'
            '"variable":{"name":"BasicAuthPassword"}}]}]',
            "BasicAuthPassword",
            "pw1",
        ),
        (
            '[3,"1",{"getVariableResult":[{"attributeStatus":"Accepted","attributeValue":"pw2",'
            '"component":{"name":"X"},"variable":{"name":"VendorApiKey"}}]}]',
            "VendorApiKey",
            "pw2",
        ),
        (
            '[2,"1","NotifyReport",{"reportData":[{"component":{"name":"X"},"variable":{"name":"Custom"},'
            '"variableAttribute":[{"value":"pw3"}],"variableCharacteristics":{"dataType":"passwordString",'
            '"supportsMonitoring":false}}]}]',
            "Custom",
            "pw3",
        ),
        (
            '[2,"1","SetNetworkProfile",{"connectionData":{"apn":{"apn":"a","apnAuthentication":"AUTO",'
            '"apnPassword":"pw4"},"vpn":{"server":"s","user":"u","password":"pw5","key":"pw6","type":"IPSec"}}}]',
            '"user":"u"',
            "pw4",
        ),
        ('[2,"1","SetVariables",{"broken json password pw7', "unparseable", "pw7"),
    ],
)
def test_frame_redaction_rule(frame: str, kept: str, gone: str) -> None:
    logged = redact_frame(frame)
    assert kept in logged and gone not in logged
    assert "pw5" not in logged and "pw6" not in logged


def test_frames_without_secrets_are_logged_unchanged() -> None:
    frame = '[2,"1","SetVariables",{"setVariableData":[{"attributeValue":"300","variable":{"name":"HeartbeatInterval"},"component":{"name":"OCPPCommCtrlr"}}]}]'
    assert redact_frame(frame) is frame


def test_transport_logger_rate_limits_errors(caplog: pytest.LogCaptureFixture) -> None:
    logger = TransportLogger(logging.getLogger("test.transport"), burst=5, rate=0.001)
    with caplog.at_level(logging.DEBUG, logger="test.transport"):
        for _ in range(1000):
            logger.error("opening handshake failed", exc_info=False)
        logger.debug("< %s: %s", "Authorization", "Basic c2VjcmV0")
        logger.debug("< GET %s HTTP/1.1", "/CS\r\n\x1b")
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 5
    assert logger.limiter.suppressed == 995
    assert "Authorization: <redacted>" in caplog.text and "c2VjcmV0" not in caplog.text
    assert "/CS\\x0d\\x0a\\x1b" in caplog.text


async def test_peer_text_is_escaped_in_refusal_logs(start_csms: StartCsms, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ocppwire")
    server = await start_csms()
    with pytest.raises(InvalidStatus):
        await ws_connect(f"{server.url}/CS%0D%0AINFO%20forged%1B", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]
    refusals = [r.getMessage() for r in caplog.records if r.name == "ocppwire.server"]
    assert any("400" in line and "CS%0D%0AINFO" in line for line in refusals), refusals  # logged as sent, encoded
    assert all(line.isprintable() for line in refusals)
    assert not any(line.startswith("INFO forged") for line in caplog.text.splitlines())


# ---- security profile 3: the certificate belongs to the identity ---------------------------------------------


async def test_profile_3_certificate_of_another_station_gets_403(
    start_csms: StartCsms, start_station: StartStation, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path, "CS-A")
    server = await start_csms(ssl=tls.server_context(pki.server.cert, pki.server.key, client_ca=pki.ca))
    context = tls.client_context(pki.ca, cert=pki.client.cert, key=pki.client.key)
    await start_station(server, "CS-A", ssl=context)
    with pytest.raises(ConnectionRejectedError) as info:
        await start_station(server, "CS-B", ssl=context)
    assert info.value.status == 403
    assert "CS-B" not in server.stations


async def test_profile_3_rule_can_be_replaced(
    start_csms: StartCsms, start_station: StartStation, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path, "SERIAL-42")
    asked: list[tuple[str, list[str]]] = []

    def by_serial_prefix(identity: str, certificate: PeerCertificate) -> bool:
        asked.append((identity, certificate.common_names))
        return identity.startswith(certificate.common_names[0])

    server = await start_csms(
        ssl=tls.server_context(pki.server.cert, pki.server.key, client_ca=pki.ca),
        client_certificate_rule=by_serial_prefix,
    )
    context = tls.client_context(pki.ca, cert=pki.client.cert, key=pki.client.key)
    await start_station(server, "SERIAL-42.evse1", ssl=context)
    with pytest.raises(ConnectionRejectedError) as info:
        await start_station(server, "OTHER", ssl=context)
    assert info.value.status == 403
    assert asked == [("SERIAL-42.evse1", ["SERIAL-42"]), ("OTHER", ["SERIAL-42"])]


# ---- server limits --------------------------------------------------------------------------------------------


async def _handshake_status(server: csms.CsmsServer, identity: str) -> int | None:
    try:
        ws = await ws_connect(f"{server.url}/{identity}", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]
    except InvalidStatus as exc:
        assert "Retry-After" in exc.response.headers
        return exc.response.status_code
    _open.append(ws)
    return None


_open: list[Any] = []


@pytest.fixture(autouse=True)
async def _close_open() -> Any:
    yield
    while _open:
        await _open.pop().close()


async def test_max_connections_gets_503(start_csms: StartCsms) -> None:
    server = await start_csms(max_connections=2)
    assert [await _handshake_status(server, f"CS{i}") for i in range(3)] == [None, None, 503]
    await _open.pop().close()
    await eventually(lambda: server.gate.open == 1)
    assert await _handshake_status(server, "CS9") is None


async def test_max_connections_per_address_gets_429(start_csms: StartCsms) -> None:
    server = await start_csms(max_connections_per_address=2)
    assert [await _handshake_status(server, f"CS{i}") for i in range(3)] == [None, None, 429]


async def test_handshake_rate_gets_429(start_csms: StartCsms) -> None:
    server = await start_csms(handshake_burst=3, handshake_rate=0.5)
    statuses = [await _handshake_status(server, f"CS{i}") for i in range(5)]
    assert statuses == [None, None, None, 429, 429]
    assert server.gate.refused == 2


async def test_far_over_the_limit_is_aborted_without_an_answer(start_csms: StartCsms) -> None:
    server = await start_csms(max_connections_per_address=1)
    held = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(3)]
    try:
        # the third TCP connection (count 3 > 2 × 1) is dropped at once, before it sends a byte
        assert await asyncio.wait_for(held[2][0].read(100), 2) == b""
        await eventually(lambda: server.gate.refused == 2)
    finally:
        for _, writer in held:
            writer.close()


async def test_pending_handshakes_are_capped_and_every_count_is_released(start_csms: StartCsms) -> None:
    server = await start_csms(max_pending_handshakes=2)
    silent = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(3)]
    assert await asyncio.wait_for(silent[2][0].read(100), 2) == b""  # a third handshake in progress: dropped
    for _, writer in silent:
        writer.close()
    await eventually(lambda: server.gate.pending == 0)
    assert await _handshake_status(server, "CS2") is None  # room again once the silent ones went away
    assert server.gate.pending == 0 and server.gate.open >= 1
    while _open:
        await _open.pop().close()
    await eventually(lambda: server.gate.open == 0)


async def test_listen_backlog_is_passed_to_the_socket(start_csms: StartCsms, monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    seen: dict[str, Any] = {}
    original = loop.create_server

    async def create_server(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return await original(*args, **kwargs)

    monkeypatch.setattr(loop, "create_server", create_server)
    await start_csms()
    assert seen["backlog"] == 2048


async def test_tls_handshake_timeout_drops_a_silent_client(start_csms: StartCsms, tmp_path: Path) -> None:
    pki = make_pki(tmp_path, "CS1")
    server = await start_csms(ssl=tls.server_context(pki.server.cert, pki.server.key), tls_handshake_timeout=0.3)
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        assert await asyncio.wait_for(reader.read(100), 5) == b""  # no ClientHello: dropped
    finally:
        writer.close()
    assert time.monotonic() - started < 3


async def test_timed_out_tls_handshakes_give_back_their_slots(start_csms: StartCsms, tmp_path: Path) -> None:
    pki = make_pki(tmp_path, "CS1")
    server = await start_csms(
        ssl=tls.server_context(pki.server.cert, pki.server.key), tls_handshake_timeout=0.3, max_pending_handshakes=2
    )
    silent = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(2)]
    await eventually(lambda: server.gate.pending == 2)
    await eventually(lambda: server.gate.pending == 0 and server.gate.open == 0)  # dropped by the timeout
    for _, writer in silent:
        writer.close()
    context = tls.client_context(pki.ca)
    ws = await ws_connect(f"{server.url}/CS1", subprotocols=["ocpp2.0.1"], ssl=context, proxy=None)  # type: ignore[list-item]
    await ws.close()


# ---- a replaced connection is aborted, not waited on ---------------------------------------------------------


class HeartbeatCsms(csms.CsmsHandler):
    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        return m.HeartbeatResponse(current_time=NOW)


async def test_station_replacing_its_stale_connection_is_served_promptly(
    start_csms: StartCsms, raw_connect: RawConnect, start_station: StartStation
) -> None:
    server = await start_csms(HeartbeatCsms(), close_timeout=10)
    old = await raw_connect(server, "CS1")
    await eventually(lambda: "CS1" in server.stations)
    old.ws.transport.pause_reading()  # the old holder stops reading: it will never answer a close frame
    started = time.monotonic()
    new = await start_station(server, "CS1")
    await new.peer.heartbeat(m.HeartbeatRequest())
    assert time.monotonic() - started < 1.0
    old.ws.transport.abort()  # spare the fixture its own close_timeout on this deaf socket


# ---- the station's first connection ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_first_connection_gives_up_after_its_attempts(caplog: pytest.LogCaptureFixture) -> None:
    delays: list[float] = []

    class Counting(RetryBackOff):
        def delay(self, attempt: int) -> float:
            delays.append(super().delay(attempt))
            return delays[-1]

    client = station.connect(
        f"ws://127.0.0.1:{_free_port()}",
        identity="CS1",
        handler=station.ChargingStationHandler(),
        options=station.ClientOptions(backoff=Counting(wait_minimum=0.01, random_range=0, repeat_times=0)),
    )
    with pytest.raises(OSError):
        async with client:
            raise AssertionError("must not connect")
    assert len(delays) == 2  # three attempts (the default), two waits between them
    assert "after 3 attempts" in caplog.text


async def test_rate_limited_station_retries_instead_of_giving_up(start_csms: StartCsms) -> None:
    server = await start_csms(handshake_burst=1, handshake_rate=4.0)
    first = station.connect(server.url, identity="CS1", handler=station.ChargingStationHandler())
    second = station.connect(
        server.url,
        identity="CS2",
        handler=station.ChargingStationHandler(),
        options=station.ClientOptions(backoff=RetryBackOff(wait_minimum=0.3, random_range=0, repeat_times=0)),
    )
    try:
        await first
        await asyncio.wait_for(second.start(), 5)  # 429 at first, then admitted once the bucket refills
        assert second.connections == 1 and server.gate.refused >= 1
    finally:
        await first.close(grace=0)
        await second.close(grace=0)


@pytest.mark.parametrize(
    ("host", "targets"), [(None, ["127.0.0.1", "[::1]"]), ("localhost", ["127.0.0.1"]), ("::1", ["[::1]"])]
)
async def test_server_listens_on_every_address_of_its_host(host: str | None, targets: list[str]) -> None:
    if any(":" in t for t in targets) and not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    async with csms.serve(csms.CsmsHandler(), host, 0) as server:
        for target in targets:
            ws = await ws_connect(f"ws://{target}:{server.port}/CS1", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]
            await ws.close()
