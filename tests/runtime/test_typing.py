"""mypy --strict accepts correct handler subclasses and client calls, and catches wrong signatures."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
    import datetime as dt
    from ocppwire.v201 import csms, station, messages as m, enums as e, types as t

    class MyCsms(csms.CsmsHandler):
        async def boot_notification(
            self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
        ) -> m.BootNotificationResponse:
            return m.BootNotificationResponse(
                current_time=dt.datetime.now(dt.timezone.utc), interval=300,
                status=e.RegistrationStatusEnumType.ACCEPTED,
            )

        async def on_connect(self, peer: csms.ChargingStationClient) -> None:
            res: m.ResetResponse = await peer.reset(m.ResetRequest(type=e.ResetEnumType.IMMEDIATE))
            print(res.status)

    async def main() -> None:
        server: csms.CsmsServer = await csms.serve(
            MyCsms(), "127.0.0.1", 0, options=csms.ServerOptions(call_timeout=5.0)
        )
        conn: station.StationConnection = await station.connect(
            server.url, identity="CS1", handler=station.ChargingStationHandler(),
            options=station.ClientOptions(password="pw"),
        )
        hb: m.HeartbeatResponse = await conn.peer.heartbeat(m.HeartbeatRequest())
        print(hb.current_time, server.stations["CS1"].identity)
"""

BAD = """
    from ocppwire.v201 import csms, station, messages as m

    class WrongRequest(csms.CsmsHandler):
        async def boot_notification(
            self, station: csms.ChargingStationClient, req: m.HeartbeatRequest
        ) -> m.BootNotificationResponse:
            raise NotImplementedError

    class WrongResponse(csms.CsmsHandler):
        async def heartbeat(
            self, station: csms.ChargingStationClient, req: m.HeartbeatRequest
        ) -> m.BootNotificationResponse:
            raise NotImplementedError

    class NotAsync(station.ChargingStationHandler):
        def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
            raise NotImplementedError

    async def misuse(peer: csms.ChargingStationClient) -> None:
        await peer.reset(m.ClearCacheRequest())
        await peer.boot_notification  # a CSMS cannot send BootNotification
        await csms.serve(station.ChargingStationHandler(), "127.0.0.1", 0)
        await csms.serve(csms.CsmsHandler(), "127.0.0.1", 0, options=csms.ServerOptions(no_such_option=1))
"""


def run_mypy(tmp_path: Path, source: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    # an editable install is an import hook mypy does not follow: point it at the sources
    monkeypatch.setenv("MYPYPATH", str(ROOT / "generated"))
    path = tmp_path / "user_code.py"
    path.write_text(textwrap.dedent(source))
    out, err, status = mypy_api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(ROOT / ".mypy_cache"), str(path)]
    )
    return out + err, status


@pytest.mark.slow
def test_correct_user_code_type_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output, status = run_mypy(tmp_path, GOOD, monkeypatch)
    assert status == 0, output


@pytest.mark.slow
def test_wrong_signatures_are_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output, status = run_mypy(tmp_path, BAD, monkeypatch)
    assert status == 1
    lines = output.splitlines()

    def error_on(line: int) -> bool:
        return any(f"user_code.py:{line}:" in text and "error" in text for text in lines)

    assert error_on(6), output  # boot_notification takes a HeartbeatRequest: violates the supertype
    assert error_on(11), output  # heartbeat returns the wrong response type
    assert error_on(17), output  # a sync override of an async method
    assert error_on(21), output  # reset() given a ClearCacheRequest
    assert error_on(22), output  # no boot_notification on the CSMS's station client
    assert error_on(23), output  # a station handler passed to csms.serve
    assert error_on(24), output  # unknown option
