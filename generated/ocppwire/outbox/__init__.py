"""The station's durable outbox: store first, send in order, delete when answered.

- :class:`Outbox` (:mod:`.delivery`): ``submit`` / ``call``, the delivery task, retries, hooks;
- :class:`DurableQueue` (:mod:`.queue`): the SQLite rows and per-transaction ``seqNo`` counters;
- :class:`OutboxSettings` (:mod:`.settings`): MessageAttempts, MessageAttemptInterval,
  QueueAllMessages, read from the device model.
"""

from .delivery import DroppedMessage, MessageDroppedError, Outbox, OutboxStats, StationLink, Submission
from .queue import DurableQueue, QueuedMessage
from .settings import OutboxSettings

__all__ = [
    "DroppedMessage",
    "DurableQueue",
    "MessageDroppedError",
    "Outbox",
    "OutboxSettings",
    "OutboxStats",
    "QueuedMessage",
    "StationLink",
    "Submission",
]
