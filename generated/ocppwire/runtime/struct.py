"""The msgspec Struct base every generated OCPP object derives from.

One base carries the configuration all OCPP objects share, so generated classes stay short and a
change of policy (for example how unknown properties are treated) is made in one place:

- ``kw_only``: fields are passed by name, so required and optional fields can keep schema order;
- ``forbid_unknown_fields``: a property the schema does not define is a decode error
  (OCPP objects are ``additionalProperties: false``; only customData is open, see
  :mod:`ocppwire.runtime.customdata`);
- ``omit_defaults``: optional fields default to :data:`msgspec.UNSET` and are left out on encode,
  so an absent field stays absent (OCPP forbids ``null``, ``{}`` and ``[]`` for empty fields);
- ``repr_omit_defaults``: reprs show only the fields that are set;
- ``gc=False``: instances are not tracked by the cyclic garbage collector. A decoded message is a
  tree (JSON cannot express a cycle), and a CSMS decodes dozens of Structs per MeterValues, so
  tracking them only made the collector run more often over a large heap of live connections
  (docs/benchmarks.md). Do not build reference cycles through OCPP objects: they would never be freed.

Schema defaults are *not* applied on decode, so decode → encode reproduces the message. A struct
whose schema declares defaults lists them in ``SCHEMA_DEFAULTS``; :func:`schema_default` and
:func:`value_or_default` read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, TypeVar, overload

import msgspec

__all__ = ["OcppStruct", "schema_default", "value_or_default"]

T = TypeVar("T")


class OcppStruct(
    msgspec.Struct,
    kw_only=True,
    forbid_unknown_fields=True,
    omit_defaults=True,
    repr_omit_defaults=True,
    gc=False,
):
    """Base class of every generated OCPP object type and message."""

    SCHEMA_DEFAULTS: ClassVar[Mapping[str, object]] = {}
    """Schema ``default`` values by Python field name; never applied on decode."""


def schema_default(struct_type: type[OcppStruct], field: str) -> object:
    """The schema default of ``field`` (Python name); ``KeyError`` if the schema gives none."""
    return struct_type.SCHEMA_DEFAULTS[field]


@overload
def value_or_default(obj: OcppStruct, field: str) -> object: ...


@overload
def value_or_default(obj: OcppStruct, field: str, expected: type[T]) -> T: ...


def value_or_default(obj: OcppStruct, field: str, expected: type[object] | None = None) -> object:
    """``obj.<field>`` when it is set, else the schema default, else :data:`msgspec.UNSET`.

    A field name is a string, so a type checker cannot know the field's type: without ``expected`` the
    result is ``object`` (compare it, or narrow it with ``isinstance``). With ``expected`` the result is
    typed as that class and checked at run time, for example
    ``value_or_default(sample, "measurand", MeasurandEnumType)`` is a ``MeasurandEnumType``;
    ``TypeError`` when the value is not one (including an unset field whose schema gives no default).
    """
    value = getattr(obj, field)
    if value is msgspec.UNSET:
        value = type(obj).SCHEMA_DEFAULTS.get(field, msgspec.UNSET)
    if expected is None:
        return value
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # a JSON number written without a fraction decodes as int
    if not isinstance(value, expected):
        shown = "unset, and the schema gives no default" if value is msgspec.UNSET else f"a {type(value).__name__}"
        raise TypeError(f"{type(obj).__name__}.{field} is {shown}; expected {expected.__name__}")
    return value
