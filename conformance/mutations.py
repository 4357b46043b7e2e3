"""One-fault mutations of a valid payload, each with the CALLERROR code the policy table implies.

| mutation                        | fault                                   | code                          |
|---------------------------------|-----------------------------------------|-------------------------------|
| ``drop_required``               | a required property removed             | OccurrenceConstraintViolation |
| ``array_too_short``             | fewer items than ``minItems``           | OccurrenceConstraintViolation |
| ``array_too_long``              | more items than ``maxItems``            | OccurrenceConstraintViolation |
| ``wrong_type``                  | a value of another JSON type (or null)  | TypeConstraintViolation       |
|                                 | ... for the payload itself              | FormatViolation               |
| ``null_optional``               | ``null`` for an optional property       | TypeConstraintViolation       |
| ``too_long``                    | a string over ``maxLength``             | PropertyConstraintViolation   |
| ``enum_outside``                | a string outside the ``enum``           | PropertyConstraintViolation   |
| ``out_of_range``                | below ``minimum`` / above ``maximum``   | PropertyConstraintViolation   |
| ``datetime_malformed``          | not an RFC 3339 date-time               | PropertyConstraintViolation   |
| ``datetime_naive``              | a date-time without offset              | PropertyConstraintViolation   |
| ``not_multiple``                | a number that is no multiple of ``multipleOf`` (1.6) | PropertyConstraintViolation |
| ``uri_malformed``               | not a URI for ``format: uri`` (1.6)     | PropertyConstraintViolation   |
| ``extra_property``              | a property the schema does not define   | ProtocolError                 |
| ``customdata_no_vendorid``      | customData without ``vendorId``         | OccurrenceConstraintViolation |
| ``customdata_vendorid_type``    | a non-string ``vendorId``               | TypeConstraintViolation       |
| ``customdata_vendorid_too_long``| a ``vendorId`` over 255 characters      | PropertyConstraintViolation   |
| ``customdata_not_object``       | customData that is not an object        | TypeConstraintViolation       |

A mutation returns ``None`` when the instance has no site it applies to.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ocppwire.runtime.errors import ErrorCode

from .datetimes import MALFORMED, naive_variant
from .instances import STRING_ALPHABET, InstanceGenerator, any_json, random_string
from .sites import Site, format_path, replaced, without
from .uris import MALFORMED_URIS

__all__ = ["CUSTOM_DATA_MUTATIONS", "MUTATIONS", "Mutant", "Mutation"]

OCCURRENCE = ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION.value
TYPE = ErrorCode.TYPE_CONSTRAINT_VIOLATION.value
PROPERTY = ErrorCode.PROPERTY_CONSTRAINT_VIOLATION.value
PROTOCOL = ErrorCode.PROTOCOL_ERROR.value
FORMAT = ErrorCode.FORMAT_VIOLATION.value


@dataclass(frozen=True, slots=True)
class Mutant:
    """A changed payload: what was done where, and the code a rejection must carry.

    ``intent`` is ``None`` when the change keeps the payload valid (some probes). ``raw`` is JSON
    text to splice in verbatim where the instance holds :data:`~conformance.cases.RAW_MARKER` -
    for values Python's ``json`` cannot write (``1.0`` for an integer, ``1e400``, a lone
    surrogate escape, a duplicated key).
    """

    kind: str
    path: str
    intent: str | None
    instance: Any
    raw: str | None = None
    probe: str = ""


Mutation = Callable[[list[Site], Any, InstanceGenerator, random.Random], "Mutant | None"]


def _pick(rng: random.Random, sites: list[Site]) -> Site | None:
    return rng.choice(sites) if sites else None


def _objects(sites: list[Site]) -> list[Site]:
    """Present object sites other than customData (customData is open)."""
    return [s for s in sites if s.present and s.kind == "object" and not s.is_custom_data]


def _plain_strings(sites: list[Site]) -> list[Site]:
    """Present free-text string sites (no enum, no format)."""
    return [s for s in sites if s.present and s.kind == "string" and "enum" not in s.node and "format" not in s.node]


def drop_required(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, [s for s in _objects(sites) if set(s.node.get("required", ())) & set(s.value)])
    if site is None:
        return None
    name = rng.choice(sorted(set(site.node["required"]) & set(site.value)))
    path = (*site.path, name)
    return Mutant("drop_required", format_path(path), OCCURRENCE, without(instance, path))


_WRONG_VALUES: dict[str, tuple[Any, ...]] = {
    "string": ("x", "", "12", "true", "null"),
    "integer": (7, 0, -3, 2**40),
    "number": (1.5, -0.25),
    "boolean": (True, False),
    "array": ([], [1], ["a", None]),
    "object": ({}, {"a": 1}),
    "null": (None,),
}
# JSON types a schema type accepts (integral numbers pass as integers in draft-06, so the
# "number" replacements above are all non-integral).
_COMPATIBLE = {"integer": {"integer"}, "number": {"integer", "number"}}


def wrong_type(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, [s for s in sites if s.present and s.kind is not None and not s.is_custom_data])
    if site is None:
        return None
    kind = site.kind
    assert kind is not None
    allowed = _COMPATIBLE.get(kind, {kind})
    json_type = rng.choice(sorted(t for t in _WRONG_VALUES if t not in allowed))
    value = rng.choice(_WRONG_VALUES[json_type])
    intent = FORMAT if not site.path else TYPE  # the payload itself not an object: FormatViolation
    return Mutant("wrong_type", format_path(site.path), intent, replaced(instance, site.path, value))


def null_optional(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, [s for s in sites if s.path and not s.required and s.kind is not None])
    if site is None:
        return None
    return Mutant("null_optional", format_path(site.path), TYPE, replaced(instance, site.path, None))


def too_long(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, [s for s in _plain_strings(sites) if "maxLength" in s.node])
    if site is None:
        return None
    limit = site.node["maxLength"]
    value = random_string(rng, limit + rng.choice((1, 1, 2, 17)), STRING_ALPHABET)
    return Mutant("too_long", format_path(site.path), PROPERTY, replaced(instance, site.path, value))


def enum_outside(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, [s for s in sites if s.present and "enum" in s.node])
    if site is None:
        return None
    allowed = set(site.node["enum"])
    member = rng.choice(sorted(allowed))
    candidates = [member.lower(), member.upper(), member + " ", " " + member, member[:-1], "", "Unknown_Value"]
    value = rng.choice([c for c in candidates if c not in allowed])
    return Mutant("enum_outside", format_path(site.path), PROPERTY, replaced(instance, site.path, value))


def out_of_range(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, [s for s in sites if s.present and ("minimum" in s.node or "maximum" in s.node)])
    if site is None:
        return None
    integral = site.kind == "integer"
    options: list[int | float] = []
    if "minimum" in site.node:
        low = site.node["minimum"]
        options += [int(low) - 1, int(low) - 10**6] if integral else [low - 0.5, low - 1e-9]
    if "maximum" in site.node:
        high = site.node["maximum"]
        options += [int(high) + 1, int(high) + 10**6] if integral else [high + 0.5, high + 1e-9]
    value = rng.choice(options)
    return Mutant("out_of_range", format_path(site.path), PROPERTY, replaced(instance, site.path, value))


def _array_sites(sites: list[Site], bound: str) -> list[Site]:
    return [s for s in sites if s.present and s.kind == "array" and bound in s.node]


def array_too_short(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, [s for s in _array_sites(sites, "minItems") if s.node["minItems"] > 0])
    if site is None:
        return None
    value = list(site.value[: rng.randint(0, site.node["minItems"] - 1)])
    return Mutant("array_too_short", format_path(site.path), OCCURRENCE, replaced(instance, site.path, value))


def array_too_long(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, _array_sites(sites, "maxItems"))
    if site is None:
        return None
    target = site.node["maxItems"] + rng.choice((1, 1, 2))
    value = list(site.value)
    while len(value) < target:
        value.append(gen.value(site.node["items"]))  # each extra item is itself valid
    return Mutant("array_too_long", format_path(site.path), OCCURRENCE, replaced(instance, site.path, value))


def _datetimes(sites: list[Site]) -> list[Site]:
    return [s for s in sites if s.present and s.node.get("format") == "date-time"]


def datetime_malformed(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, _datetimes(sites))
    if site is None:
        return None
    value = rng.choice(MALFORMED)
    return Mutant("datetime_malformed", format_path(site.path), PROPERTY, replaced(instance, site.path, value))


def datetime_naive(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, _datetimes(sites))
    if site is None:
        return None
    value = naive_variant(site.value)
    return Mutant("datetime_naive", format_path(site.path), PROPERTY, replaced(instance, site.path, value))


def not_multiple(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """A number off the ``multipleOf`` grid by less than a step: ``0.05``, ``16.01``, ``0.1 + 0.2``."""
    site = _pick(rng, [s for s in sites if s.present and "multipleOf" in s.node])
    if site is None:
        return None
    step = site.node["multipleOf"]
    value = rng.choice(
        (
            step / 2,
            rng.randint(0, 500) + step / 10,
            rng.randint(-500, 500) + step * 3 / 100,
            0.1 + 0.2,  # 0.30000000000000004: the float sum, not the decimal 0.3
            1.2345,
        )
    )
    return Mutant("not_multiple", format_path(site.path), PROPERTY, replaced(instance, site.path, value))


def uri_malformed(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    """A string that is no URI (no scheme, white space) for a ``format: uri`` field."""
    site = _pick(rng, [s for s in sites if s.present and s.node.get("format") == "uri"])
    if site is None:
        return None
    value = rng.choice(MALFORMED_URIS)
    return Mutant("uri_malformed", format_path(site.path), PROPERTY, replaced(instance, site.path, value))


# Names an object never defines: look-alikes of real names first, then arbitrary ones.
def _unknown_name(site: Site, rng: random.Random) -> str:
    defined = set(site.node.get("properties", {}))
    names = sorted(defined)
    candidates = ["x", "", "vendorId", "customdata", "Ünknown", "\U0001f600", "__proto__", "constructor"]
    if names:
        name = rng.choice(names)
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)  # the Python field name
        candidates += [snake, name.upper(), name[0].upper() + name[1:], name + "s", name + " "]
    return rng.choice([c for c in candidates if c not in defined])


def extra_property(sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random) -> Mutant | None:
    site = _pick(rng, _objects(sites))
    if site is None:
        return None
    name = _unknown_name(site, rng)
    path = (*site.path, name)
    value = any_json(rng)
    return Mutant("extra_property", format_path(path), PROTOCOL, replaced(instance, path, value))


def _custom_data_site(sites: list[Site], rng: random.Random) -> tuple[Site, tuple[str | int, ...]] | None:
    """An object site (present) whose customData slot - filled or not - receives the fault."""
    site = _pick(rng, [s for s in _objects(sites) if "customData" in s.node.get("properties", {})])
    if site is None:
        return None
    return site, (*site.path, "customData")


def customdata_no_vendorid(
    sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random
) -> Mutant | None:
    found = _custom_data_site(sites, rng)
    if found is None:
        return None
    _, path = found
    value = rng.choice(({}, {"vendorid": "com.example"}, {"vendorID": "x", "data": 1}, {"vendor_id": "x"}))
    return Mutant("customdata_no_vendorid", format_path(path), OCCURRENCE, replaced(instance, path, value))


def customdata_vendorid_type(
    sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random
) -> Mutant | None:
    found = _custom_data_site(sites, rng)
    if found is None:
        return None
    _, path = found
    vendor_id = rng.choice((None, 7, 1.5, True, [], ["com.example"], {"id": "com.example"}))
    value = {"vendorId": vendor_id, "extra": 1} if rng.random() < 0.5 else {"vendorId": vendor_id}
    return Mutant("customdata_vendorid_type", format_path(path), TYPE, replaced(instance, path, value))


def customdata_vendorid_too_long(
    sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random
) -> Mutant | None:
    found = _custom_data_site(sites, rng)
    if found is None:
        return None
    _, path = found
    value = {"vendorId": random_string(rng, 255 + rng.choice((1, 1, 45)))}
    return Mutant("customdata_vendorid_too_long", format_path(path), PROPERTY, replaced(instance, path, value))


def customdata_not_object(
    sites: list[Site], instance: Any, gen: InstanceGenerator, rng: random.Random
) -> Mutant | None:
    found = _custom_data_site(sites, rng)
    if found is None:
        return None
    _, path = found
    value = rng.choice(("com.example", [], [{"vendorId": "com.example"}], 0, False))
    return Mutant("customdata_not_object", format_path(path), TYPE, replaced(instance, path, value))


MUTATIONS: tuple[Mutation, ...] = (
    drop_required,
    wrong_type,
    null_optional,
    too_long,
    enum_outside,
    out_of_range,
    array_too_short,
    array_too_long,
    datetime_malformed,
    datetime_naive,
    not_multiple,
    uri_malformed,
    extra_property,
)
"""Mutations the case stream applies (each at a random site) to every instance."""

CUSTOM_DATA_MUTATIONS: tuple[Mutation, ...] = (
    customdata_no_vendorid,
    customdata_vendorid_type,
    customdata_vendorid_too_long,
    customdata_not_object,
)
"""customData faults; every object can hold customData, so all four apply to every instance and
would crowd out the rest - the case stream applies one of them per instance."""
