"""The differential test, bounded: ocppwire's decoder and the official schemas agree on every case,
for each OCPP version (1.6, 2.0.1, 2.1).

One fixed-seed run per version (a few thousand cases over all its schemas, plus two
hypothesis-jsonschema instances per schema) shared by the assertions below; ``make conformance``
runs the same harness at 100,000+ cases per version. On failure the message is the runner's
report, with the failing JSON.
"""

from __future__ import annotations

import pytest

from conformance.deviations import DEVIATIONS
from conformance.mutations import CUSTOM_DATA_MUTATIONS, MUTATIONS
from conformance.probes import PROBES
from conformance.report import format_report, missing_deviations
from conformance.run import RunResult, run
from conformance.schemas import VERSIONS, load_all, schema_set

SEED = 20_201
CASES = {"v16": 5_000, "v201": 2_500, "v21": 2_500}
HYPOTHESIS_EXAMPLES = 2

_CUSTOM_DATA = {m.__name__ for m in CUSTOM_DATA_MUTATIONS}
_ONLY_16 = {"not_multiple", "uri_malformed", "probe:decimal_multiple", "probe:float_multiple", "probe:loose_uri"}
NOT_APPLICABLE = {
    # 1.6 has no customData, no minimum/maximum, no maxItems, and no number or untyped value 1e400 fits
    # (its numbers carry multipleOf; DataTransfer data is a string).
    "v16": _CUSTOM_DATA | {"out_of_range", "array_too_long", "probe:float_overflow"},
    "v201": _ONLY_16,
    "v21": _ONLY_16,
}
"""Case kinds a schema set has no field for."""

_results: dict[str, RunResult] = {}


@pytest.fixture(scope="module", params=[v.name for v in VERSIONS])
def result(request: pytest.FixtureRequest) -> RunResult:
    version = request.param
    if version not in _results:
        _results[version] = run(CASES[version], SEED, jobs=1, hypothesis_examples=HYPOTHESIS_EXAMPLES, version=version)
    return _results[version]


def test_every_schema_ran(result: RunResult) -> None:
    assert len(result.schemas) == len(load_all(result.version)) == schema_set(result.version).files
    assert result.cases >= CASES[result.version]
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


def test_deviations_of_other_versions_stay_away(result: RunResult) -> None:
    """D7-D9 (1.6 decimals and URIs) cannot happen in 2.x: their fields do not exist there."""
    seen = result.deviations()
    assert {d.id for d in DEVIATIONS if seen[d.id] and result.version not in d.versions} == set()


_KINDS = (
    ["valid", "valid:hypothesis"]
    + [m.__name__ for m in (*MUTATIONS, *CUSTOM_DATA_MUTATIONS)]
    + [f"probe:{p.__name__}" for p in PROBES]
)


@pytest.mark.parametrize("kind", _KINDS)
def test_every_case_kind_is_exercised(result: RunResult, kind: str) -> None:
    counts = result.by_kind()
    ran = counts[(kind, "agreed")] + counts[(kind, "explained")]
    if kind in NOT_APPLICABLE[result.version]:
        assert sum(n for (k, _), n in counts.items() if k == kind) == 0, f"{kind} ran on {result.version}"
    else:
        assert ran > 0, f"no {kind} case ran on {result.version}"


def test_deviations_come_only_from_their_probes(result: RunResult) -> None:
    """Mutations and valid cases never need a deviation: only the probes aimed at one do."""
    counts = result.by_kind()
    probes = {p for d in DEVIATIONS for p in d.probes}
    explained_kinds = {kind for (kind, verdict), n in counts.items() if verdict == "explained" and n}
    assert explained_kinds <= {f"probe:{p}" for p in probes}
