"""The Charging Station's device model for OCPP 2.0.1, built on the generated catalogue.

- :class:`DeviceModel` holds the station's variables and answers GetVariables, SetVariables,
  GetBaseReport and GetReport (:mod:`.store`);
- :class:`DeviceModelHandlers` plugs it into a station handler in one line (:mod:`.handlers`);
- :class:`Monitoring` answers the monitoring requests and sends NotifyEvent when a monitored value
  changes (:mod:`.monitoring`, :mod:`.monitors`); :class:`MonitoringHandlers` plugs it in;
- with a :class:`~ocppwire.storage.StationStore`, values and monitors persist (:mod:`.persistence`);
- :mod:`.parts` builds message parts (``GetVariableData``, ``SetVariableData``, component and
  variable types) from catalogue specs, for the CSMS side as much as the station side.

Hand-written (not generator output): it sits beside ``ocppwire.v201`` and imports it.
"""

from ocppwire.devicemodel.spec import (
    ComponentKind,
    DataType,
    InvalidValueError,
    LimitViolationError,
    Mutability,
    NotInValuesListError,
    ReadOnlyError,
    VariableSpec,
    VariableValueError,
    WriteOnlyError,
)

from .handlers import (
    DeviceModelHandlers,
    MonitoringHandlers,
    NotifyReportSender,
    attach,
    send_notify_reports,
    start_report,
)
from .monitoring import Monitoring, send_through_outbox
from .monitors import Monitor, MonitorKind
from .parts import (
    component_type,
    component_variable,
    get_variable_data,
    set_variable_data,
    variable_characteristics,
    variable_type,
)
from .store import ChangeEvent, ComponentRef, DeviceModel, StoredVariable

__all__ = [
    "ChangeEvent",
    "ComponentKind",
    "ComponentRef",
    "DataType",
    "DeviceModel",
    "DeviceModelHandlers",
    "Monitor",
    "MonitorKind",
    "Monitoring",
    "MonitoringHandlers",
    "InvalidValueError",
    "LimitViolationError",
    "Mutability",
    "NotInValuesListError",
    "NotifyReportSender",
    "ReadOnlyError",
    "StoredVariable",
    "VariableSpec",
    "VariableValueError",
    "WriteOnlyError",
    "attach",
    "component_type",
    "component_variable",
    "get_variable_data",
    "send_notify_reports",
    "send_through_outbox",
    "set_variable_data",
    "start_report",
    "variable_characteristics",
    "variable_type",
]
