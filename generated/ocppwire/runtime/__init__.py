"""Hand-written, OCPP-version-independent runtime that generated bindings import."""

from .actions import ActionRegistry, ActionSpec, Direction, Role
from .customdata import CustomData, GenericCustomData
from .payload import convert, decode, encode, to_builtins
from .struct import OcppStruct, schema_default, value_or_default

__all__ = [
    "ActionRegistry",
    "ActionSpec",
    "CustomData",
    "Direction",
    "GenericCustomData",
    "OcppStruct",
    "Role",
    "convert",
    "decode",
    "encode",
    "schema_default",
    "to_builtins",
    "value_or_default",
]
