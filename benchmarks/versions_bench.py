"""OCPP 1.6 and 2.1 codec rows: ocppwire's ``v16`` / ``v21`` codecs against the ``ocpp`` package's v16 / v21
paths, with the 2.0.1 rows of the same messages in the same run for reference.

Each version's contenders do what :mod:`benchmarks.contenders` describes for 2.0.1, on that version's
registry and schemas: ocppwire decodes the header then the typed, fully validated payload
(``Codec(ocppwire.vXX.ACTIONS)``), and on the way out encodes the frame and checks the encoded
payload; the peer runs ``ocpp.messages.unpack`` and its JSON-schema validation for ``"1.6"`` /
``"2.0.1"`` / ``"2.1"`` (for 1.6 it re-parses decimals as ``Decimal`` to check ``multipleOf``, as its
``ChargePoint`` does), and on the way out ``serialize_as_dict`` → ``remove_nones`` →
``snake_to_camel_case`` → validation → ``to_json``. Every payload is accepted by both (checked
before timing), so nobody fails fast.

Messages: BootNotification, MeterValues (one reading of ten sampled values), and the transaction
message of each version (1.6 StartTransaction, 2.0.1 and 2.1 TransactionEvent with five sampled values).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from ocpp import charge_point as peer_cp  # type: ignore[import-untyped]
from ocpp import messages as peer_messages

from ocppwire.runtime.codec import Codec
from ocppwire.runtime.frames import Call

from .contenders import HEADER
from .samples import INBOUND, TS, Sample
from .table import rate, ratio, render
from .timing import Budget, measure_all

__all__ = ["VERSION_SAMPLES", "VersionContenders", "check_samples", "run"]


def _sampled_values_16() -> list[dict[str, Any]]:
    """The ten sampled values of the 2.0.1 MeterValues row, written as 1.6 writes them (value a string,
    ``unit`` beside it, no ``unitOfMeasure``)."""
    values: list[dict[str, Any]] = [
        {
            "value": "12345.6",
            "context": "Sample.Periodic",
            "measurand": "Energy.Active.Import.Register",
            "location": "Outlet",
            "unit": "Wh",
        },
        {
            "value": "7360",
            "context": "Sample.Periodic",
            "measurand": "Power.Active.Import",
            "location": "Outlet",
            "unit": "W",
        },
    ]
    for phase, amps in (("L1", "31.9"), ("L2", "32.1"), ("L3", "31.7")):
        values.append(
            {
                "value": amps,
                "context": "Sample.Periodic",
                "measurand": "Current.Import",
                "phase": phase,
                "location": "Outlet",
                "unit": "A",
            }
        )
    for phase, volts in (("L1-N", "230.1"), ("L2-N", "229.8"), ("L3-N", "231.0")):
        values.append(
            {
                "value": volts,
                "context": "Sample.Periodic",
                "measurand": "Voltage",
                "phase": phase,
                "location": "Outlet",
                "unit": "V",
            }
        )
    values.append(
        {"value": "54", "context": "Sample.Periodic", "measurand": "SoC", "location": "EV", "unit": "Percent"}
    )
    values.append(
        {
            "value": "11000",
            "context": "Sample.Periodic",
            "measurand": "Power.Offered",
            "location": "Outlet",
            "unit": "W",
        }
    )
    return values


def _from_201(label: str) -> Sample:
    return next(s for s in INBOUND if s.label == label)


VERSION_SAMPLES: dict[str, tuple[Sample, ...]] = {
    "v16": (
        Sample(
            "BootNotification",
            "BootNotification",
            {
                "chargePointVendor": "VendorX",
                "chargePointModel": "SingleSocketCharger",
                "chargePointSerialNumber": "SN-000123456",
                "firmwareVersion": "1.4.2",
                "iccid": "8931440400012345678",
                "imsi": "204043712345678",
            },
        ),
        Sample(
            "MeterValues 1x10",
            "MeterValues",
            {
                "connectorId": 1,
                "transactionId": 17,
                "meterValue": [{"timestamp": TS, "sampledValue": _sampled_values_16()}],
            },
        ),
        Sample(
            "StartTransaction",
            "StartTransaction",
            {"connectorId": 1, "idTag": "04A2B3C4D5E6F7", "meterStart": 12345, "timestamp": TS, "reservationId": 3},
        ),
    ),
    # 2.0.1 and 2.1 write these three messages the same way: the very same bytes go to both versions.
    "v201": (_from_201("BootNotification"), _from_201("MeterValues 1x10"), _from_201("TransactionEvent+meter")),
    "v21": (_from_201("BootNotification"), _from_201("MeterValues 1x10"), _from_201("TransactionEvent+meter")),
}
"""The messages of each version's rows."""

_PEER_VERSION = {"v16": "1.6", "v201": "2.0.1", "v21": "2.1"}


@dataclass
class VersionContenders:
    """ocppwire's codec and the peer's path for one OCPP version."""

    version: str

    def __post_init__(self) -> None:
        self.actions = importlib.import_module(f"ocppwire.{self.version}").ACTIONS
        self.codec = Codec(self.actions)
        self.peer_version = _PEER_VERSION[self.version]
        self.peer_call = importlib.import_module(f"ocpp.{self.version}.call")

    def ours_inbound(self, data: bytes) -> Any:
        return self.codec.decode_incoming(data)

    def peer_inbound(self, data: bytes) -> Any:
        message = peer_messages.unpack(data)
        peer_messages._validate_payload(message, self.peer_version)
        return message

    def ours_typed(self, sample: Sample) -> Any:
        return self.codec.decoder_for(self.actions[sample.action].request).decode(msgspec.json.encode(sample.payload))

    def ours_outbound(self, sample: Sample) -> Callable[[Any], bytes]:
        decoder = self.codec.decoder_for(self.actions[sample.action].request)
        codec, action = self.codec, sample.action

        def send(payload: Any) -> bytes:
            data = codec.encode(Call("19223201", action, payload))
            decoder.decode(HEADER.decode(data).payload)
            return data

        return send

    def peer_typed(self, sample: Sample) -> Any:
        return getattr(self.peer_call, sample.action)(**peer_cp.camel_to_snake_case(sample.payload))

    def peer_outbound(self, sample: Sample) -> Callable[[Any], bytes]:
        version, action = self.peer_version, sample.action

        def send(payload: Any) -> bytes:
            body = peer_cp.remove_nones(peer_cp.snake_to_camel_case(peer_cp.serialize_as_dict(payload)))
            message = peer_messages.Call("19223201", action, body)
            peer_messages._validate_payload(message, version)
            text: str = message.to_json()
            return text.encode()

        return send


def check_samples() -> None:
    """Both sides accept every sample of every version, in and out (raises otherwise)."""
    for version, samples in VERSION_SAMPLES.items():
        contenders = VersionContenders(version)
        for sample in samples:
            frame = sample.call_frame()
            contenders.ours_inbound(frame)
            contenders.peer_inbound(frame)
            contenders.ours_outbound(sample)(contenders.ours_typed(sample))
            contenders.peer_outbound(sample)(contenders.peer_typed(sample))


def run(budget: Budget) -> tuple[str, dict[str, Any]]:
    """The per-version table (inbound and outbound, ocppwire vs the peer) and its numbers."""
    check_samples()
    rows, data = [], {}
    for version, samples in VERSION_SAMPLES.items():
        contenders = VersionContenders(version)
        for sample in samples:
            frame = sample.call_frame()
            ours_obj, peer_obj = contenders.ours_typed(sample), contenders.peer_typed(sample)
            ours_in, peer_in, ours_out, peer_out = measure_all(
                [
                    (contenders.ours_inbound, frame),
                    (contenders.peer_inbound, frame),
                    (contenders.ours_outbound(sample), ours_obj),
                    (contenders.peer_outbound(sample), peer_obj),
                ],
                budget,
            )
            label = f"{_PEER_VERSION[version]} {sample.label} ({len(frame):,} B)"
            data[label] = {
                "inbound": {"ocppwire": 1 / ours_in, "peer": 1 / peer_in},
                "outbound": {"ocppwire": 1 / ours_out, "peer": 1 / peer_out},
            }
            rows.append(
                [
                    label,
                    rate(1 / ours_in),
                    rate(1 / peer_in),
                    ratio(peer_in / ours_in),
                    rate(1 / ours_out),
                    rate(1 / peer_out),
                    ratio(peer_out / ours_out),
                ]
            )
    table = render(
        "Per OCPP version: CALL in (bytes → validated message) and out (typed message → bytes), messages/s",
        [
            "version, message",
            "in: ocppwire",
            "in: peer (ocpp)",
            "in: ocppwire ÷ peer",
            "out: ocppwire",
            "out: peer (ocpp)",
            "out: ocppwire ÷ peer",
        ],
        rows,
    )
    return table, data


if __name__ == "__main__":
    import sys

    print(run(Budget.quick() if "--quick" in sys.argv else Budget())[0])
