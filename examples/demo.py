"""`make run`: a CSMS and three simulated stations on 127.0.0.1, end to end over real WebSockets.

1. start the demo CSMS (examples/csms.py) on an ephemeral port — one endpoint for OCPP 2.0.1, 1.6 and
   2.1 (``serve_versions``): a 1.6 Charge Point and a 2.1 station boot on it too;
2. connect three simulated stations (examples/station_sim.py) with HTTP Basic auth and run their
   charging sessions concurrently: boot, status, authorize, a transaction with meter values —
   one of them presents a token the CSMS does not know;
3. from the CSMS, call GetVariables and Reset on every connected station;
4. print a summary table, close everything gracefully, and exit 0 only if every step worked.
"""

from __future__ import annotations

import asyncio
import hmac
import sys
from dataclasses import dataclass
from typing import Any

import csms as demo_csms
import station_sim

from ocppwire.runtime.handshake import AuthRequest
from ocppwire.runtime.server import Route, serve_versions
from ocppwire.v16 import csms as csms16
from ocppwire.v16 import enums as e16
from ocppwire.v16 import messages as m16
from ocppwire.v16 import station as station16
from ocppwire.v21 import csms as csms21
from ocppwire.v21 import enums as e21
from ocppwire.v21 import messages as m21
from ocppwire.v21 import station as station21
from ocppwire.v21 import types as t21
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

PASSWORD = "demo-password-0123456789"
STATIONS = {"CS001": "TOKEN-1", "CS002": "TOKEN-2", "CS003": "STOLEN-TOKEN"}
OTHER_VERSIONS = {"CP16": "ocpp1.6", "CS21": "ocpp2.1"}
EXPECTED = {"CS001": "charged", "CS002": "charged", "CS003": "authorize Invalid"}
WANTED = [("ChargingStation", "Model"), ("ChargingStation", "SerialNumber"), ("OCPPCommCtrlr", "HeartbeatInterval")]


@dataclass
class Row:
    identity: str
    outcome: str
    record: demo_csms.StationRecord
    frames: int


class Csms16(csms16.CsmsHandler):
    """The same endpoint's answer to OCPP 1.6 Charge Points (1.6 calls the CSMS the Central System)."""

    async def boot_notification(
        self, station: csms16.ChargingStationClient, req: m16.BootNotificationRequest
    ) -> m16.BootNotificationResponse:
        return m16.BootNotificationResponse(
            status=e16.BootNotificationStatus.ACCEPTED, current_time=demo_csms.utc_now(), interval=300
        )


class Csms21(csms21.CsmsHandler):
    """The same endpoint's answer to OCPP 2.1 stations."""

    async def boot_notification(
        self, station: csms21.ChargingStationClient, req: m21.BootNotificationRequest
    ) -> m21.BootNotificationResponse:
        return m21.BootNotificationResponse(
            current_time=demo_csms.utc_now(), interval=300, status=e21.RegistrationStatusEnumType.ACCEPTED
        )


async def boot_other_versions(url: str) -> dict[str, str]:
    """A 1.6 Charge Point and a 2.1 station boot on the same endpoint; returns identity -> boot status."""
    statuses: dict[str, str] = {}
    options16 = station16.ClientOptions(password=PASSWORD)
    async with station16.connect(
        url, identity="CP16", handler=station16.ChargingStationHandler(), options=options16
    ) as cp:
        boot16 = await cp.peer.boot_notification(
            m16.BootNotificationRequest(charge_point_vendor="VendorX", charge_point_model="Classic16")
        )
        statuses["CP16"] = boot16.status.value
    options21 = station21.ClientOptions(password=PASSWORD)
    async with station21.connect(
        url, identity="CS21", handler=station21.ChargingStationHandler(), options=options21
    ) as cs:
        boot21 = await cs.peer.boot_notification(
            m21.BootNotificationRequest(
                charging_station=t21.ChargingStationType(model="New21", vendor_name="VendorX"),
                reason=e21.BootReasonEnumType.POWER_UP,
            )
        )
        statuses["CS21"] = boot21.status.value
    return statuses


def check_password(request: AuthRequest) -> bool:
    """Basic auth check. Compare secrets in constant time (``hmac.compare_digest``): ``==`` stops at the first
    differing character, so its timing tells an attacker how much of a guess was right. A real CSMS stores a
    password hash per station (hashlib.scrypt) and compares the hashes the same way."""
    password = (request.password or "").encode()
    known = request.identity in STATIONS or request.identity in OTHER_VERSIONS
    return known and hmac.compare_digest(password, PASSWORD.encode())


async def ask_station(peer: csms.ChargingStationClient, record: demo_csms.StationRecord) -> None:
    """The CSMS-initiated part: read some variables, then ask for a reset."""
    result = await peer.get_variables(
        m.GetVariablesRequest(
            get_variable_data=[
                t.GetVariableDataType(component=t.ComponentType(name=c), variable=t.VariableType(name=v))
                for c, v in WANTED
            ]
        )
    )
    for item in result.get_variable_result:
        if item.attribute_status is e.GetVariableStatusEnumType.ACCEPTED and isinstance(item.attribute_value, str):
            record.variables[f"{item.component.name}.{item.variable.name}"] = item.attribute_value
    reset = await peer.reset(m.ResetRequest(type=e.ResetEnumType.ON_IDLE))
    record.reset = reset.status.value


def table(rows: list[Row]) -> str:
    head = (
        "Station",
        "Model",
        "Boot",
        "Connector",
        "Authorize",
        "Transaction",
        "MeterValues",
        "Energy Wh",
        "Variables",
        "Reset",
        "Frames",
    )
    lines = []
    for row in rows:
        r = row.record
        tx = ", ".join(f"{state}" for state in r.transactions.values()) or "-"
        auth = f"{len(r.authorized)} ok" + (f", {len(r.rejected)} rejected" if r.rejected else "")
        lines.append(
            (
                row.identity,
                r.model,
                r.boot_reason,
                ",".join(r.connector_status.values()) or "-",
                auth,
                tx,
                str(r.meter_values),
                f"{r.energy_wh:.0f}",
                str(len(r.variables)),
                r.reset or "-",
                str(row.frames),
            )
        )
    widths = [max(len(str(c)) for c in col) for col in zip(head, *lines)]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([fmt.format(*head), rule, *(fmt.format(*line) for line in lines)])


async def run_demo() -> list[str]:
    """Run the whole scenario; return the problems found (empty when everything worked)."""
    handler = demo_csms.DemoCsms(known_tokens={"TOKEN-1", "TOKEN-2"})
    problems: list[str] = []
    routes: list[Route[Any, Any]] = [
        Route(csms.BINDING, handler),
        Route(csms16.BINDING, Csms16()),
        Route(csms21.BINDING, Csms21()),
    ]
    options = csms.ServerOptions(auth=check_password)
    async with serve_versions(*routes, host="127.0.0.1", port=0, options=options) as server:
        print(f"CSMS listening on {server.url} (ocpp2.1, ocpp2.0.1, ocpp1.6)")
        sims = {identity: station_sim.SimulatedStation(identity) for identity in STATIONS}
        connections: dict[str, station.StationConnection] = {}
        for identity, sim in sims.items():
            connections[identity] = await station.connect(
                server.url, identity=identity, handler=sim, options=station.ClientOptions(password=PASSWORD)
            )
        outcomes = await asyncio.gather(
            *(station_sim.charging_session(connections[i].peer, i, token) for i, token in STATIONS.items())
        )
        results = dict(zip(STATIONS, outcomes))
        peers = {i: server.stations[i] for i in STATIONS}
        typed = {i: p for i, p in peers.items() if isinstance(p, csms.ChargingStationClient)}
        await asyncio.gather(*(ask_station(typed[i], handler.records[i]) for i in STATIONS))
        other = await boot_other_versions(server.url)

        rows = []
        for identity in STATIONS:
            stats = server.stations[identity].stats
            frames = (
                stats.calls_sent
                + stats.results_received
                + stats.errors_received
                + stats.calls_received
                + stats.results_sent
                + stats.errors_sent
            )
            rows.append(Row(identity, results[identity], handler.records[identity], frames))
        for identity, connection in connections.items():
            await connection.close()
        print()
        print(table(rows))
        print()
        for identity, subprotocol in OTHER_VERSIONS.items():
            print(f"{identity} ({subprotocol}): boot {other.get(identity, '-')}")
        print()
        for identity in OTHER_VERSIONS:
            if other.get(identity) != "Accepted":
                problems.append(f"{identity}: boot over {OTHER_VERSIONS[identity]} not accepted")

        for row in rows:
            if row.outcome != EXPECTED[row.identity]:
                problems.append(
                    f"{row.identity}: session ended with {row.outcome!r}, expected {EXPECTED[row.identity]!r}"
                )
            if len(row.record.variables) != len(WANTED):
                problems.append(f"{row.identity}: GetVariables returned {row.record.variables}")
            if row.record.reset != "Accepted" or sims[row.identity].resets != ["OnIdle"]:
                problems.append(f"{row.identity}: Reset not accepted")
        for identity in ("CS001", "CS002"):
            record = handler.records[identity]
            if list(record.transactions.values()) != ["Ended"] or record.energy_wh != 5000:
                problems.append(f"{identity}: transaction not recorded ({record.transactions}, {record.energy_wh} Wh)")
    return problems


def main() -> int:
    try:
        problems = asyncio.run(run_demo())
    except KeyboardInterrupt:  # Ctrl-C: asyncio.run has cancelled run_demo(), which closed everything
        print("demo interrupted", file=sys.stderr)
        return 130
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    print("demo OK" if not problems else f"demo FAILED ({len(problems)} problems)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
