"""Build the device-model parts of OCPP 2.0.1 messages from catalogue specs.

A CSMS writing ``GetVariables`` / ``SetVariables`` / ``GetReport`` requests, and a station writing
reports, both need ``ComponentType`` + ``VariableType`` pairs with the exact standardized names,
and values formatted the way the variable's ``dataType`` says. These helpers take a
:class:`~ocppwire.devicemodel.spec.VariableSpec` (``catalog.OCPPCommCtrlr.OfflineThreshold``)
and do both, so names are never typed by hand and a bad value fails before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import UNSET, UnsetType

from ocppwire.devicemodel.spec import AttributeValue, VariableSpec
from ocppwire.v201 import enums as e
from ocppwire.v201 import types as t

__all__ = [
    "component_type",
    "component_variable",
    "get_variable_data",
    "set_variable_data",
    "variable_characteristics",
    "variable_type",
]

CustomDataArg = t.CustomDataType | UnsetType


def _concrete(spec: VariableSpec) -> VariableSpec:
    if spec.instance_is_placeholder:
        raise ValueError(
            f"{spec.path}: the instance is a placeholder; call .with_instance(...) with a concrete instance first"
        )
    return spec


def component_type(
    spec: VariableSpec | str,
    *,
    evse: int | None = None,
    connector: int | None = None,
    instance: str | None = None,
    custom_data: CustomDataArg = UNSET,
) -> t.ComponentType:
    """``ComponentType`` of a spec's component (or of a component name), on an EVSE / connector if given."""
    if connector is not None and evse is None:
        raise ValueError("a connector is addressed within an EVSE: pass evse= as well")
    name = spec.component if isinstance(spec, VariableSpec) else spec
    return t.ComponentType(
        name=name,
        instance=UNSET if instance is None else instance,
        evse=UNSET if evse is None else t.EVSEType(id=evse, connector_id=UNSET if connector is None else connector),
        custom_data=custom_data,
    )


def variable_type(spec: VariableSpec, *, custom_data: CustomDataArg = UNSET) -> t.VariableType:
    """``VariableType`` of a spec: its variable name and instance."""
    spec = _concrete(spec)
    return t.VariableType(
        name=spec.variable, instance=UNSET if spec.instance is None else spec.instance, custom_data=custom_data
    )


def get_variable_data(
    spec: VariableSpec,
    *,
    attribute_type: e.AttributeEnumType | None = None,
    evse: int | None = None,
    connector: int | None = None,
    component_instance: str | None = None,
    custom_data: CustomDataArg = UNSET,
) -> t.GetVariableDataType:
    """One ``getVariableData`` entry asking for ``spec`` (the Actual attribute unless told otherwise)."""
    return t.GetVariableDataType(
        component=component_type(spec, evse=evse, connector=connector, instance=component_instance),
        variable=variable_type(spec),
        attribute_type=UNSET if attribute_type is None else attribute_type,
        custom_data=custom_data,
    )


def set_variable_data(
    spec: VariableSpec,
    value: AttributeValue | Iterable[str],
    *,
    attribute_type: e.AttributeEnumType | None = None,
    evse: int | None = None,
    connector: int | None = None,
    component_instance: str | None = None,
    custom_data: CustomDataArg = UNSET,
    check: bool = True,
) -> t.SetVariableDataType:
    """One ``setVariableData`` entry writing ``value`` to ``spec``.

    ``value`` is a Python value (formatted per the data type) or the wire text itself. With ``check``
    (the default) a write the catalogue says the station will refuse raises at once: a
    :class:`~ocppwire.devicemodel.spec.ReadOnlyError`, a value outside the values list or
    the limits. Pass ``check=False`` to send it anyway (e.g. to test a station's rejection).
    """
    if check:
        text = spec.format(value) if not isinstance(value, str) else value
        spec.check_write(text)
    else:
        text = value if isinstance(value, str) else _loose_text(value)
    return t.SetVariableDataType(
        component=component_type(spec, evse=evse, connector=connector, instance=component_instance),
        variable=variable_type(spec),
        attribute_value=text,
        attribute_type=UNSET if attribute_type is None else attribute_type,
        custom_data=custom_data,
    )


def _loose_text(value: AttributeValue | Iterable[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Iterable):
        return ",".join(str(v) for v in value)
    return str(value)


def component_variable(
    spec: VariableSpec | str,
    *,
    evse: int | None = None,
    connector: int | None = None,
    component_instance: str | None = None,
    custom_data: CustomDataArg = UNSET,
) -> t.ComponentVariableType:
    """A ``componentVariable`` filter for ``GetReport``: a spec (one variable) or a component name (all of it)."""
    return t.ComponentVariableType(
        component=component_type(spec, evse=evse, connector=connector, instance=component_instance),
        variable=variable_type(spec) if isinstance(spec, VariableSpec) else UNSET,
        custom_data=custom_data,
    )


def variable_characteristics(spec: VariableSpec, *, supports_monitoring: bool = False) -> t.VariableCharacteristicsType:
    """``VariableCharacteristicsType`` as a station reports it for ``spec``."""
    values = spec.values_list_text()
    return t.VariableCharacteristicsType(
        data_type=e.DataEnumType(spec.data_type.value),
        unit=UNSET if spec.unit is None else spec.unit,
        min_limit=UNSET if spec.min_limit is None else float(spec.min_limit),
        max_limit=UNSET if spec.max_limit is None else float(spec.max_limit),
        values_list=UNSET if values is None else values,
        supports_monitoring=supports_monitoring,
    )
