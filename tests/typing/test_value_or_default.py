"""value_or_default with an expected type returns that type, checked at run time."""

from __future__ import annotations

import msgspec
import pytest

from ocppwire import decode
from ocppwire.runtime.struct import value_or_default
from ocppwire.v201 import enums as e
from ocppwire.v201 import types as t


def test_expected_type_returns_the_value_or_the_schema_default() -> None:
    sample = decode(t.SampledValueType, b'{"value": 1}')
    measurand: e.MeasurandEnumType = value_or_default(sample, "measurand", e.MeasurandEnumType)
    assert measurand is e.MeasurandEnumType.ENERGY_ACTIVE_IMPORT_REGISTER
    value: float = value_or_default(sample, "value", float)
    assert value == 1.0 and type(value) is float
    set_context = decode(t.SampledValueType, b'{"value": 1, "context": "Trigger"}')
    assert value_or_default(set_context, "context", e.ReadingContextEnumType) is e.ReadingContextEnumType.TRIGGER


def test_a_mismatch_or_an_unset_field_without_default_is_a_type_error() -> None:
    sample = decode(t.SampledValueType, b'{"value": 1}')
    with pytest.raises(TypeError, match=r"SampledValueType\.measurand is a MeasurandEnumType; expected int"):
        value_or_default(sample, "measurand", int)
    with pytest.raises(TypeError, match="phase is unset, and the schema gives no default; expected PhaseEnumType"):
        value_or_default(sample, "phase", e.PhaseEnumType)
    assert value_or_default(sample, "phase") is msgspec.UNSET
