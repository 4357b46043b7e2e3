"""A refused frame costs a small multiple of a valid frame of the same size (benchmarks/refused_frames.py).

Ratios within one run, each the median of back-to-back pairs, so machine speed cancels out; a kind
that looks slow is measured again (up to three times) before it counts, because another process
on a loaded test machine can still land on one side of many pairs. The benchmark's target is 3x; the
test allows 4x, while the cost it guards against (a Python loop over every character of a 1 MiB
frame: 48x) fails it by far.
"""

from __future__ import annotations

from benchmarks.refused_frames import measure

LIMIT = 4.0


def test_every_refused_kind_costs_at_most_a_small_multiple_of_a_valid_frame() -> None:
    rows = measure(approx_size=2**19, rounds=9)
    assert {row.outcome for row in rows} >= {"RpcFrameworkError", "MessageTypeNotSupported", "ProtocolError"}
    best = {row.kind: row.ratio for row in rows}
    for _ in range(2):
        if all(ratio <= LIMIT for ratio in best.values()):
            break
        for row in measure(approx_size=2**19, rounds=9):
            best[row.kind] = min(best[row.kind], row.ratio)
    assert {kind: round(ratio, 1) for kind, ratio in best.items() if ratio > LIMIT} == {}
