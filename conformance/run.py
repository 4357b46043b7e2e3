"""Run cases through both judges and tally the verdicts per schema and per case kind.

Verdict of one case:

- ``agreed``       both accept, or both reject and our code is the one the fault implies;
- ``explained``    a disagreement matching a documented deviation exactly;
- ``disagreement`` one accepts, the other rejects, and no deviation covers it;
- ``code``         both reject, but our CALLERROR code is not the one the policy table implies;
- ``intent``       the harness was wrong: a "valid" payload the schema rejects, a mutant it
                   accepts, or a mutant the schema rejects for another reason than the intended
                   fault (the generator or a mutation has a bug);
- ``crash``        the decoder raised something other than a msgspec error.

Schemas run independently (own seed each), in ``jobs`` processes; results are merged in schema
order, so the report does not depend on ``jobs``.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from dataclasses import dataclass, field

from . import oracle, subject
from .cases import Case, cases_for
from .deviations import explain
from .known_bugs import correct
from .schemas import MessageSchema, by_name, load_all

__all__ = ["FAILURES", "Finding", "RunResult", "SchemaResult", "classify", "run", "run_schema"]

FAILURES = ("disagreement", "code", "intent", "crash")
"""Verdicts that fail a run."""

MAX_FINDINGS_PER_SCHEMA = 5

SCHEMA_KEYWORDS: dict[str, frozenset[str]] = {
    "OccurrenceConstraintViolation": frozenset({"required", "minItems", "maxItems"}),
    "TypeConstraintViolation": frozenset({"type"}),
    "PropertyConstraintViolation": frozenset({"maxLength", "enum", "minimum", "maximum", "format", "multipleOf"}),
    "ProtocolError": frozenset({"additionalProperties"}),
    "FormatViolation": frozenset({"type"}),  # at the root only: the payload is not an object
}
"""The schema keywords behind each policy code."""


def intent_confirmed(intent: str, ref: oracle.OracleVerdict) -> bool:
    """Whether the schema rejected the mutant for the fault the mutation meant to make.

    The intended code comes from the harness, not from the schema; this keeps it honest. All
    errors must sit at one place (one fault), and one of them must be a keyword of the intended
    code - others at the same place are side effects (a number in an enum field also fails
    ``enum``).
    """
    return len({path for _, path in ref.errors}) == 1 and any(
        keyword in SCHEMA_KEYWORDS[intent] for keyword, _ in ref.errors
    )


@dataclass(frozen=True, slots=True)
class Finding:
    """A failing case, kept for the report: enough to reproduce and read it."""

    verdict: str
    case: Case
    oracle: oracle.OracleVerdict
    subject: subject.SubjectVerdict


@dataclass
class SchemaResult:
    """Tallies for one schema."""

    name: str
    valid: int = 0  # cases the schema accepts
    invalid: int = 0  # cases the schema rejects
    verdicts: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, verdict)
    deviations: Counter[str] = field(default_factory=Counter)  # deviation id -> cases
    known_bugs: Counter[str] = field(default_factory=Counter)  # known-bug id -> cases it covered
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def cases(self) -> int:
        return self.valid + self.invalid


@dataclass
class RunResult:
    """All schemas of one schema set in one run."""

    seed: int
    schemas: list[SchemaResult]
    seconds: float = 0.0
    version: str = "v201"

    def total(self, verdict: str) -> int:
        return sum(s.verdicts[verdict] for s in self.schemas)

    @property
    def cases(self) -> int:
        return sum(s.cases for s in self.schemas)

    @property
    def failures(self) -> int:
        return sum(self.total(v) for v in FAILURES)

    def deviations(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for s in self.schemas:
            counts.update(s.deviations)
        return counts

    def by_kind(self) -> Counter[tuple[str, str]]:
        counts: Counter[tuple[str, str]] = Counter()
        for s in self.schemas:
            counts.update(s.by_kind)
        return counts

    def known_bugs(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for s in self.schemas:
            counts.update(s.known_bugs)
        return counts


def classify(case: Case, ref: oracle.OracleVerdict, ours: subject.SubjectVerdict) -> tuple[str, str]:
    """``(verdict, deviation id)`` for one case (see the module docstring)."""
    if ours.code.startswith("crash:"):
        return "crash", ""
    if ref.accepted != ours.accepted:
        deviation = explain(case, ref, ours)
        return ("explained", deviation.id) if deviation else ("disagreement", "")
    if ref.accepted:
        return ("agreed", "") if case.intent is None else ("intent", "")
    if case.intent is None or not intent_confirmed(case.intent, ref):
        return "intent", ""
    return ("agreed", "") if ours.code == case.intent else ("code", "")


def run_schema(schema: MessageSchema, seed: int, budget: int, hypothesis_examples: int = 0) -> SchemaResult:
    """Generate and judge the cases for one schema (see :func:`~conformance.cases.cases_for`)."""
    started = time.perf_counter()
    result = SchemaResult(schema.name)
    for case in cases_for(schema, seed, budget, hypothesis_examples):
        ref = oracle.judge(schema, case.data)
        ours, bug = correct(case, subject.judge(schema, case.data))
        if bug:
            result.known_bugs[bug] += 1
        if ref.accepted:
            result.valid += 1
        else:
            result.invalid += 1
        verdict, deviation = classify(case, ref, ours)
        result.verdicts[verdict] += 1
        result.by_kind[(case.kind, verdict)] += 1
        if deviation:
            result.deviations[deviation] += 1
        if verdict in FAILURES and len(result.findings) < MAX_FINDINGS_PER_SCHEMA:
            result.findings.append(Finding(verdict, case, ref, ours))
    result.seconds = time.perf_counter() - started
    return result


def _run_named(args: tuple[str, str, int, int, int]) -> SchemaResult:
    version, name, seed, budget, hypothesis_examples = args
    return run_schema(by_name(name, version), seed, budget, hypothesis_examples)


def run(
    total: int,
    seed: int,
    jobs: int = 1,
    names: list[str] | None = None,
    hypothesis_examples: int = 0,
    version: str = "v201",
) -> RunResult:
    """At least ``total`` cases from the harness's generator spread evenly over the schemas of the
    set ``version`` (all, or ``names``), plus the cases built on ``hypothesis_examples``
    hypothesis-jsonschema instances per schema."""
    started = time.perf_counter()
    schemas = [s for s in load_all(version) if names is None or s.name in names]
    if not schemas:
        raise ValueError(f"no schema of {version} selected")
    budget = -(-total // len(schemas))  # ceiling: at least `total` cases overall
    work = [(version, s.name, seed, budget, hypothesis_examples) for s in schemas]
    if jobs > 1:
        # Largest schemas are not known up front; small chunks keep both workers busy to the end.
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_run_named, work, chunksize=1)
    else:
        results = [_run_named(w) for w in work]
    return RunResult(seed, results, time.perf_counter() - started, version)
