"""JSON Schema ``multipleOf`` on ``number`` fields, checked on the decimal value (OCPP 1.6 decimals).

OCPP 1.6 gives its decimal fields (``ChargingSchedulePeriod.limit``, ``minChargingRate``)
``multipleOf: 0.1``. JSON Schema defines the keyword on the number as written: valid when the value
divided by 0.1 is an integer. Binary floats cannot do that division exactly (``16.0 % 0.1`` is not
0, and ``0.3 / 0.1`` is ``2.9999999999999996``), so msgspec's ``Meta(multiple_of=0.1)`` would refuse
``16.0`` and ``0.3``. The check here works on the shortest decimal text of the float — the text
the peer wrote, for any value with up to 15 significant digits — with :class:`decimal.Decimal`:

- ``16``, ``16.0``, ``0.3``, ``32.5``, ``-1.2`` are multiples of 0.1;
- ``0.30000000000000004`` (the float ``0.1 + 0.2``) and ``0.05`` are not, and are refused.

A generated struct calls :func:`check_multiple_of` from ``__post_init__``, so the rule holds on
decode (msgspec reports the ``ValueError`` as a ``ValidationError`` with the path) and when a
message is built in Python. Integer fields use msgspec's exact ``Meta(multiple_of=...)`` instead.
"""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation

from msgspec import UnsetType

__all__ = ["check_multiple_of", "is_multiple_of"]

# Enough digits for the integer quotient of any finite float by a step written with a few digits
# (a float's decimal exponent is at most 308).
_EXACT = Context(prec=400)


def is_multiple_of(value: float, step: str) -> bool:
    """Whether ``value`` (as its shortest decimal text) divided by ``step`` (decimal text) is an integer."""
    try:
        return _EXACT.remainder(Decimal(repr(float(value))), Decimal(step)) == 0
    except (InvalidOperation, ValueError, OverflowError):  # inf / nan are not multiples of anything
        return False


def check_multiple_of(value: float | UnsetType, step: str, field: str) -> None:
    """Raise ``ValueError`` naming ``field`` (its wire name) unless ``value`` is absent or a multiple of ``step``."""
    if isinstance(value, UnsetType):
        return
    if not is_multiple_of(value, step):
        raise ValueError(f"Expected `float` that's a multiple of {step} (field `{field}`)")
