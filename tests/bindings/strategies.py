"""Hypothesis strategies for valid OCPP JSON payloads, built from the generated types themselves.

The strategy reads each Struct through ``msgspec.inspect`` (not through ocppgen's model), so it
exercises exactly what the generated code declares: wire names, required fields, lengths, ranges,
enums, list bounds, date-times and customData with vendor properties. Values are JSON builtins, the
form a peer would send.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import msgspec
import msgspec.inspect as mi
from hypothesis import strategies as st

MAX_LIST = 3
MAX_TEXT = 40

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(max_size=10),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

_offsets = st.sampled_from([timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])


def _datetime_text(dt: datetime) -> str:
    # msgspec's own RFC 3339 form, so decode -> encode gives back the same string.
    return msgspec.json.decode(msgspec.json.encode(dt))  # type: ignore[no-any-return]


datetimes = st.builds(
    lambda dt, tz: _datetime_text(dt.replace(tzinfo=tz)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    _offsets,
)

vendor_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF", min_size=1, max_size=8).filter(
    lambda k: k != "vendorId"
)
custom_data = st.builds(
    lambda vendor, extra: {"vendorId": vendor, **extra},
    st.text(min_size=1, max_size=30),
    st.dictionaries(vendor_keys, json_values, max_size=3),
)


def for_type(t: mi.Type, depth: int = 0) -> st.SearchStrategy[Any]:
    """A strategy of JSON values valid for the msgspec type ``t``."""
    if isinstance(t, mi.StrType):
        hi = t.max_length if t.max_length is not None else MAX_TEXT
        if t.pattern is not None:  # OCPP 1.6 ``format: uri``
            return st.from_regex(t.pattern, fullmatch=True).filter(lambda v: (t.min_length or 0) <= len(v) <= hi)
        return st.text(min_size=t.min_length or 0, max_size=min(hi, MAX_TEXT))
    if isinstance(t, mi.IntType):
        lo = t.ge if t.ge is not None else -(2**31)
        hi = t.le if t.le is not None else 2**31
        return st.integers(min_value=lo, max_value=hi)
    if isinstance(t, mi.FloatType):
        return st.floats(min_value=t.ge, max_value=t.le, allow_nan=False, allow_infinity=False, width=64)
    if isinstance(t, mi.BoolType):
        return st.booleans()
    if isinstance(t, mi.DateTimeType):
        return datetimes
    if isinstance(t, mi.EnumType):
        return st.sampled_from([m.value for m in t.cls])
    if isinstance(t, mi.ListType):
        lo = t.min_length or 0
        hi = t.max_length if t.max_length is not None else max(lo, MAX_LIST)
        hi = min(hi, max(lo, MAX_LIST if depth < 3 else 1))
        return st.lists(for_type(t.item_type, depth + 1), min_size=lo, max_size=hi)
    if isinstance(t, mi.StructType):
        return for_struct(t, depth)
    if isinstance(t, mi.CustomType):
        return custom_data
    if isinstance(t, mi.AnyType):
        return json_values
    raise TypeError(f"no strategy for {t!r}")


def multiples(step: str) -> st.SearchStrategy[float]:
    """Floats whose decimal value is a multiple of ``step`` (JSON Schema ``multipleOf`` on a number)."""
    return st.integers(min_value=-(10**6), max_value=10**6).map(lambda k: float(Decimal(k) * Decimal(step)))


def for_field(t: mi.StructType, f: mi.Field, depth: int) -> st.SearchStrategy[Any]:
    step = getattr(t.cls, "MULTIPLE_OF", {}).get(f.encode_name)
    return multiples(step) if step is not None else for_type(f.type, depth + 1)


def for_struct(t: mi.StructType, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    required = {f.encode_name: for_field(t, f, depth) for f in t.fields if f.required}
    optional = {f.encode_name: for_field(t, f, depth) for f in t.fields if not f.required}
    return st.fixed_dictionaries(required, optional=optional)


def payloads(struct_type: type[msgspec.Struct]) -> st.SearchStrategy[dict[str, Any]]:
    """Valid JSON payloads (as builtins) for a generated message type."""
    info = mi.type_info(struct_type)
    assert isinstance(info, mi.StructType)
    return for_struct(info)


def minimal(t: mi.Type) -> Any:
    """The smallest valid JSON value for ``t``: required fields only, lists at their minimum length."""
    if isinstance(t, mi.StrType):
        if t.pattern is not None:  # OCPP 1.6 ``format: uri``
            return "ftp://example.com/x"
        return "x" * (t.min_length or 1) if (t.max_length or 1) >= 1 else ""
    if isinstance(t, mi.IntType):
        return t.ge if t.ge is not None else 0
    if isinstance(t, mi.FloatType):
        return float(t.ge) if t.ge is not None else 0.0
    if isinstance(t, mi.BoolType):
        return False
    if isinstance(t, mi.DateTimeType):
        return "2026-01-01T00:00:00Z"
    if isinstance(t, mi.EnumType):
        return next(iter(t.cls)).value
    if isinstance(t, mi.ListType):
        return [minimal(t.item_type) for _ in range(max(t.min_length or 0, 1))]
    if isinstance(t, mi.StructType):
        return {f.encode_name: minimal(f.type) for f in t.fields if f.required}
    if isinstance(t, mi.CustomType):
        return {"vendorId": "v"}
    if isinstance(t, mi.AnyType):
        return None
    raise TypeError(f"no minimal value for {t!r}")
