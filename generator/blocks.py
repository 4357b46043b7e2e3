"""The OCPP 2.x functional block of each action: how ``ocppgen diff`` groups a changelog.

OCPP 2.0.1 Part 2 ("Specification") is organised in functional blocks, lettered A to P, each a list
of use cases (B01 Cold Boot Charging Station, E02 Start Transaction, ...); a message belongs to the
block whose use cases define it. OCPP 2.1 keeps those letters and adds blocks, among them Q
(Bidirectional Power Transfer) and R (DER Control). The table below is written from the block and
use-case lists of those documents: the 2.0.1 actions all have their block; of the actions 2.1 adds,
only those whose block is certain from 2.1's block list are placed (tariffs in I, priority charging
and dynamic schedules in K, DER control in R). Every other action (OCPP 1.6's own actions, 2.1's
payment, battery-swap, periodic-event-stream, certificate-chain and V2X signal messages, vendor
actions) is grouped under :data:`OTHER` rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping

OTHER = "Other"

BLOCKS: tuple[tuple[str, str], ...] = (
    ("A", "Security"),
    ("B", "Provisioning"),
    ("C", "Authorization"),
    ("D", "Local Authorization List Management"),
    ("E", "Transactions"),
    ("F", "Remote Control"),
    ("G", "Availability"),
    ("H", "Reservation"),
    ("I", "Tariff and Cost"),
    ("J", "Meter Values"),
    ("K", "Smart Charging"),
    ("L", "Firmware Management"),
    ("M", "ISO 15118 Certificate Management"),
    ("N", "Diagnostics"),
    ("O", "Display Message"),
    ("P", "Data Transfer"),
    ("Q", "Bidirectional Power Transfer"),
    ("R", "DER Control"),
)
"""The functional blocks in the specification's order: (letter, title)."""

_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "A": ("CertificateSigned", "SecurityEventNotification", "SignCertificate"),
    "B": ("BootNotification", "GetBaseReport", "GetReport", "GetVariables", "NotifyReport", "Reset",
          "SetNetworkProfile", "SetVariables"),
    "C": ("Authorize", "ClearCache"),
    "D": ("GetLocalListVersion", "SendLocalList"),
    "E": ("GetTransactionStatus", "TransactionEvent"),
    "F": ("RequestStartTransaction", "RequestStopTransaction", "TriggerMessage", "UnlockConnector"),
    "G": ("ChangeAvailability", "Heartbeat", "StatusNotification"),
    "H": ("CancelReservation", "ReservationStatusUpdate", "ReserveNow"),
    "I": ("ChangeTransactionTariff", "ClearTariffs", "CostUpdated", "GetTariffs", "SetDefaultTariff"),
    "J": ("MeterValues",),
    "K": ("ClearChargingProfile", "ClearedChargingLimit", "GetChargingProfiles", "GetCompositeSchedule",
          "NotifyChargingLimit", "NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "NotifyPriorityCharging",
          "PullDynamicScheduleUpdate", "ReportChargingProfiles", "SetChargingProfile", "UpdateDynamicSchedule",
          "UsePriorityCharging"),
    "L": ("FirmwareStatusNotification", "PublishFirmware", "PublishFirmwareStatusNotification",
          "UnpublishFirmware", "UpdateFirmware"),
    "M": ("DeleteCertificate", "Get15118EVCertificate", "GetCertificateStatus", "GetInstalledCertificateIds",
          "InstallCertificate"),
    "N": ("ClearVariableMonitoring", "CustomerInformation", "GetLog", "GetMonitoringReport",
          "LogStatusNotification", "NotifyCustomerInformation", "NotifyEvent", "NotifyMonitoringReport",
          "SetMonitoringBase", "SetMonitoringLevel", "SetVariableMonitoring"),
    "O": ("ClearDisplayMessage", "GetDisplayMessages", "NotifyDisplayMessages", "SetDisplayMessage"),
    "P": ("DataTransfer",),
    "R": ("ClearDERControl", "GetDERControl", "NotifyDERAlarm", "NotifyDERStartStop", "ReportDERControl",
          "SetDERControl"),
}  # fmt: skip

_BLOCK_OF: Mapping[str, str] = {action: letter for letter, actions in _ACTIONS.items() for action in actions}
_TITLES: Mapping[str, str] = dict(BLOCKS)


def block_of(action: str) -> str:
    """The letter of the action's functional block, or :data:`OTHER` when the table does not place it."""
    return _BLOCK_OF.get(action, OTHER)


def block_title(block: str) -> str:
    """``"B. Provisioning"`` for ``"B"``; :data:`OTHER` for itself."""
    return f"{block}. {_TITLES[block]}" if block in _TITLES else OTHER


def block_order(block: str) -> int:
    """Sort key: the specification's order, :data:`OTHER` last."""
    letters = [letter for letter, _ in BLOCKS]
    return letters.index(block) if block in letters else len(letters)
