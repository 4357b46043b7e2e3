"""Codec benchmarks: frames in (decode + full validation), typed messages out, and what customData costs.

Every contender gets the same bytes (:mod:`benchmarks.samples`); see :mod:`benchmarks.contenders`
for exactly what each one does with them. Results are messages per second (the inverse of the
median time per message) and ratios between contenders measured in the same interleaved rounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ocppwire.runtime.customdata import CustomData, register, unregister
from ocppwire.runtime.payload import dec_hook
from ocppwire.runtime.payload import decoder_for

from . import contenders as c
from .samples import CUSTOM_DATA, CUSTOM_VENDOR_ID, INBOUND, RESPONSES, Sample, with_custom_data
from .table import rate, ratio, render
from .timing import Budget, measure_all

__all__ = ["CodecReport", "run"]


@dataclass
class CodecReport:
    """Tables to print and the numbers behind them (for JSON output)."""

    tables: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def _geomean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


# ---- inbound ----------------------------------------------------------------------------------
def inbound(budget: Budget, report: CodecReport) -> None:
    """Decode + validate each CALL frame: ocppwire vs the peer vs untyped parsing."""
    rows, data = [], {}
    vs_peer, vs_msgspec = [], []
    for sample in INBOUND:
        frame = sample.call_frame()
        ours, peer, parse_ms, parse_oj = measure_all(
            [(c.ours_inbound, frame), (c.peer_inbound, frame), (c.parse_msgspec, frame), (c.parse_orjson, frame)],
            budget,
        )
        vs_peer.append(peer / ours)
        vs_msgspec.append(parse_ms / ours)
        data[sample.label] = {
            "bytes": len(frame),
            "ocppwire": 1 / ours,
            "peer": 1 / peer,
            "msgspec": 1 / parse_ms,
            "orjson": 1 / parse_oj,
        }
        rows.append(
            [
                f"{sample.label} ({len(frame):,} B)",
                rate(1 / ours),
                rate(1 / peer),
                ratio(peer / ours),
                rate(1 / parse_ms),
                rate(1 / parse_oj),
                ratio(parse_ms / ours),
                ratio(peer / parse_ms),
            ]
        )
    rows.append(["geometric mean", "", "", ratio(_geomean(vs_peer)), "", "", ratio(_geomean(vs_msgspec)), ""])
    data["geomean"] = {"vs_peer": _geomean(vs_peer), "vs_msgspec": _geomean(vs_msgspec)}
    report.data["inbound"] = data
    report.tables.append(
        render(
            "Inbound CALL: bytes → validated message (messages/s)",
            [
                "frame",
                "ocppwire",
                "peer (ocpp)",
                "ocppwire ÷ peer",
                "msgspec untyped",
                "orjson untyped",
                "ocppwire ÷ msgspec",
                "msgspec ÷ peer",
            ],
            rows,
        )
    )


# ---- outbound ---------------------------------------------------------------------------------
def outbound(budget: Budget, report: CodecReport) -> None:
    """Typed message → frame bytes, each side validating what it sends (both libraries' default)."""
    rows, data = [], {}
    cases = [(s, False) for s in INBOUND] + [(s, True) for s in RESPONSES if s.payload]
    for sample, response in cases:
        ours_obj, peer_obj = c.ours_typed(sample, response=response), c.peer_typed(sample, response=response)
        ours, ours_raw, peer, peer_raw = measure_all(
            [
                (c.ours_outbound(sample, response=response), ours_obj),
                (c.ours_outbound_unchecked(sample, response=response), ours_obj),
                (c.peer_outbound(sample, response=response), peer_obj),
                (c.peer_outbound(sample, response=response, validate=False), peer_obj),
            ],
            budget,
        )
        kind = "CALLRESULT" if response else "CALL"
        label = f"{sample.label if response else sample.label} {kind}"
        data[label] = {
            "ocppwire": 1 / ours,
            "ocppwire_unchecked": 1 / ours_raw,
            "peer": 1 / peer,
            "peer_unchecked": 1 / peer_raw,
        }
        rows.append(
            [
                label,
                rate(1 / ours),
                rate(1 / peer),
                ratio(peer / ours),
                rate(1 / ours_raw),
                rate(1 / peer_raw),
                ratio(peer_raw / ours_raw),
            ]
        )
    report.data["outbound"] = data
    report.tables.append(
        render(
            "Outbound: typed message → frame bytes (messages/s)",
            [
                "message",
                "ocppwire",
                "peer (ocpp)",
                "ocppwire ÷ peer",
                "ocppwire, no validation",
                "peer, no validation",
                "÷ (no validation)",
            ],
            rows,
        )
    )


# ---- customData -------------------------------------------------------------------------------
class BenchCustomData(msgspec.Struct, CustomData, kw_only=True, forbid_unknown_fields=True):
    """The registered vendor type of the customData rows."""

    vendor_id: str = msgspec.field(name="vendorId")
    main_meter_value: int = msgspec.field(name="mainMeterValue")
    sessions_to_date: int = msgspec.field(name="sessionsToDate")


def _payload(frame: bytes) -> bytes:
    """The payload bytes of a CALL frame."""
    return bytes(c.HEADER.decode(frame).payload)


def custom_data(budget: Budget, report: CodecReport) -> None:
    """The same messages without customData, with an unregistered vendorId, with a registered one."""
    assert dec_hook is not None
    register(CUSTOM_VENDOR_ID)(BenchCustomData)
    unregistered = dict(CUSTOM_DATA, vendorId="com.example.unregistered")
    rows, data = [], {}
    try:
        for sample in (INBOUND[1], INBOUND[2], INBOUND[3]):
            plain = sample.call_frame()
            foreign = Sample(sample.label, sample.action, {**sample.payload, "customData": unregistered}).call_frame()
            known = with_custom_data(sample).call_frame()
            assert isinstance(c.ours_inbound(known)[2].custom_data, BenchCustomData)
            spec = c.REGISTRY[sample.action]
            payload = _payload(plain)
            timings = measure_all(
                [
                    (c.ours_inbound, plain),
                    (c.ours_inbound, foreign),
                    (c.ours_inbound, known),
                    (c.peer_inbound, plain),
                    (c.peer_inbound, foreign),
                    (c.peer_inbound, known),
                    (decoder_for(spec.request).decode, payload),
                    (msgspec.json.Decoder(spec.request).decode, payload),
                ],
                budget,
            )
            ours_plain, ours_foreign, ours_known, peer_plain, peer_foreign, peer_known, hooked, bare = timings
            variants = [
                ("no customData", ours_plain, peer_plain, ours_plain),
                ("customData, unregistered vendorId", ours_foreign, peer_foreign, ours_plain),
                ("customData, registered vendorId", ours_known, peer_known, ours_plain),
                ("no customData, payload only, runtime decoder (customData hook)", hooked, None, hooked),
                ("no customData, payload only, msgspec decoder without hook", bare, None, hooked),
            ]
            for name, ours, peer, base in variants:
                label = f"{sample.label}: {name}"
                data[label] = {"ocppwire": 1 / ours, "peer": None if peer is None else 1 / peer}
                rows.append(
                    [
                        label,
                        rate(1 / ours),
                        f"{(ours - base) * 1e9:+,.0f} ns",
                        "" if peer is None else rate(1 / peer),
                        "" if peer is None else ratio(peer / ours),
                    ]
                )
    finally:
        unregister(CUSTOM_VENDOR_ID)
    report.data["custom_data"] = data
    report.tables.append(
        render(
            "customData: inbound decode + validation (messages/s)",
            ["message", "ocppwire", "extra time per message", "peer (ocpp)", "ocppwire ÷ peer"],
            rows,
        )
    )


def run(budget: Budget) -> CodecReport:
    """All codec benchmarks."""
    report = CodecReport()
    inbound(budget, report)
    outbound(budget, report)
    custom_data(budget, report)
    return report


if __name__ == "__main__":
    import sys

    result = run(Budget.quick() if "--quick" in sys.argv else Budget())
    print("\n".join(result.tables))
