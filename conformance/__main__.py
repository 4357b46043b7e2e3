"""Standalone runner: ``python -m conformance [--version V] [--cases N] [--hypothesis H] [--frames F] [--seed S]``.

Runs, for each schema set (``--version v16 --version v21``; all three by default), the differential
test (``--cases`` per version, ``--hypothesis``; ``--schema NAME`` to narrow it) and the frame fuzzer
(``--frames`` per version). Prints the agreement tables and exits 1 on any unexplained
disagreement, code mismatch, harness error, crash or frame handled against the policy table, and
also when a documented deviation was never observed (the record is stale or the run too small) or a
known runtime bug no longer occurs (the record is stale).
"""

from __future__ import annotations

import argparse
import os
import sys

from .framefuzz import format_frame_report, run_frames
from .report import format_report, missing_deviations, stale_known_bugs
from .run import RunResult, run
from .schemas import VERSIONS

DEFAULT_CASES = 100_000
DEFAULT_SEED = 20_201
DEFAULT_HYPOTHESIS = 10
DEFAULT_FRAMES = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help="total cases (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed (default %(default)s)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="processes (default %(default)s)")
    parser.add_argument(
        "--hypothesis",
        type=int,
        default=DEFAULT_HYPOTHESIS,
        help="hypothesis-jsonschema instances per schema, each mutated too (default %(default)s)",
    )
    parser.add_argument(
        "--frames", type=int, default=DEFAULT_FRAMES, help="frames for the codec fuzzer (default %(default)s)"
    )
    parser.add_argument("--schema", action="append", help="only this schema (repeatable), e.g. BootNotificationRequest")
    parser.add_argument(
        "--version",
        action="append",
        choices=[v.name for v in VERSIONS],
        help="only this schema set (repeatable; default: all)",
    )
    args = parser.parse_args(argv)
    versions = args.version or [v.name for v in VERSIONS]
    failed = False
    results: list[RunResult] = []
    summary: list[str] = []
    for version in versions:
        if args.cases:
            result = run(args.cases, args.seed, args.jobs, args.schema, args.hypothesis, version)
            results.append(result)
            print(format_report(result) + "\n")
            missing = args.schema is None and bool(missing_deviations(result))
            failed = failed or result.failures > 0 or missing
            summary.append(
                f"{version}: {result.cases} payload cases, {result.failures} failures"
                + (f", deviations never observed: {missing_deviations(result)}" if missing else "")
            )
        if args.frames:
            frames = run_frames(args.seed, args.frames, version)
            print(format_frame_report(frames) + "\n")
            bad = sum(frames.failed.values())
            failed = failed or bad > 0
            summary.append(f"{version}: {frames.total} frames, {bad} failures")
    stale = stale_known_bugs(results) if results and args.schema is None and len(versions) == len(VERSIONS) else []
    if stale:
        summary.append(f"known runtime bugs no longer observed (delete their records): {', '.join(stale)}")
        failed = True
    print("\n".join(["Summary:", *summary]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
