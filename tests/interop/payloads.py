"""Rich, valid instances of any generated message type: every optional field filled, at every depth.

The minimal instances in ``tests/runtime/builders.py`` only exercise required fields. Interop
needs the opposite: a peer that renames fields (the ``ocpp`` package converts camelCase ↔
snake_case) can only be caught on fields that are actually sent, so every field of every type is
filled — including ``customData`` at every depth (as the OCTT case TC_P_03 does). Values are
deterministic and distinct (a running counter), so a field swapped with another shows up in a
field-by-field comparison. Every value lies inside its schema constraints.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, TypeVar

from msgspec import inspect as mi

from ocppwire.runtime.payload import convert, to_builtins

T = TypeVar("T")

EPOCH = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)
VENDOR = "org.example.interop"


def rich(tp: type[T]) -> T:
    """A valid ``tp`` with every field set (lists hold one item, or ``minItems``)."""
    return convert(rich_json(tp), tp)


def rich_json(tp: type[Any]) -> dict[str, Any]:
    """The same instance as JSON builtins with wire (camelCase) names."""
    value = _Filler().value(mi.type_info(tp), tp.__name__)
    assert isinstance(value, dict)
    return value


def wire(obj: Any) -> Any:
    """A typed payload as the JSON builtins it encodes to (what goes on the wire)."""
    return to_builtins(obj)


class _Filler:
    def __init__(self) -> None:
        self._count = itertools.count(1)

    def value(self, info: mi.Type, path: str) -> Any:
        n = next(self._count)
        if isinstance(info, mi.StructType):
            return {f.encode_name: self.value(f.type, f"{path}.{f.encode_name}") for f in info.fields}
        if isinstance(info, mi.UnionType):
            real = [t for t in info.types if not isinstance(t, (mi.UnsetType, mi.NoneType))]
            return self.value(real[0], path)
        if isinstance(info, mi.StrType):
            text = f"{path.rsplit('.', 1)[-1]}-{n}"
            if info.pattern is not None:  # format: uri (1.6): an absolute URI
                text = f"ftp://files.example.com/{text}"
            low, high = info.min_length or 0, info.max_length
            text = text.ljust(low, "x")
            return text if high is None else text[:high]
        if isinstance(info, mi.BoolType):
            return n % 2 == 0
        if isinstance(info, mi.IntType):
            return _clamp(n, info.ge, info.le, info.gt, info.lt)
        if isinstance(info, mi.FloatType):
            return float(_clamp(n, info.ge, info.le, info.gt, info.lt)) + (0.5 if info.le is None else 0.0)
        if isinstance(info, mi.EnumType):
            members = list(info.cls)
            return members[n % len(members)].value
        if isinstance(info, mi.DateTimeType):
            return (EPOCH + dt.timedelta(seconds=n)).isoformat().replace("+00:00", "Z")
        if isinstance(info, mi.ListType):
            count = max(1, info.min_length or 0)
            return [self.value(info.item_type, f"{path}[{i}]") for i in range(count)]
        if isinstance(info, mi.AnyType):
            return {"text": f"data-{n}", "numbers": [n, n + 0.5], "flag": True}
        if isinstance(info, mi.CustomType):
            return {"vendorId": VENDOR, "seq": n}
        raise TypeError(f"no rich value for {info!r} at {path}")


def _clamp(n: int, ge: Any, le: Any, gt: Any, lt: Any) -> int:
    low = ge if ge is not None else (gt + 1 if gt is not None else None)
    high = le if le is not None else (lt - 1 if lt is not None else None)
    value = n
    if high is not None and value > high:
        value = int(high)
    if low is not None and value < low:
        value = int(low)
    return value


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Every place where two JSON values differ, as ``path: expected != actual`` lines.

    Comparing field by field (rather than ``==`` on the whole payload) makes a failure name the
    exact field a peer renamed, dropped or altered.
    """
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            elif key not in expected:
                out.append(f"{path}.{key}: unexpected {actual[key]!r}")
            else:
                out.extend(differences(expected[key], actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: {len(expected)} items != {len(actual)} items"]
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, f"{path}[{i}]")]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{path}: {expected!r} != {actual!r}"]
    return []


def field_count(value: Any) -> int:
    """How many leaf values a JSON payload holds (the figure the interop report quotes)."""
    if isinstance(value, dict):
        return sum(field_count(v) for v in value.values())
    if isinstance(value, list):
        return sum(field_count(v) for v in value)
    return 1
