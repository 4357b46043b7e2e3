"""Plain-text tables of a :class:`~conformance.run.RunResult`: per message, per case kind, deviations,
and the failing cases (as reproducible JSON)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .deviations import DEVIATIONS
from .known_bugs import KNOWN_BUGS
from .run import FAILURES, RunResult
from .schemas import schema_set

__all__ = ["format_report", "missing_deviations", "stale_known_bugs", "summary"]

_MESSAGE_COLUMNS = ("message", "valid", "invalid", "agreed", "disagreements", "code mismatches", "explained", "harness")


def _table(headers: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> list[str]:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    lines = []
    for index, row in enumerate([headers, *rows]):
        cells = [str(x).ljust(w) if i == 0 else str(x).rjust(w) for i, (x, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def missing_deviations(result: RunResult) -> list[str]:
    """Ids of documented deviations of this run's schema set it never observed (a stale record, or
    too small a run)."""
    seen = result.deviations()
    return [d.id for d in DEVIATIONS if result.version in d.versions and not seen[d.id]]


def stale_known_bugs(results: Sequence[RunResult]) -> list[str]:
    """Ids of known runtime bugs no case of these runs ran into (fixed: delete the record)."""
    seen: Counter[str] = Counter()
    for result in results:
        seen.update(result.known_bugs())
    return [b.id for b in KNOWN_BUGS if not seen[b.id]]


def summary(result: RunResult) -> list[str]:
    """The headline figures (what docs/conformance.md quotes)."""
    cases, agreed, explained = result.cases, result.total("agreed"), result.total("explained")
    probe_kinds = {f"probe:{p}" for d in DEVIATIONS for p in d.probes}
    counts = result.by_kind()
    rest = sum(n for (kind, _), n in counts.items() if kind not in probe_kinds)
    rest_agreed = sum(n for (kind, verdict), n in counts.items() if kind not in probe_kinds and verdict == "agreed")
    valid = sum(s.valid for s in result.schemas)
    bugs = result.known_bugs()
    return [
        f"OCPP {schema_set(result.version).ocpp_version} ({result.version}, {len(result.schemas)} schemas): "
        f"cases {cases} (schema-valid {valid}, schema-invalid {cases - valid}), seed {result.seed}, {result.seconds:.1f} s",
        f"agreed (same verdict, and the policy code on rejection): {agreed} ({100 * agreed / cases:.3f}%)",
        f"documented deviations: {explained} ({100 * explained / cases:.3f}%), all from the probes aimed at them",
        f"cases other than those probes: {rest}, agreed {rest_agreed} ({100 * rest_agreed / max(rest, 1):.3f}%)",
        f"unexplained disagreements {result.total('disagreement')}, code mismatches {result.total('code')}, "
        f"harness errors {result.total('intent')}, crashes {result.total('crash')}",
        "known runtime bugs (reported, codes corrected before judging): "
        + (", ".join(f"{k} {n} cases" for k, n in sorted(bugs.items())) or "none"),
    ]


def format_report(result: RunResult, *, verbose_findings: int = 20) -> str:
    """The agreement table and everything needed to act on a failure."""
    rows: list[tuple[object, ...]] = []
    for s in result.schemas:
        v = s.verdicts
        rows.append(
            (
                s.name,
                s.valid,
                s.invalid,
                v["agreed"],
                v["disagreement"],
                v["code"],
                v["explained"],
                v["intent"] + v["crash"],
            )
        )
    totals = (
        "TOTAL",
        sum(s.valid for s in result.schemas),
        sum(s.invalid for s in result.schemas),
        result.total("agreed"),
        result.total("disagreement"),
        result.total("code"),
        result.total("explained"),
        result.total("intent") + result.total("crash"),
    )
    drafts = "Draft 4 / Draft 6" if result.version == "v16" else "Draft 6"
    lines = [
        f"Differential conformance, OCPP {schema_set(result.version).ocpp_version} ({result.version}): "
        f"ocppwire decoder vs jsonschema {drafts} (seed {result.seed})",
        "",
    ]
    lines += _table(_MESSAGE_COLUMNS, [*rows, totals])

    kinds = sorted({k for k, _ in result.by_kind()})
    counts = result.by_kind()
    kind_rows = [
        (
            kind,
            sum(counts[(kind, v)] for v in ("agreed", "explained", *FAILURES)),
            counts[(kind, "agreed")],
            counts[(kind, "explained")],
            sum(counts[(kind, v)] for v in FAILURES),
        )
        for kind in kinds
    ]
    lines += ["", "By case kind:"]
    lines += _table(("kind", "cases", "agreed", "explained", "failed"), kind_rows)

    seen = result.deviations()
    lines += ["", "Documented deviations (docs/conformance.md):"]
    lines += _table(
        ("id", "cases", "schema", "ocppwire", "title"),
        [
            (
                d.id,
                seen[d.id],
                "accepts" if d.schema_accepts else "rejects",
                "accepts" if d.ocppwire_accepts else f"rejects ({d.ocppwire_code})",
                d.title,
            )
            for d in DEVIATIONS
            if result.version in d.versions or seen[d.id]
        ],
    )
    bugs = result.known_bugs()
    if bugs:
        lines += ["", "Known runtime bugs (reported to the lead; the policy code is used for judging):"]
        lines += _table(
            ("id", "cases", "owed", "title"),
            [(b.id, bugs[b.id], b.policy.code or "acceptance", b.title) for b in KNOWN_BUGS if bugs[b.id]],
        )
        lines += [f"  {b.id}: {b.where}" for b in KNOWN_BUGS if bugs[b.id]]

    lines += ["", *summary(result)]
    missing = missing_deviations(result)
    if missing:
        lines.append(f"deviations never observed: {', '.join(missing)}")

    findings = [f for s in result.schemas for f in s.findings][:verbose_findings]
    if findings:
        lines += ["", "Failing cases (first of each schema):"]
        for f in findings:
            data = f.case.data.decode("utf-8", "backslashreplace")
            if len(data) > 300:
                data = data[:300] + "..."
            lines += [
                f"- [{f.verdict}] {f.case.schema} {f.case.kind} at '{f.case.path}': intent {f.case.intent}; "
                f"schema {'accepts' if f.oracle.accepted else f'rejects ({f.oracle.keyword} at {f.oracle.path})'}; "
                f"ocppwire {'accepts' if f.subject.accepted else f'rejects {f.subject.code}: {f.subject.description}'}",
                f"    {data}",
            ]
    return "\n".join(lines)
