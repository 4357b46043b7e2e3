"""Standalone runner: ``python -m conformance [--cases N] [--hypothesis H] [--frames F] [--seed S] [--jobs J]``.

Runs the differential test (``--cases``, ``--hypothesis``; ``--schema NAME`` to narrow it) and the
frame fuzzer (``--frames``). Prints the agreement table and exits 1 on any unexplained
disagreement, code mismatch, harness error, crash or frame handled against the policy table, and
also when a documented deviation was never observed (the record is stale or the run too small).
"""

from __future__ import annotations

import argparse
import os
import sys

from .framefuzz import format_frame_report, run_frames
from .report import format_report, missing_deviations
from .run import run

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
    args = parser.parse_args(argv)
    failed = False
    if args.cases:
        result = run(args.cases, args.seed, args.jobs, args.schema, args.hypothesis)
        print(format_report(result))
        failed = result.failures > 0 or (args.schema is None and bool(missing_deviations(result)))
    if args.frames:
        frames = run_frames(args.seed, args.frames)
        print("\n" + format_frame_report(frames))
        failed = failed or sum(frames.failed.values()) > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
