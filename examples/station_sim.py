"""A Charging Station simulator built on the generated ``ocppwire.v201.station`` stubs.

:class:`SimulatedStation` answers what a CSMS may ask (GetVariables from a small device model,
Reset); :func:`charging_session` plays one station's day: boot, connector status, authorize, a
transaction with meter values, and back to Available. Run it on its own against a CSMS with
``python examples/station_sim.py ws://127.0.0.1:9000 CS001``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys

from msgspec import UNSET, UnsetType

from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import station
from ocppwire.v201 import types as t

EVSE, CONNECTOR = 1, 1


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class SimulatedStation(station.ChargingStationHandler):
    """A station with a few device-model variables that accepts resets."""

    def __init__(self, serial: str) -> None:
        self.serial = serial
        self.variables: dict[tuple[str, str], str] = {
            ("ChargingStation", "Model"): "SimCharger 22",
            ("ChargingStation", "SerialNumber"): serial,
            ("OCPPCommCtrlr", "HeartbeatInterval"): "300",
            ("SecurityCtrlr", "SecurityProfile"): "1",
        }
        self.resets: list[str] = []

    async def get_variables(self, csms: station.CsmsClient, req: m.GetVariablesRequest) -> m.GetVariablesResponse:
        results = []
        for item in req.get_variable_data:
            value = self.variables.get((item.component.name, item.variable.name))
            results.append(
                t.GetVariableResultType(
                    attribute_status=(
                        e.GetVariableStatusEnumType.ACCEPTED
                        if value is not None
                        else e.GetVariableStatusEnumType.UNKNOWN_VARIABLE
                    ),
                    component=item.component,
                    variable=item.variable,
                    attribute_value=UNSET if value is None else value,
                )
            )
        return m.GetVariablesResponse(get_variable_result=results)

    async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
        self.resets.append(req.type.value)
        # a real station would reboot after answering; the simulator only records the request
        return m.ResetResponse(status=e.ResetStatusEnumType.ACCEPTED)


def _meter(wh: float, context: e.ReadingContextEnumType) -> list[t.MeterValueType]:
    return [
        t.MeterValueType(
            timestamp=utc_now(),
            sampled_value=[
                t.SampledValueType(
                    value=wh, context=context, measurand=e.MeasurandEnumType.ENERGY_ACTIVE_IMPORT_REGISTER
                )
            ],
        )
    ]


async def charging_session(csms: station.CsmsClient, serial: str, id_token: str, readings: int = 3) -> str:
    """Boot, report status, authorize ``id_token`` and, if accepted, run a transaction. Returns its outcome."""
    boot = await csms.boot_notification(
        m.BootNotificationRequest(
            charging_station=t.ChargingStationType(model="SimCharger 22", vendor_name="ocppwire", serial_number=serial),
            reason=e.BootReasonEnumType.POWER_UP,
        )
    )
    if boot.status is not e.RegistrationStatusEnumType.ACCEPTED:
        return f"boot {boot.status.value}"
    await csms.status_notification(_status(e.ConnectorStatusEnumType.AVAILABLE))
    token = t.IdTokenType(id_token=id_token, type=e.IdTokenEnumType.ISO14443)
    authorized = await csms.authorize(m.AuthorizeRequest(id_token=token))
    if authorized.id_token_info.status is not e.AuthorizationStatusEnumType.ACCEPTED:
        return f"authorize {authorized.id_token_info.status.value}"

    transaction = t.TransactionType(transaction_id=f"{serial}-tx1")
    evse = t.EVSEType(id=EVSE, connector_id=CONNECTOR)
    seq = 0

    async def event(
        kind: e.TransactionEventEnumType,
        reason: e.TriggerReasonEnumType,
        wh: float,
        id_token: t.IdTokenType | UnsetType = UNSET,
        evse: t.EVSEType | UnsetType = UNSET,
    ) -> None:
        nonlocal seq
        context = {
            e.TransactionEventEnumType.STARTED: e.ReadingContextEnumType.TRANSACTION_BEGIN,
            e.TransactionEventEnumType.UPDATED: e.ReadingContextEnumType.SAMPLE_PERIODIC,
            e.TransactionEventEnumType.ENDED: e.ReadingContextEnumType.TRANSACTION_END,
        }[kind]
        await csms.transaction_event(
            m.TransactionEventRequest(
                event_type=kind,
                timestamp=utc_now(),
                trigger_reason=reason,
                seq_no=seq,
                transaction_info=transaction,
                meter_value=_meter(wh, context),
                id_token=id_token,
                evse=evse,
            )
        )
        seq += 1

    await csms.status_notification(_status(e.ConnectorStatusEnumType.OCCUPIED))
    await event(e.TransactionEventEnumType.STARTED, e.TriggerReasonEnumType.AUTHORIZED, 0.0, id_token=token, evse=evse)
    energy = 0.0
    for _ in range(readings):
        energy += 1500.0
        await csms.meter_values(
            m.MeterValuesRequest(evse_id=EVSE, meter_value=_meter(energy, e.ReadingContextEnumType.SAMPLE_PERIODIC))
        )
    energy += 500.0
    await event(e.TransactionEventEnumType.ENDED, e.TriggerReasonEnumType.EV_DEPARTED, energy)
    await csms.status_notification(_status(e.ConnectorStatusEnumType.AVAILABLE))
    return "charged"


def _status(status: e.ConnectorStatusEnumType) -> m.StatusNotificationRequest:
    return m.StatusNotificationRequest(
        timestamp=utc_now(), connector_status=status, evse_id=EVSE, connector_id=CONNECTOR
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="CSMS endpoint URL, e.g. ws://127.0.0.1:9000")
    parser.add_argument("identity", help="station identity, e.g. CS001")
    parser.add_argument("--token", default="TOKEN-1")
    parser.add_argument("--password", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    handler = SimulatedStation(args.identity)
    options = station.ClientOptions(password=args.password)
    async with station.connect(args.url, identity=args.identity, handler=handler, options=options) as conn:
        print(await charging_session(conn.peer, args.identity, args.token))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # Ctrl-C: asyncio.run has cancelled main(), which closed the connection
        print("stopped", file=sys.stderr)
        sys.exit(130)
