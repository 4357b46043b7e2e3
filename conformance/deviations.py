"""The documented, deliberate differences between our decoder and the official schemas.

Each :class:`Deviation` names the probes that exhibit it and the exact pair of verdicts expected
(schema says X, ocppwire says Y with code Z). A disagreement is *explained* only when it matches
one of these records exactly; anything else is a failure. ``docs/conformance.md`` gives the
reasoning; keep the two in step (``tests/conformance`` checks every record here is observed).
"""

from __future__ import annotations

from dataclasses import dataclass

from .cases import Case
from .oracle import OracleVerdict
from .subject import DECODE_ERROR, SubjectVerdict

__all__ = ["DEVIATIONS", "Deviation", "explain"]


@dataclass(frozen=True, slots=True)
class Deviation:
    """One deliberate difference: which probes, which verdict pair, and why (one line)."""

    id: str
    title: str
    probes: frozenset[str]
    schema_accepts: bool
    ocppwire_accepts: bool
    ocppwire_code: str  # "" when ocppwire accepts
    reason: str
    versions: frozenset[str] = frozenset({"v16", "v201", "v21"})
    """The schema sets where a full run must observe it (the sets whose schemas have the fields its
    probes aim at)."""


DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        "D1",
        "integral float for an integer field",
        frozenset({"integral_float", "exponent_integer"}),
        schema_accepts=True,
        ocppwire_accepts=False,
        ocppwire_code="TypeConstraintViolation",
        reason="draft-06 counts 5.0 and 1e1 as integers; msgspec's strict int rejects a JSON number "
        "written with a fraction or exponent, as OCPP's 'integer' data type intends",
    ),
    Deviation(
        "D2",
        "number beyond what msgspec represents",
        frozenset({"float_overflow", "huge_integer"}),
        schema_accepts=True,
        ocppwire_accepts=False,
        ocppwire_code="PropertyConstraintViolation",
        reason="1e400 has no IEEE-754 value and an integer of 4301+ digits is past CPython's "
        "int/str conversion limit; msgspec refuses both ('Number/Integer value out of range')",
    ),
    Deviation(
        "D3",
        "lenient date-time separators",
        frozenset({"datetime_space", "datetime_offset_no_colon"}),
        schema_accepts=False,
        ocppwire_accepts=True,
        ocppwire_code="",
        reason="msgspec's RFC 3339 parser also accepts a space for 'T' and '+hhmm' offsets; "
        "the value is unambiguous, and rejecting it would need a slower, hand-written parser",
    ),
    Deviation(
        "D4",
        "date-times Python's datetime cannot hold",
        frozenset({"datetime_leap_second", "datetime_year_zero", "datetime_max_rounding"}),
        schema_accepts=True,
        ocppwire_accepts=False,
        ocppwire_code="PropertyConstraintViolation",
        reason="second 60, year 0000 and instants past 9999-12-31T23:59:59.999999 are RFC 3339 "
        "but outside datetime.datetime, the type the bindings expose",
    ),
    Deviation(
        "D5",
        "lone UTF-16 surrogate escape",
        frozenset({"lone_surrogate"}),
        schema_accepts=True,
        ocppwire_accepts=False,
        ocppwire_code=DECODE_ERROR,
        reason="'\\ud800' escapes no Unicode character; msgspec refuses the text as malformed JSON "
        "(a frame-level error) where Python's json module lets the half character through",
    ),
    Deviation(
        "D6",
        "duplicate property names",
        frozenset({"duplicate_key"}),
        schema_accepts=True,
        ocppwire_accepts=False,
        ocppwire_code="TypeConstraintViolation",
        reason="RFC 8259 leaves duplicate names to the parser: Python's json keeps only the last "
        "value, msgspec validates every occurrence, so a wrong first value is still caught",
    ),
    Deviation(
        "D7",
        "decimal multipleOf 0.1 that binary division misses (1.6)",
        frozenset({"decimal_multiple"}),
        schema_accepts=False,
        ocppwire_accepts=True,
        ocppwire_code="",
        reason="0.3 is a multiple of 0.1 as JSON Schema defines it; jsonschema divides binary floats "
        "(0.3 / 0.1 = 2.9999999999999996) and refuses it; ocppwire divides the decimal value",
        versions=frozenset({"v16"}),
    ),
    Deviation(
        "D8",
        "binary float products that are no decimal multiple of 0.1 (1.6)",
        frozenset({"float_multiple"}),
        schema_accepts=True,
        ocppwire_accepts=False,
        ocppwire_code="PropertyConstraintViolation",
        reason="3900.2000000000003 (39002 * 0.1 in binary) is no multiple of 0.1; jsonschema's float "
        "quotient rounds to 39002.0 and accepts it; ocppwire refuses it on the decimal value",
        versions=frozenset({"v16"}),
    ),
    Deviation(
        "D9",
        "loose format: uri (1.6)",
        frozenset({"loose_uri"}),
        schema_accepts=False,
        ocppwire_accepts=True,
        ocppwire_code="",
        reason="ocppwire checks a scheme, a colon and no white space; RFC 3986 also refuses '<', "
        "'\"', '{', non-ASCII, '%zz' and a second '#'; the receiver parses the URL before use anyway",
        versions=frozenset({"v16"}),
    ),
)


def explain(case: Case, oracle: OracleVerdict, subject: SubjectVerdict) -> Deviation | None:
    """The deviation that accounts for this disagreement exactly, if any."""
    for deviation in DEVIATIONS:
        if (
            case.probe in deviation.probes
            and oracle.accepted == deviation.schema_accepts
            and subject.accepted == deviation.ocppwire_accepts
            and subject.code == deviation.ocppwire_code
        ):
            return deviation
    return None
