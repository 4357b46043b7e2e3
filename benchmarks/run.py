"""``make bench``: every side-by-side benchmark in one run, printed as Markdown tables.

Codec benchmarks first (single process, interleaved rounds, medians; 2.0.1, then the rows of every
OCPP version side by side: :mod:`benchmarks.versions_bench`), then the end-to-end runs
(separate CSMS and load-generator processes, repeated round-robin, medians). ``--quick`` shortens
everything for trying the benchmark out; its numbers are not worth quoting. ``--json PATH`` also
writes every number behind the tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from . import codec_bench, e2e_bench, refused_frames, scale_bench, versions_bench
from .machine import describe, header_lines
from .timing import Budget

__all__ = ["main"]


def _note(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs, for trying the benchmark out")
    parser.add_argument("--only", choices=["codec", "e2e", "transports"], help="run one part only")
    parser.add_argument("--repeats", type=int, help="end-to-end repetitions per case (default 3, quick 1)")
    parser.add_argument("--json", metavar="PATH", help="also write all numbers to PATH")
    args = parser.parse_args()

    started = time.perf_counter()
    print("\n".join(header_lines()) + "\n", flush=True)
    results: dict[str, Any] = {"machine": describe()}
    if args.only in (None, "codec"):
        _note("codec benchmarks")
        report = codec_bench.run(Budget.quick() if args.quick else Budget())
        print("\n".join(report.tables), flush=True)
        results["codec"] = report.data
        _note("codec rows per OCPP version (1.6, 2.0.1, 2.1)")
        versions_table, versions_data = versions_bench.run(Budget.quick() if args.quick else Budget())
        print(versions_table, flush=True)
        results["versions"] = versions_data
        rows = refused_frames.measure(rounds=3 if args.quick else 7)
        print(refused_frames.table(rows) + "\n", flush=True)
        results["refused_frames"] = [row.__dict__ | {"ratio": row.ratio} for row in rows]
    if args.only in (None, "e2e"):
        repeats = args.repeats or (1 if args.quick else 3)
        config = e2e_bench.E2EConfig(
            repeats=repeats,
            duration=1.0 if args.quick else e2e_bench.E2EConfig.duration,
            stations=(100,) if args.quick else e2e_bench.E2EConfig.stations,
        )
        table, data = e2e_bench.run(config, _note)
        print(table, flush=True)
        results["e2e"] = data
    if args.only in (None, "transports"):
        repeats = args.repeats or (1 if args.quick else 3)
        for compression in (False, True):
            config = e2e_bench.E2EConfig(
                repeats=repeats,
                duration=1.0 if args.quick else e2e_bench.E2EConfig.duration,
                stations=(100,) if args.quick else e2e_bench.E2EConfig.stations,
                compression=compression,
                sim_transport="picows",
            )
            table, data = e2e_bench.run_transports(config, _note)
            print(table, flush=True)
            results[f"transports{'_deflate' if compression else ''}"] = data
        _note("memory per idle connection")
        table, rows = scale_bench.idle_memory(500 if args.quick else 2000)
        print(table, flush=True)
        results["idle_memory"] = rows
    print(f"(total {time.perf_counter() - started:.0f} s)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2, default=str)


if __name__ == "__main__":
    main()
