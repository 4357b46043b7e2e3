"""Probes: edge cases aimed at the places a msgspec decoder and a JSON Schema validator can differ.

Mutations break a payload on purpose; probes instead try inputs whose verdict depends on fine
print - draft-06 number semantics, RFC 3339 corners, JSON text the ``json`` module and msgspec
parse differently. Each probe says what the schema implies (``intent``: ``None`` when the payload
is valid under the schema). Where our decoder deliberately differs, the difference is listed in
:mod:`conformance.deviations` under the probe's name; any other disagreement fails the run.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from .datetimes import naive_variant
from .instances import InstanceGenerator
from .mutations import PROPERTY, TYPE, Mutant
from .sites import Site, format_path, replaced
from .uris import LOOSE_URIS

__all__ = ["PROBES", "Probe", "RAW_MARKER"]

RAW_MARKER = "\x00raw-json\x00"
"""Placeholder string; the case renderer swaps its JSON form for :attr:`Mutant.raw` verbatim."""

Probe = Callable[[list[Site], Any, InstanceGenerator, random.Random], "Mutant | None"]


def _raw(site: Site, instance: Any, name: str, raw: str, intent: str | None) -> Mutant:
    return Mutant(f"probe:{name}", format_path(site.path), intent, replaced(instance, site.path, RAW_MARKER), raw, name)


def _unbounded(site: Site) -> bool:
    return "minimum" not in site.node and "maximum" not in site.node


def _present(sites: list[Site], kind: str) -> list[Site]:
    return [s for s in sites if s.present and s.kind == kind and s.path]


def integral_float(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """``5.0`` for an integer: draft-06 counts any number with a zero fraction as an integer."""
    candidates = _present(sites, "integer")
    if not candidates:
        return None
    site = rng.choice(candidates)
    return _raw(site, instance, "integral_float", f"{site.value}.0", _integral_intent(gen))


def _integral_intent(gen: InstanceGenerator) -> str | None:
    """Draft-06 counts ``5.0`` as an integer (valid); draft-04 (the OCPP 1.6 core) does not."""
    return TYPE if gen.schema.draft == 4 else None


def exponent_integer(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """``1e1`` for an integer: a JSON number with an exponent whose value is integral."""
    candidates = [s for s in _present(sites, "integer") if _unbounded(s) or s.node.get("maximum", 100) >= 10]
    if not candidates:
        return None
    raw = rng.choice(("1e1", "1E1", "10e0", "1.0e1"))
    return _raw(rng.choice(candidates), instance, "exponent_integer", raw, _integral_intent(gen))


def negative_zero(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """``-0`` for an integer: the same value as 0 (and inside ``minimum: 0``; not offered where 0 is
    out of range, as for 2.1's ``evseId`` with ``minimum: 1``)."""
    candidates = [
        s
        for s in _present(sites, "integer")
        if s.node.get("minimum", 0) <= 0 <= s.node.get("maximum", 0 if "maximum" in s.node else 1)
    ]
    if not candidates:
        return None
    return _raw(rng.choice(candidates), instance, "negative_zero", "-0", None)


def big_integer(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """An integer far beyond 64 bits: valid JSON and valid under an unbounded ``integer``."""
    candidates = [s for s in _present(sites, "integer") if _unbounded(s)]
    if not candidates:
        return None
    raw = rng.choice(("123456789012345678901234567890", "-98765432109876543210987654321", str(2**64)))
    return _raw(rng.choice(candidates), instance, "big_integer", raw, None)


def huge_integer(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """An integer literal of 4301+ digits for an unbounded ``integer`` or an untyped value: valid
    JSON and a valid integer, but past CPython's int/str conversion limit (a DoS guard)."""
    candidates = [s for s in _present(sites, "integer") if "maximum" not in s.node]
    candidates += [s for s in sites if s.present and s.path and s.kind is None]
    if not candidates:
        return None
    return _raw(rng.choice(candidates), instance, "huge_integer", "9" * rng.choice((4301, 5000, 20000)), None)


def float_overflow(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """``1e400``: a valid JSON number beyond the double range, for an unbounded ``number`` or an
    untyped value (DataTransfer ``data``)."""
    candidates = [s for s in _present(sites, "number") if _unbounded(s) and "multipleOf" not in s.node]
    candidates += [s for s in sites if s.present and s.path and s.kind is None]
    if not candidates:
        return None
    return _raw(rng.choice(candidates), instance, "float_overflow", rng.choice(("1e400", "-1e400", "1E999")), None)


def float_underflow(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """``1e-400``: a JSON number below the smallest double; it rounds to 0."""
    candidates = [s for s in _present(sites, "number") if _unbounded(s)]
    if not candidates:
        return None
    return _raw(rng.choice(candidates), instance, "float_underflow", rng.choice(("1e-400", "-1e-400")), None)


def _multiple_sites(sites: list[Site]) -> list[Site]:
    return [s for s in sites if s.present and "multipleOf" in s.node and s.node["multipleOf"] == 0.1]


def decimal_multiple(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """``k / 10`` whose binary quotient by 0.1 is not integral (``0.3``): a multiple of 0.1 as JSON
    Schema defines it (the decimal value divided by 0.1 is an integer), refused by jsonschema's float
    division (D7)."""
    candidates = _multiple_sites(sites)
    if not candidates:
        return None
    while True:
        value = rng.randint(-3000, 3000) / 10
        if value / 0.1 != int(value / 0.1):
            break
    site = rng.choice(candidates)
    return Mutant("probe:decimal_multiple", format_path(site.path), None, replaced(instance, site.path, value), None, "decimal_multiple")


def float_multiple(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """``k * 0.1`` computed in binary (``3900.2000000000003``): no decimal multiple of 0.1, but the
    float quotient rounds to an integer, so jsonschema accepts it (D8)."""
    candidates = _multiple_sites(sites)
    if not candidates:
        return None
    while True:
        value = rng.randint(-100_000, 100_000) * 0.1
        if value / 0.1 == int(value / 0.1) and repr(value) != repr(round(value, 1)):
            break
    site = rng.choice(candidates)
    return Mutant("probe:float_multiple", format_path(site.path), PROPERTY, replaced(instance, site.path, value), None, "float_multiple")


def loose_uri(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """A string with a scheme and no white space that is still no RFC 3986 URI (``<``, non-ASCII,
    ``%zz``): refused by the schema's ``format: uri``, accepted by ocppwire's looser check (D9)."""
    candidates = [s for s in sites if s.present and s.node.get("format") == "uri"]
    if not candidates:
        return None
    site = rng.choice(candidates)
    value = rng.choice(LOOSE_URIS)
    return Mutant("probe:loose_uri", format_path(site.path), PROPERTY, replaced(instance, site.path, value), None, "loose_uri")


_DATETIME_FORMS: dict[str, tuple[Callable[[str], str], str | None]] = {
    # name: (rewrite of a valid date-time, intent)
    "datetime_lowercase": (lambda v: v.replace("T", "t").replace("Z", "z"), None),
    "datetime_space": (lambda v: v.replace("T", " "), PROPERTY),
    "datetime_offset_no_colon": (lambda v: naive_variant(v) + "+0130", PROPERTY),
    "datetime_leap_second": (lambda v: "2016-12-31T23:59:60Z", None),
    "datetime_year_zero": (lambda v: "0000-01-01T00:00:00Z", None),
    "datetime_max_rounding": (lambda v: "9999-12-31T23:59:59.9999999Z", None),
    "datetime_long_fraction": (lambda v: "2020-02-29T12:00:00.12345678901234567890+05:45", None),
    "datetime_negative_zero_offset": (lambda v: "2020-06-01T00:00:00-00:00", None),
}


def _datetime_probe(name: str) -> Probe:
    rewrite, intent = _DATETIME_FORMS[name]

    def probe(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
        candidates = [s for s in sites if s.present and s.node.get("format") == "date-time"]
        if not candidates:
            return None
        site = rng.choice(candidates)
        return Mutant(
            f"probe:{name}",
            format_path(site.path),
            intent,
            replaced(instance, site.path, rewrite(site.value)),
            None,
            name,
        )

    probe.__name__ = name
    probe.__doc__ = f"Date-time corner ``{name}``."
    return probe


def lone_surrogate(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """``"\\ud800"``: a JSON escape for half a surrogate pair, grammatical JSON but no Unicode text."""
    candidates = [
        s
        for s in _present(sites, "string")
        if "enum" not in s.node and "format" not in s.node and s.node.get("maxLength", 1) >= 1
    ]
    if not candidates:
        return None
    return _raw(rng.choice(candidates), instance, "lone_surrogate", rng.choice(('"\\ud800"', '"\\udfff"')), None)


def escaped_astral(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """``maxLength`` non-BMP characters written as ``\\uXXXX`` surrogate pairs: exactly at the limit,
    because the limit counts code points (one per pair), not UTF-16 units or bytes."""
    candidates = [s for s in _present(sites, "string") if "enum" not in s.node and "format" not in s.node]
    if not candidates:
        return None
    site = rng.choice(candidates)
    limit = site.node.get("maxLength", 8)
    return _raw(site, instance, "escaped_astral", '"' + "\\ud83d\\ude00" * limit + '"', None)


def duplicate_key(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """A property written twice, the first time with a wrong type: JSON text with duplicate names.

    RFC 8259 leaves duplicate names to the parser; Python's ``json`` keeps the last one, so the
    schema sees only the valid value.
    """
    candidates = [
        s
        for s in sites
        if s.present and s.path and isinstance(s.path[-1], str) and s.kind in ("string", "integer", "boolean")
    ]
    if not candidates:
        return None
    site = rng.choice(candidates)
    valid = json.dumps(site.value)
    wrong = "[]" if site.kind != "string" else "12"
    # The marker stands for the whole "name": value pair list: first wrong, then the valid value.
    raw = f"{wrong}, {json.dumps(site.path[-1])}: {valid}"
    return Mutant(
        "probe:duplicate_key",
        format_path(site.path),
        None,
        replaced(instance, site.path, RAW_MARKER),
        raw,
        "duplicate_key",
    )


PROBES: tuple[Probe, ...] = (
    integral_float,
    exponent_integer,
    negative_zero,
    big_integer,
    huge_integer,
    float_overflow,
    float_underflow,
    *(_datetime_probe(name) for name in _DATETIME_FORMS),
    lone_surrogate,
    escaped_astral,
    duplicate_key,
    decimal_multiple,
    float_multiple,
    loose_uri,
)
"""Every probe; the case stream tries a few per instance."""
