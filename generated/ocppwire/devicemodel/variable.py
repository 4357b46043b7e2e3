"""What the device model holds for one variable, and where: a component reference and a stored variable.

A module of its own so that the store (which owns the variables) and the persistence layer (which
saves and restores them) both depend on it instead of on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from msgspec import UNSET, UnsetType

from ocppwire.devicemodel.spec import Mutability, VariableSpec
from ocppwire.v201 import enums as e
from ocppwire.v201 import types as t

__all__ = ["ACTUAL", "ComponentRef", "StoredVariable", "fold"]

ACTUAL = e.AttributeEnumType.ACTUAL


def fold(text: str | None) -> str:
    """Names compare case-insensitively: the key form of a component or variable name."""
    return (text or "").lower()


@dataclass(frozen=True)
class ComponentRef:
    """One component instance: a name plus optional instance, EVSE id and connector id."""

    name: str
    instance: str | None = None
    evse: int | None = None
    connector: int | None = None

    @property
    def key(self) -> tuple[str, str, int | None, int | None]:
        return (fold(self.name), fold(self.instance), self.evse, self.connector)

    @classmethod
    def from_type(cls, component: t.ComponentType) -> ComponentRef:
        evse = component.evse
        return cls(
            name=component.name,
            instance=None if isinstance(component.instance, UnsetType) else component.instance,
            evse=None if isinstance(evse, UnsetType) else evse.id,
            connector=(
                None if isinstance(evse, UnsetType) or isinstance(evse.connector_id, UnsetType) else evse.connector_id
            ),
        )

    def to_type(self) -> t.ComponentType:
        evse: t.EVSEType | UnsetType = UNSET
        if self.evse is not None:
            evse = t.EVSEType(id=self.evse, connector_id=UNSET if self.connector is None else self.connector)
        return t.ComponentType(name=self.name, instance=UNSET if self.instance is None else self.instance, evse=evse)

    def matches(self, pattern: t.ComponentType) -> bool:
        """Whether this component is selected by a GetReport filter (absent instance / EVSE = any)."""
        if fold(pattern.name) != fold(self.name):
            return False
        if not isinstance(pattern.instance, UnsetType) and fold(pattern.instance) != fold(self.instance):
            return False
        if not isinstance(pattern.evse, UnsetType):
            if pattern.evse.id != self.evse:
                return False
            if not isinstance(pattern.evse.connector_id, UnsetType) and pattern.evse.connector_id != self.connector:
                return False
        return True


@dataclass
class StoredVariable:
    """A variable the station holds: its effective spec, where it lives and its attribute values."""

    component: ComponentRef
    spec: VariableSpec
    values: dict[e.AttributeEnumType, str | None]
    persistent: bool = False
    constant: bool = False
    supports_monitoring: bool = False
    reboot_required: bool = False
    attribute_mutability: dict[e.AttributeEnumType, Mutability] = field(default_factory=dict)
    """Mutability of single attributes where it differs from the variable's (e.g. Actual ReadOnly, Target ReadWrite)."""
    pending: dict[e.AttributeEnumType, str] = field(default_factory=dict)
    """Values set with RebootRequired, applied at the next start."""

    @property
    def key(self) -> tuple[str, str]:
        return (fold(self.spec.variable), fold(self.spec.instance))

    @property
    def mutability(self) -> Mutability:
        """The variable's mutability (its Actual attribute's, unless overridden per attribute)."""
        return self.mutability_of(ACTUAL)

    def mutability_of(self, attribute: e.AttributeEnumType) -> Mutability:
        """The mutability of one attribute: its own if set, else the spec's."""
        return self.attribute_mutability.get(attribute, self.spec.effective_mutability)

    def variable_type(self) -> t.VariableType:
        return t.VariableType(
            name=self.spec.variable, instance=UNSET if self.spec.instance is None else self.spec.instance
        )
