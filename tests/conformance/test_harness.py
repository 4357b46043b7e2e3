"""The harness itself: deterministic, and able to see the faults it is there to find.

A differential test that never fails proves nothing unless it would fail on a wrong decoder; the
sensitivity tests below swap in a decoder that accepts too much and a policy mapping that picks
the wrong codes, and require the harness to report both.
"""

from __future__ import annotations

import random

import msgspec
import pytest

from conformance import subject
from conformance.cases import Case, cases_for, render
from conformance.oracle import OracleVerdict
from conformance.probes import RAW_MARKER
from conformance.run import classify, run
from conformance.schemas import by_name
from conformance.subject import SubjectVerdict
from ocppwire.runtime.errors import PropertyConstraintViolationError

SMALL = ["BootNotificationRequest", "TransactionEventRequest", "SetVariablesResponse", "HeartbeatRequest"]


def test_same_seed_same_bytes() -> None:
    schema = by_name("TransactionEventRequest")
    first = [c.data for c in cases_for(schema, 7, 200)]
    assert first == [c.data for c in cases_for(schema, 7, 200)]
    assert first != [c.data for c in cases_for(schema, 8, 200)]


def test_results_do_not_depend_on_process_count() -> None:
    one = run(200, 3, jobs=1, names=SMALL)
    two = run(200, 3, jobs=2, names=SMALL)
    assert [(s.name, s.valid, s.invalid, s.verdicts) for s in one.schemas] == [
        (s.name, s.valid, s.invalid, s.verdicts) for s in two.schemas
    ]


def test_raw_values_are_spliced_verbatim() -> None:
    data = render({"a": RAW_MARKER, "b": 1}, random.Random(0), raw="1.0")
    assert data.replace(b" ", b"") == b'{"a":1.0,"b":1}'


def test_a_permissive_decoder_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A decoder that accepts any JSON must show up as disagreements."""
    monkeypatch.setattr(subject, "decode", lambda tp, data: msgspec.json.decode(data))
    result = run(300, 5, jobs=1, names=SMALL)
    assert result.total("disagreement") > 100


def test_a_wrong_policy_mapping_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mapping every failure to PropertyConstraintViolation must show up as code mismatches."""
    monkeypatch.setattr(subject, "error_for_validation", lambda exc: PropertyConstraintViolationError(str(exc)))
    result = run(300, 5, jobs=1, names=SMALL)
    assert result.total("code") > 50


@pytest.mark.parametrize(
    ("intent", "ref", "ours", "verdict"),
    [
        (None, OracleVerdict(True), SubjectVerdict(True), "agreed"),
        (None, OracleVerdict(True), SubjectVerdict(False, "TypeConstraintViolation"), "disagreement"),
        (
            "TypeConstraintViolation",
            OracleVerdict(False, "type", "a", frozenset({("type", "a")})),
            SubjectVerdict(False, "TypeConstraintViolation"),
            "agreed",
        ),
        (
            "TypeConstraintViolation",
            OracleVerdict(False, "type", "a", frozenset({("type", "a")})),
            SubjectVerdict(False, "PropertyConstraintViolation"),
            "code",
        ),
        (  # the mutant broke something other than what it claims
            "TypeConstraintViolation",
            OracleVerdict(False, "maxLength", "a", frozenset({("maxLength", "a")})),
            SubjectVerdict(False, "TypeConstraintViolation"),
            "intent",
        ),
        ("ProtocolError", OracleVerdict(True), SubjectVerdict(True), "intent"),
        (None, OracleVerdict(True), SubjectVerdict(False, "crash:KeyError"), "crash"),
    ],
)
def test_classify(intent: str | None, ref: OracleVerdict, ours: SubjectVerdict, verdict: str) -> None:
    case = Case("X", "k", "a", intent, b"{}")
    assert classify(case, ref, ours)[0] == verdict


def test_a_deviation_explains_only_its_own_probe() -> None:
    ref, ours = OracleVerdict(True), SubjectVerdict(False, "TypeConstraintViolation")
    assert classify(Case("X", "probe:integral_float", "a", None, b"{}", "integral_float"), ref, ours) == (
        "explained",
        "D1",
    )
    assert classify(Case("X", "valid", "", None, b"{}"), ref, ours)[0] == "disagreement"
