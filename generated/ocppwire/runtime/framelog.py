"""Debug-level, structured logging of every frame a connection sends or receives.

Frames are logged on the ``ocppwire.frames`` logger at DEBUG with ``extra`` fields a structured
log handler can index — ``ocpp_identity``, ``ocpp_direction`` (``"in"``/``"out"``) and
``ocpp_message_id`` — and the frame text in the message. Nothing is formatted unless DEBUG is on,
so production logging costs one level check per frame.
"""

from __future__ import annotations

import logging

__all__ = ["FRAME_LOGGER", "log_frame"]

FRAME_LOGGER = logging.getLogger("ocppwire.frames")

_MAX_LOGGED = 4096  # characters of frame text kept in one log record


def log_frame(identity: str, direction: str, message_id: str | None, data: bytes | str) -> None:
    """Log one frame at DEBUG (no-op when DEBUG is off for ``ocppwire.frames``)."""
    if not FRAME_LOGGER.isEnabledFor(logging.DEBUG):
        return
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if len(text) > _MAX_LOGGED:
        text = text[:_MAX_LOGGED] + f"… ({len(text)} characters)"
    FRAME_LOGGER.debug(
        "%s %s %s %s",
        identity or "-",
        "<-" if direction == "in" else "->",
        message_id or "?",
        text,
        extra={"ocpp_identity": identity, "ocpp_direction": direction, "ocpp_message_id": message_id},
    )
