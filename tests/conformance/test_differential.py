"""The differential test, bounded: ocppwire's decoder and the official schemas agree on every case.

One fixed-seed run (a few thousand cases over all 128 schemas, plus a few hypothesis-jsonschema
instances per schema) shared by the assertions below; ``make conformance`` runs the same harness
at 100,000+ cases. On failure the message is the runner's report, with the failing JSON.
"""

from __future__ import annotations

import pytest

from conformance.deviations import DEVIATIONS
from conformance.mutations import CUSTOM_DATA_MUTATIONS, MUTATIONS
from conformance.probes import PROBES
from conformance.report import format_report, missing_deviations
from conformance.run import RunResult, run
from conformance.schemas import load_all

SEED = 20_201
CASES = 2_500
HYPOTHESIS_EXAMPLES = 2


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run(CASES, SEED, jobs=1, hypothesis_examples=HYPOTHESIS_EXAMPLES)


def test_every_schema_ran(result: RunResult) -> None:
    assert len(result.schemas) == len(load_all()) == 128
    assert result.cases >= CASES
    assert all(s.valid > 0 and s.invalid > 0 for s in result.schemas), format_report(result)


def test_no_unexplained_disagreement(result: RunResult) -> None:
    assert result.total("disagreement") == 0, format_report(result)


def test_every_rejection_has_the_policy_code(result: RunResult) -> None:
    assert result.total("code") == 0, format_report(result)


def test_decoder_never_crashes(result: RunResult) -> None:
    assert result.total("crash") == 0, format_report(result)


def test_harness_makes_the_faults_it_claims(result: RunResult) -> None:
    """Valid instances are valid and each mutant breaks the schema where and how it says."""
    assert result.total("intent") == 0, format_report(result)


def test_every_documented_deviation_is_observed(result: RunResult) -> None:
    """A deviation that no longer happens must leave docs/conformance.md too."""
    assert missing_deviations(result) == [], format_report(result)


@pytest.mark.parametrize(
    "kind",
    ["valid", "valid:hypothesis"]
    + [m.__name__ for m in (*MUTATIONS, *CUSTOM_DATA_MUTATIONS)]
    + [f"probe:{p.__name__}" for p in PROBES],
)
def test_every_case_kind_is_exercised(result: RunResult, kind: str) -> None:
    counts = result.by_kind()
    assert counts[(kind, "agreed")] + counts[(kind, "explained")] > 0, f"no {kind} case ran"


def test_deviations_come_only_from_their_probes(result: RunResult) -> None:
    """Mutations and valid cases never need a deviation: only the probes aimed at one do."""
    counts = result.by_kind()
    probes = {p for d in DEVIATIONS for p in d.probes}
    explained_kinds = {kind for (kind, verdict), n in counts.items() if verdict == "explained" and n}
    assert explained_kinds <= {f"probe:{p}" for p in probes}
