"""The station-side device model: the values a Charging Station holds and how it answers the CSMS.

A station developer fills a :class:`DeviceModel` with the variables it supports — catalogue specs
(``catalog.OCPPCommCtrlr.HeartbeatInterval``) or its own vendor specs — on the right component
instance (station-wide, an EVSE, a connector), and the model answers the device-model requests:

- ``GetVariables`` (B06): Accepted with the value, or UnknownComponent / UnknownVariable /
  NotSupportedAttributeType, or Rejected (``WriteOnly``) for a write-only variable;
- ``SetVariables`` (B05): Accepted (or RebootRequired for variables flagged so), UnknownComponent /
  UnknownVariable / NotSupportedAttributeType, or Rejected with a reason code (``ReadOnly``,
  ``InvalidValue``, ``ValueOutOfRange``) when the spec refuses the value;
- ``GetBaseReport`` (B07) / ``GetReport`` (B08): the response status plus the ``ReportData`` items
  that :func:`split_items` cuts into NotifyReport messages, which :mod:`ocppwire.devicemodel.handlers`
  sends as a sequence (seqNo, tbc).

Names are matched case-insensitively, as OCPP says component and variable names are. Values are
stored as validated wire text, so a get returns exactly what a set stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from msgspec import UNSET, UnsetType

from ocppwire.devicemodel.spec import (
    AttributeValue,
    Mutability,
    ReadOnlyError,
    VariableSpec,
    VariableValueError,
    WriteOnlyError,
)
from ocppwire.runtime.errors import FormatViolationError, OccurrenceConstraintViolationError
from ocppwire.runtime.payload import encode
from ocppwire.storage import StationStore
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from .parts import variable_characteristics
from .persistence import ValueStore
from .variable import ACTUAL, ComponentRef, StoredVariable, fold

__all__ = ["ChangeEvent", "ComponentRef", "DeviceModel", "StoredVariable", "split_items"]

ItemT = TypeVar("ItemT")

MAX_ATTRIBUTE_VALUE_LENGTH = 2500  # GetVariableResult.attributeValue / VariableAttribute.value maxLength
MAX_ADDITIONAL_INFO = 512  # StatusInfo.additionalInfo maxLength
DEFAULT_ITEMS_PER_MESSAGE = 25
_SUMMARY_VARIABLES = frozenset({"availabilitystate", "available", "enabled", "problem"})
_CRITERIA = {
    e.ComponentCriterionEnumType.ACTIVE: "active",
    e.ComponentCriterionEnumType.AVAILABLE: "available",
    e.ComponentCriterionEnumType.ENABLED: "enabled",
    e.ComponentCriterionEnumType.PROBLEM: "problem",
}


@dataclass(frozen=True)
class ChangeEvent:
    """What a CSMS ``SetVariables`` changed, passed to :meth:`DeviceModel.on_change` listeners."""

    variable: StoredVariable
    attribute: e.AttributeEnumType
    old: str | None
    new: str
    custom_data: Any = None  # the customData of the setVariableData entry (or of the request), if any


@dataclass
class _Component:
    ref: ComponentRef
    variables: dict[tuple[str, str], StoredVariable] = field(default_factory=dict)


class DeviceModel:
    """Values and answers of a Charging Station's device model (see the module docstring).

    ``items_per_message`` is how many ``reportData`` entries go in one NotifyReport (default 25);
    ``bytes_per_message``, if given, also caps the encoded size of each report message (an item
    larger than that still goes, alone). ``clock`` returns the ``generatedAt`` timestamp of reports
    (default: now, UTC). ``store``, if given, keeps persistent and RebootRequired values on disk
    (:mod:`ocppwire.devicemodel.persistence`).
    """

    def __init__(
        self,
        *,
        items_per_message: int = DEFAULT_ITEMS_PER_MESSAGE,
        bytes_per_message: int | None = None,
        clock: Callable[[], datetime] | None = None,
        store: StationStore | None = None,
    ) -> None:
        if items_per_message < 1:
            raise ValueError("items_per_message must be at least 1")
        if bytes_per_message is not None and bytes_per_message < 1:
            raise ValueError("bytes_per_message must be at least 1")
        self.items_per_message = items_per_message
        self.bytes_per_message = bytes_per_message
        self.store = store
        self._values = None if store is None else ValueStore(store)
        self._watchers: list[Callable[[StoredVariable, e.AttributeEnumType, str | None, str], None]] = []
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._components: dict[tuple[str, str, int | None, int | None], _Component] = {}
        self._listeners: list[Callable[[ChangeEvent], None]] = []
        # NotifyReport tasks started by the handler mixin (ocppwire.devicemodel.handlers.start_report).
        self.report_tasks: set[asyncio.Task[Any]] = set()

    # ---- filling the model ------------------------------------------------------------------------
    def add(
        self,
        spec: VariableSpec,
        value: AttributeValue | Iterable[str] | None = None,
        *,
        evse: int | None = None,
        connector: int | None = None,
        component_instance: str | None = None,
        attributes: Mapping[e.AttributeEnumType, AttributeValue | Iterable[str]] | None = None,
        attribute_mutability: Mapping[e.AttributeEnumType, Mutability] | None = None,
        persistent: bool = False,
        constant: bool = False,
        supports_monitoring: bool = False,
        reboot_required: bool = False,
        **overrides: Any,
    ) -> StoredVariable:
        """Add a variable with its Actual ``value`` (and optional other ``attributes``).

        With a ``store``, a saved value of a ``persistent`` variable replaces ``value``, and a
        value set with RebootRequired before the last restart takes effect now.
        ``attribute_mutability`` sets the mutability of single attributes (``{Target: ReadWrite}``).

        ``overrides`` change the catalogue's spec for this station, e.g. ``mutability=Mutability.READ_ONLY``
        or ``max_limit=3600``. A vendor variable is added the same way from a spec the vendor writes.
        Values are checked against the (overridden) spec; only a WriteOnly variable may lack a value.
        """
        if spec.instance_is_placeholder:
            raise ValueError(f"{spec.path}: placeholder instance; call .with_instance(...) first")
        if connector is not None and evse is None:
            raise ValueError("a connector is addressed within an EVSE: pass evse= as well")
        if overrides:
            spec = spec.replace(**overrides)
        values: dict[e.AttributeEnumType, str | None] = {}
        if value is not None:
            values[ACTUAL] = self._text(spec, value)
        elif spec.effective_mutability is not Mutability.WRITE_ONLY:
            raise ValueError(f"{spec.path}: a value is required (only a WriteOnly variable may have none)")
        else:
            values[ACTUAL] = None
        for attribute, attr_value in (attributes or {}).items():
            values[e.AttributeEnumType(attribute)] = self._text(spec, attr_value)
        ref = ComponentRef(spec.component, component_instance, evse, connector)
        component = self._components.setdefault(ref.key, _Component(ref))
        stored = StoredVariable(
            ref,
            spec,
            values,
            persistent,
            constant,
            supports_monitoring,
            reboot_required,
            {e.AttributeEnumType(k): Mutability(v) for k, v in (attribute_mutability or {}).items()},
        )
        if stored.key in component.variables:
            raise ValueError(f"{spec.path} is already in the device model for {ref}")
        if self._values is not None:
            self._values.restore(stored)
        component.variables[stored.key] = stored
        return stored

    def add_many(
        self,
        values: Mapping[VariableSpec, AttributeValue | Iterable[str] | None],
        *,
        evse: int | None = None,
        connector: int | None = None,
    ) -> list[StoredVariable]:
        """Add several variables of one component instance (station-wide unless ``evse`` is given)."""
        return [self.add(spec, value, evse=evse, connector=connector) for spec, value in values.items()]

    @staticmethod
    def _text(spec: VariableSpec, value: AttributeValue | Iterable[str]) -> str:
        if isinstance(value, str):
            spec.parse(value)
            return value
        return spec.format(value)

    def on_change(self, listener: Callable[[ChangeEvent], None]) -> Callable[[ChangeEvent], None]:
        """Call ``listener`` after every value a CSMS SetVariables changes (usable as a decorator)."""
        self._listeners.append(listener)
        return listener

    def watch(
        self, watcher: Callable[[StoredVariable, e.AttributeEnumType, str | None, str], None]
    ) -> Callable[[StoredVariable, e.AttributeEnumType, str | None, str], None]:
        """Call ``watcher(variable, attribute, old, new)`` after every value change, by the station or a CSMS.

        This is what monitoring (:mod:`ocppwire.devicemodel.monitoring`) listens to.
        """
        self._watchers.append(watcher)
        return watcher

    def _changed(self, stored: StoredVariable, attribute: e.AttributeEnumType, old: str | None, new: str) -> None:
        for watcher in self._watchers:
            watcher(stored, attribute, old, new)

    # ---- local access (the station itself; no mutability check) ---------------------------------
    def find(
        self,
        component: str | VariableSpec,
        variable: str | None = None,
        *,
        instance: str | None = None,
        evse: int | None = None,
        connector: int | None = None,
        component_instance: str | None = None,
    ) -> StoredVariable | None:
        """The stored variable for a spec (or component and variable names), or ``None``."""
        if isinstance(component, VariableSpec):
            variable, instance, component = component.variable, component.instance, component.component
        if variable is None:
            raise TypeError("pass a VariableSpec, or a component name and a variable name")
        ref = ComponentRef(component, component_instance, evse, connector)
        found = self._components.get(ref.key)
        return None if found is None else found.variables.get((fold(variable), fold(instance)))

    def _require(self, spec: VariableSpec, **where: Any) -> StoredVariable:
        stored = self.find(spec, **where)
        if stored is None:
            raise KeyError(f"{spec.path} is not in the device model")
        return stored

    def get(self, spec: VariableSpec, *, attribute: e.AttributeEnumType = ACTUAL, **where: Any) -> AttributeValue:
        """The parsed value of a stored variable (``where``: evse=, connector=, component_instance=)."""
        text = self._require(spec, **where).values.get(attribute)
        if text is None:
            raise KeyError(f"{spec.path} has no {attribute.value} value")
        return spec.parse(text)

    def set(
        self,
        spec: VariableSpec,
        value: AttributeValue | Iterable[str],
        *,
        attribute: e.AttributeEnumType = ACTUAL,
        **where: Any,
    ) -> None:
        """Change a stored value from the station side (type and limits checked, mutability not).

        Saved when the variable is persistent and the model has a store; watchers are told.
        """
        stored = self._require(spec, **where)
        old = stored.values.get(attribute)
        text = stored.values[attribute] = self._text(stored.spec, value)
        if self._values is not None and stored.persistent:
            self._values.save(stored, attribute, text, pending=False)
        if old != text:
            self._changed(stored, attribute, old, text)

    def pending(
        self, spec: VariableSpec, *, attribute: e.AttributeEnumType = ACTUAL, **where: Any
    ) -> AttributeValue | None:
        """The value set with RebootRequired that the next start will apply, or ``None``."""
        text = self._require(spec, **where).pending.get(attribute)
        return None if text is None else spec.parse(text)

    def __iter__(self) -> Iterator[StoredVariable]:
        for component in self._components.values():
            yield from component.variables.values()

    def __len__(self) -> int:
        return sum(len(c.variables) for c in self._components.values())

    def missing_required(self, specs: Iterable[VariableSpec]) -> list[VariableSpec]:
        """The specs among ``specs`` that the catalogue marks required and this model lacks on any instance."""
        held = {(fold(v.spec.component), v.key) for v in self}
        return [
            s
            for s in specs
            if s.required
            and not s.instance_is_placeholder
            and (fold(s.component), (fold(s.variable), fold(s.instance))) not in held
        ]

    def _limit(self, variable: str, instance: str) -> int | None:
        """A DeviceDataCtrlr limit the station declares (ItemsPerMessage, ReportingValueSize ...)."""
        stored = self.find("DeviceDataCtrlr", variable, instance=instance or None)
        text = None if stored is None else stored.values.get(ACTUAL)
        return int(text) if text is not None and text.lstrip("+-").isdigit() else None

    def _check_items(self, count: int, instance: str) -> None:
        limit = self._limit("ItemsPerMessage", instance)
        if limit is not None and count > limit:
            raise OccurrenceConstraintViolationError(
                f"{count} entries exceed DeviceDataCtrlr.ItemsPerMessage[{instance}] = {limit}"
            )

    def _check_bytes(self, request: Any, instance: str) -> None:
        """CALLERROR FormatViolation for a request longer than DeviceDataCtrlr.BytesPerMessage[instance]."""
        limit = self._limit("BytesPerMessage", instance)
        if limit is not None:
            size = len(encode(request))
            if size > limit:
                raise FormatViolationError(f"{size} bytes exceed DeviceDataCtrlr.BytesPerMessage[{instance}] = {limit}")

    def _reported(self, text: str) -> str:
        limit = self._limit("ReportingValueSize", "") or MAX_ATTRIBUTE_VALUE_LENGTH
        return text[: min(limit, MAX_ATTRIBUTE_VALUE_LENGTH)]

    # ---- GetVariables / SetVariables --------------------------------------------------------------
    def resolve(self, component: t.ComponentType, variable: t.VariableType) -> StoredVariable | str:
        """The variable a request names, or ``"UnknownComponent"`` / ``"UnknownVariable"``."""
        return self._resolve(component, variable)

    def _resolve(self, component: t.ComponentType, variable: t.VariableType) -> StoredVariable | str:
        """The stored variable, or the status saying what is unknown (``UnknownComponent`` / ``UnknownVariable``)."""
        found = self._components.get(ComponentRef.from_type(component).key)
        if found is None:
            return "UnknownComponent"
        instance = None if isinstance(variable.instance, UnsetType) else variable.instance
        stored = found.variables.get((fold(variable.name), fold(instance)))
        return stored if stored is not None else "UnknownVariable"

    def get_variables(self, req: m.GetVariablesRequest) -> m.GetVariablesResponse:
        """Answer a GetVariablesRequest (one result per entry, in order)."""
        self._check_items(len(req.get_variable_data), "GetVariables")
        self._check_bytes(req, "GetVariables")
        return m.GetVariablesResponse(get_variable_result=[self._get_one(item) for item in req.get_variable_data])

    def _get_one(self, item: t.GetVariableDataType) -> t.GetVariableResultType:
        attribute = ACTUAL if isinstance(item.attribute_type, UnsetType) else item.attribute_type

        def result(
            status: e.GetVariableStatusEnumType, value: str | None = None, info: t.StatusInfoType | UnsetType = UNSET
        ) -> t.GetVariableResultType:
            return t.GetVariableResultType(
                attribute_status=status,
                attribute_type=item.attribute_type,
                attribute_value=UNSET if value is None else value,
                attribute_status_info=info,
                component=item.component,
                variable=item.variable,
            )

        stored = self._resolve(item.component, item.variable)
        if isinstance(stored, str):
            return result(e.GetVariableStatusEnumType(stored))
        if attribute not in stored.values:
            return result(e.GetVariableStatusEnumType.NOT_SUPPORTED_ATTRIBUTE_TYPE)
        text = stored.values[attribute]
        if stored.mutability is Mutability.WRITE_ONLY or text is None:
            error = WriteOnlyError(stored.spec, None, "the variable is write-only")
            return result(e.GetVariableStatusEnumType.REJECTED, info=_status_info(error.reason_code, str(error)))
        return result(e.GetVariableStatusEnumType.ACCEPTED, self._reported(text))

    def set_variables(self, req: m.SetVariablesRequest) -> m.SetVariablesResponse:
        """Answer a SetVariablesRequest: each entry is checked and applied on its own, in order."""
        self._check_items(len(req.set_variable_data), "SetVariables")
        self._check_bytes(req, "SetVariables")
        request_custom = None if isinstance(req.custom_data, UnsetType) else req.custom_data
        if self.store is None:
            results = [self._set_one(item, request_custom) for item in req.set_variable_data]
        else:
            with self.store.transaction():  # all accepted values of the request are saved, or none
                results = [self._set_one(item, request_custom) for item in req.set_variable_data]
        return m.SetVariablesResponse(set_variable_result=results)

    def _set_one(self, item: t.SetVariableDataType, request_custom: Any) -> t.SetVariableResultType:
        attribute = ACTUAL if isinstance(item.attribute_type, UnsetType) else item.attribute_type

        def result(
            status: e.SetVariableStatusEnumType, info: t.StatusInfoType | UnsetType = UNSET
        ) -> t.SetVariableResultType:
            return t.SetVariableResultType(
                attribute_status=status,
                attribute_type=item.attribute_type,
                attribute_status_info=info,
                component=item.component,
                variable=item.variable,
            )

        stored = self._resolve(item.component, item.variable)
        if isinstance(stored, str):
            return result(e.SetVariableStatusEnumType(stored))
        if attribute not in stored.values:
            return result(e.SetVariableStatusEnumType.NOT_SUPPORTED_ATTRIBUTE_TYPE)
        try:
            if stored.mutability_of(attribute) is Mutability.READ_ONLY:
                raise ReadOnlyError(stored.spec, item.attribute_value, f"the {attribute.value} attribute is read-only")
            stored.spec.parse(item.attribute_value)
        except VariableValueError as exc:
            return result(e.SetVariableStatusEnumType.REJECTED, _status_info(exc.reason_code, str(exc)))
        size = self._limit("ConfigurationValueSize", "")
        if size is not None and len(item.attribute_value) > size:
            info = _status_info("InvalidValue", f"value longer than DeviceDataCtrlr.ConfigurationValueSize = {size}")
            return result(e.SetVariableStatusEnumType.REJECTED, info)
        if stored.reboot_required:  # takes effect at the next start (B05)
            stored.pending[attribute] = item.attribute_value
            if self._values is not None:
                self._values.save(stored, attribute, item.attribute_value, pending=True)
            return result(e.SetVariableStatusEnumType.REBOOT_REQUIRED)
        old = stored.values[attribute]
        stored.values[attribute] = item.attribute_value
        if self._values is not None and stored.persistent:
            self._values.save(stored, attribute, item.attribute_value, pending=False)
        custom = request_custom if isinstance(item.custom_data, UnsetType) else item.custom_data
        event = ChangeEvent(stored, attribute, old, item.attribute_value, custom)
        for listener in self._listeners:
            listener(event)
        if old != item.attribute_value:
            self._changed(stored, attribute, old, item.attribute_value)
        return result(e.SetVariableStatusEnumType.ACCEPTED)

    # ---- reports ----------------------------------------------------------------------------------
    def base_report(self, req: m.GetBaseReportRequest) -> tuple[m.GetBaseReportResponse, list[t.ReportDataType]]:
        """The GetBaseReport answer and the report items to send (none unless the status is Accepted).

        ConfigurationInventory holds the variables a CSMS can write (not ReadOnly); FullInventory
        holds everything; SummaryInventory holds the state of every component — its
        AvailabilityState, Available, Enabled and Problem variables — and every variable of a
        component whose Problem is true, so a CSMS sees at a glance what is there and what is wrong.
        """
        if req.report_base is e.ReportBaseEnumType.SUMMARY_INVENTORY:
            chosen = self._summary()
        else:
            chosen = [
                v
                for v in self
                if req.report_base is e.ReportBaseEnumType.FULL_INVENTORY or v.mutability is not Mutability.READ_ONLY
            ]
        items = [self.report_data(v) for v in chosen]
        status = (
            e.GenericDeviceModelStatusEnumType.ACCEPTED
            if items
            else e.GenericDeviceModelStatusEnumType.EMPTY_RESULT_SET
        )
        return m.GetBaseReportResponse(status=status), items

    def report(self, req: m.GetReportRequest) -> tuple[m.GetReportResponse, list[t.ReportDataType]]:
        """The GetReport answer and items: ``componentVariable`` and ``componentCriteria`` both filter.

        A filter's absent component instance, EVSE or connector matches any; a filter without a
        variable selects the whole component; ``componentCriteria`` keeps components whose
        Active / Available / Enabled / Problem variable is true.
        """
        filters = [] if isinstance(req.component_variable, UnsetType) else req.component_variable
        self._check_items(len(filters), "GetReport")
        criteria = [] if isinstance(req.component_criteria, UnsetType) else req.component_criteria
        chosen: list[StoredVariable] = []
        for component in self._components.values():
            if criteria and not self._meets(component, criteria):
                continue
            for stored in component.variables.values():
                if not filters or any(_selects(f, stored) for f in filters):
                    chosen.append(stored)
        if not chosen:
            return m.GetReportResponse(status=e.GenericDeviceModelStatusEnumType.EMPTY_RESULT_SET), []
        return m.GetReportResponse(status=e.GenericDeviceModelStatusEnumType.ACCEPTED), [
            self.report_data(v) for v in chosen
        ]

    def _summary(self) -> list[StoredVariable]:
        chosen: list[StoredVariable] = []
        for component in self._components.values():
            problem = any(
                name == "problem" and not instance and fold(v.values.get(ACTUAL)) == "true"
                for (name, instance), v in component.variables.items()
            )
            for (name, _), stored in component.variables.items():
                if problem or name in _SUMMARY_VARIABLES:
                    chosen.append(stored)
        return chosen

    @staticmethod
    def _meets(component: _Component, criteria: list[e.ComponentCriterionEnumType]) -> bool:
        wanted = {_CRITERIA[c] for c in criteria}
        for (name, instance), stored in component.variables.items():
            if name in wanted and not instance and fold(stored.values.get(ACTUAL)) == "true":
                return True
        return False

    def report_data(self, stored: StoredVariable) -> t.ReportDataType:
        """One ``reportData`` entry: every attribute with its value, plus the characteristics."""
        attributes = [
            t.VariableAttributeType(
                type=attribute,
                value=UNSET if text is None or stored.mutability is Mutability.WRITE_ONLY else self._reported(text),
                mutability=e.MutabilityEnumType(stored.mutability_of(attribute).value),
                persistent=stored.persistent,
                constant=stored.constant,
            )
            for attribute, text in stored.values.items()
        ]
        return t.ReportDataType(
            component=stored.component.to_type(),
            variable=stored.variable_type(),
            variable_attribute=attributes,
            variable_characteristics=variable_characteristics(
                stored.spec, supports_monitoring=stored.supports_monitoring
            ),
        )

    def notify_reports(
        self, request_id: int, items: list[t.ReportDataType], *, generated_at: datetime | None = None
    ) -> list[m.NotifyReportRequest]:
        """Split report items into NotifyReport requests: ``seqNo`` from 0, ``tbc`` true on all but the last.

        Each request holds at most ``items_per_message`` items and, with ``bytes_per_message``, at
        most that many bytes of encoded items.
        """
        chunks = split_items(items, self.items_per_message, self.bytes_per_message)
        when = generated_at or self.clock()
        return [
            m.NotifyReportRequest(
                request_id=request_id,
                generated_at=when,
                seq_no=seq,
                tbc=seq < len(chunks) - 1,
                report_data=chunk if chunk else UNSET,
            )
            for seq, chunk in enumerate(chunks)
        ]


def split_items(items: list[ItemT], per_message: int, bytes_per_message: int | None) -> list[list[ItemT]]:
    """Cut report items into consecutive chunks by count and, if given, by encoded size (never empty)."""
    chunks: list[list[ItemT]] = []
    current: list[ItemT] = []
    size = 0
    for item in items:
        item_size = len(encode(item)) + 1 if bytes_per_message is not None else 0
        full = len(current) >= per_message or (
            bytes_per_message is not None and current and size + item_size > bytes_per_message
        )
        if full:
            chunks.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current or not chunks:
        chunks.append(current)
    return chunks


def _selects(pattern: t.ComponentVariableType, stored: StoredVariable) -> bool:
    if not stored.component.matches(pattern.component):
        return False
    variable = pattern.variable
    if isinstance(variable, UnsetType):
        return True
    if fold(variable.name) != fold(stored.spec.variable):
        return False
    return isinstance(variable.instance, UnsetType) or fold(variable.instance) == fold(stored.spec.instance)


def _status_info(reason: str, detail: str) -> t.StatusInfoType:
    return t.StatusInfoType(reason_code=reason, additional_info=detail[:MAX_ADDITIONAL_INFO])
