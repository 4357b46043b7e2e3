"""Runtime and generator bugs the harness found and reported, pending a fix outside this harness.

The harness may not change the runtime or the generator. When it finds a bug there, the bug is
recorded here: which cases it covers (:attr:`KnownBug.applies`) and the verdict the policy table
prescribes for them. :func:`correct` substitutes that verdict before the case is classified, so the
rest of the run still judges everything else, and the report lists how many cases each record
covered. ``tests/conformance/test_known_bugs.py`` asserts the right behaviour with
``xfail(strict=True)``, and a record that no longer matches any case fails ``make conformance``
(like a stale deviation): once the bug is fixed, delete the record and the xfail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cases import Case
from .subject import SubjectVerdict

__all__ = ["KNOWN_BUGS", "KnownBug", "correct"]

PROPERTY = "PropertyConstraintViolation"


@dataclass(frozen=True, slots=True)
class KnownBug:
    """A reported bug: the cases it covers and the verdict ocppwire owes them."""

    id: str
    title: str
    applies: Callable[[Case, SubjectVerdict], bool]
    policy: SubjectVerdict
    where: str


def _multiple_of_code(case: Case, verdict: SubjectVerdict) -> bool:
    return not verdict.accepted and verdict.code == "FormatViolation" and "that's a multiple of" in verdict.description


def _uri_newline(case: Case, verdict: SubjectVerdict) -> bool:
    # The only malformed URIs ocppwire accepts are those ending in a newline (escaped in the JSON text).
    return verdict.accepted and case.kind == "uri_malformed" and b'\\n"' in case.data


KNOWN_BUGS: tuple[KnownBug, ...] = ()
"""Open bugs (none: B1 multipleOf code and B2 URI trailing newline are fixed; their tests stay in
tests/conformance/test_known_bugs.py). Add a record here when the harness finds a new one."""


def correct(case: Case, verdict: SubjectVerdict) -> tuple[SubjectVerdict, str]:
    """``verdict``, or the policy verdict when a known bug covers the case, and the bug id (or ``""``)."""
    for bug in KNOWN_BUGS:
        if bug.applies(case, verdict):
            return bug.policy, bug.id
    return verdict, ""
