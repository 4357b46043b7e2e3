"""What a refused frame costs to diagnose, against decoding a valid frame of the same size.

A CSMS must say precisely what is wrong with a bad frame (docs/runtime.md, "CALLERROR policy"),
but that diagnosis must not cost much more than accepting a good frame, or refused frames become
the cheapest way for one station to load the CSMS. Each row times the codec's full path (header,
payload, diagnosis) on a 1 MiB-class frame that is refused for one reason, divided by the same path
on the valid frame it was made from. Target: at most 3x for every row.

``python -m benchmarks.refused_frames`` prints the table; ``make bench`` includes it.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from ocppwire.runtime.codec import Codec, FrameError
from ocppwire.v201 import ACTIONS

__all__ = ["Row", "TARGET", "measure", "table"]

TARGET = 3.0
"""The most a refused frame may cost, as a multiple of a valid frame of the same size."""


@dataclass(frozen=True)
class Row:
    kind: str
    size: int
    valid_ms: float
    refused_ms: float
    outcome: str

    @property
    def ratio(self) -> float:
        return self.refused_ms / self.valid_ms


def _meter_values(approx_size: int) -> str:
    sample = {"value": 1.5, "measurand": "Energy.Active.Import.Register"}
    meter = {"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [sample] * 20}
    return json.dumps({"evseId": 1, "meterValue": [meter] * max(1, approx_size // 1500)})


def _frames(approx_size: int) -> tuple[bytes, dict[str, bytes]]:
    payload = _meter_values(approx_size)
    valid = f'[2,"v","MeterValues",{payload}]'.encode()
    open_payload = payload[:-1]
    refused = {
        "not JSON (cut short)": valid[:-2],
        "lone surrogate escape": f'[2,"v","MeterValues",{open_payload},"x":"\\ud800"}}]'.encode(),
        "invalid UTF-8": f'[2,"v","MeterValues",{open_payload},"x":"\xff"}}]'.encode("latin-1"),
        "number out of range": f'[2,"v","MeterValues",{open_payload},"x":1e400}}]'.encode(),
        "wrong element count": f'[2,"v","MeterValues",{payload},5]'.encode(),
        "unknown message type": f'[7,"v","MeterValues",{payload}]'.encode(),
        "not an array": f'{{"a":{payload}}}'.encode(),
        "schema violation at the end": f'[2,"v","MeterValues",{open_payload},"x":1}}]'.encode(),
    }
    return valid, refused


def _once(run: Callable[[bytes], object], data: bytes) -> float:
    started = time.perf_counter()
    run(data)
    return time.perf_counter() - started


def measure(approx_size: int = 2**20, rounds: int = 7) -> list[Row]:
    """Time every refused kind against the valid frame.

    Each round times the valid frame and the refused one back to back and keeps their ratio; a row
    reports the median ratio (and the best times), so a machine busy with other work slows both
    sides of a pair alike instead of skewing the result.
    """
    codec = Codec(ACTIONS)

    def full(data: bytes) -> object:
        try:
            return codec.decode_incoming(data)
        except FrameError as exc:
            return exc

    valid, refused = _frames(approx_size)
    full(valid)  # warm the decoders
    rows = []
    for kind, data in refused.items():
        pairs = [(_once(full, valid), _once(full, data)) for _ in range(rounds)]
        ratio = statistics.median(r / v for v, r in pairs)
        valid_ms = min(v for v, _ in pairs) * 1000
        result = full(data)
        outcome = f"{result.error.code.value}" if isinstance(result, FrameError) else "accepted"
        rows.append(Row(kind, len(data), valid_ms, valid_ms * ratio, outcome))
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        f"Refused frames: diagnosis cost against a valid frame of the same size (target <= {TARGET:g}x)",
        "",
        "| refused because | size | valid ms | refused ms | ratio | answer |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.kind} | {row.size:,} | {row.valid_ms:.2f} | {row.refused_ms:.2f} | {row.ratio:.1f}x | {row.outcome} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(measure()))
