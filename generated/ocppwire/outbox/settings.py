"""How the outbox retries, read from the station's device model (OCPPCommCtrlr) at every use.

OCPP 2.0.1 puts the retry rules of transaction-related messages in three OCPPCommCtrlr variables:

- ``MessageAttempts[TransactionEvent]``: how many times a message is tried when the CSMS answers it
  with a CALLERROR; after the last failed try it is dropped;
- ``MessageAttemptInterval[TransactionEvent]``: seconds to wait before trying again, multiplied by
  the number of tries so far (the wait grows with every failure);
- ``QueueAllMessages``: when true, every message the station sends through the outbox is queued
  durably, not only transaction-related ones.

A CSMS may change them with SetVariables at any time, so :meth:`OutboxSettings.read` is called for
every decision rather than once at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocppwire.devicemodel.store import DeviceModel

__all__ = ["OutboxSettings"]

_COMPONENT = "OCPPCommCtrlr"


@dataclass(frozen=True)
class OutboxSettings:
    """The three retry settings; defaults apply to whatever the device model does not hold."""

    message_attempts: int = 3
    message_attempt_interval: float = 60.0
    queue_all_messages: bool = False

    def __post_init__(self) -> None:
        if self.message_attempts < 1:
            raise ValueError("message_attempts must be at least 1")
        if self.message_attempt_interval < 0:
            raise ValueError("message_attempt_interval must not be negative")

    def retry_delay(self, failed_attempts: int) -> float:
        """Seconds to wait after ``failed_attempts`` failures before the next try."""
        return self.message_attempt_interval * failed_attempts

    def read(self, model: DeviceModel | None) -> OutboxSettings:
        """These settings overridden by the values ``model`` holds (``self`` when there is no model)."""
        if model is None:
            return self
        attempts = _integer(model, "MessageAttempts", "TransactionEvent")
        interval = _integer(model, "MessageAttemptInterval", "TransactionEvent")
        queue_all = _text(model, "QueueAllMessages", None)
        return OutboxSettings(
            message_attempts=max(1, attempts) if attempts is not None else self.message_attempts,
            message_attempt_interval=max(0, interval) if interval is not None else self.message_attempt_interval,
            queue_all_messages=queue_all.lower() == "true" if queue_all is not None else self.queue_all_messages,
        )


def _text(model: DeviceModel, variable: str, instance: str | None) -> str | None:
    stored = model.find(_COMPONENT, variable, instance=instance)
    if stored is None:
        return None
    for attribute, text in stored.values.items():
        if attribute.value == "Actual":
            return text
    return None


def _integer(model: DeviceModel, variable: str, instance: str | None) -> int | None:
    text = _text(model, variable, instance)
    if text is None or not text.lstrip("+-").isdigit():
        return None
    return int(text)
