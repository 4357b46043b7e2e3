"""Debug-level, structured logging of every frame a connection sends or receives — secrets redacted, text escaped.

Frames are logged on the ``ocppwire.frames`` logger at DEBUG with ``extra`` fields a structured
log handler can index — ``ocpp_identity``, ``ocpp_direction`` (``"in"``/``"out"``) and
``ocpp_message_id`` — and the frame text in the message. Nothing is formatted unless DEBUG is on,
so production logging costs one level check per frame.

**Redaction rule** (:func:`redact_frame`), applied to every frame in both directions before it is logged:

- a *secret variable* is one whose name contains ``password``, ``passphrase``, ``secret``,
  ``privatekey`` or ``apikey`` (any case; the standard one is SecurityCtrlr.BasicAuthPassword), or
  whose reported ``variableCharacteristics.dataType`` is ``passwordString``. In any object that names
  such a variable (``{"variable": {"name": ...}}``) the ``attributeValue`` (SetVariables,
  GetVariables results) and every ``variableAttribute[].value`` (NotifyReport) become ``"<redacted>"``;
- a *secret field* — an object key containing ``password``, ``passphrase`` or ``secret``, or the key
  ``key`` (SetNetworkProfile's ``apnPassword``, ``vpn.password``, ``vpn.key``) — has its value redacted
  wherever it appears;
- a frame that is not valid JSON but contains one of those words is not logged at all, only its length.

The check is by frame content, not by action, so answers (whose action the frame does not name) are
covered too. Frames without any of the words are logged as received, escaped (:func:`~ocppwire.runtime.logsafe.escape`).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from .logsafe import REDACTED, escape

__all__ = ["FRAME_LOGGER", "is_secret_variable", "log_frame", "redact_frame"]

FRAME_LOGGER = logging.getLogger("ocppwire.frames")

_MAX_LOGGED = 4096  # characters of frame text kept in one log record

_SECRET_VARIABLE = re.compile(r"password|passphrase|secret|privatekey|apikey", re.IGNORECASE)
_SECRET_FIELD = re.compile(r"password|passphrase|secret|^key$", re.IGNORECASE)
_MENTIONS_SECRET = re.compile(r"password|passphrase|secret|privatekey|apikey|\"key\"", re.IGNORECASE)


def is_secret_variable(name: str) -> bool:
    """Whether a device-model variable of this name holds a secret (see the module docs)."""
    return _SECRET_VARIABLE.search(name) is not None


def _names_secret_variable(obj: dict[str, Any]) -> bool:
    variable = obj.get("variable")
    if isinstance(variable, dict) and isinstance(variable.get("name"), str) and is_secret_variable(variable["name"]):
        return True
    characteristics = obj.get("variableCharacteristics")
    return isinstance(characteristics, dict) and characteristics.get("dataType") == "passwordString"


def _redact(value: Any) -> Any:
    if isinstance(value, list):
        return [_redact(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: REDACTED if _SECRET_FIELD.search(key) else _redact(item) for key, item in value.items()}
    if _names_secret_variable(value):
        if "attributeValue" in out:
            out["attributeValue"] = REDACTED
        attributes = out.get("variableAttribute")
        if isinstance(attributes, list):
            out["variableAttribute"] = [
                {**a, "value": REDACTED} if isinstance(a, dict) and "value" in a else a for a in attributes
            ]
    return out


def redact_frame(text: str) -> str:
    """The frame text with secret values replaced by ``"<redacted>"`` (unchanged when it names no secret)."""
    if _MENTIONS_SECRET.search(text) is None:
        return text
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        return f"<unparseable frame of {len(text)} characters naming a secret: not logged>"
    redacted = _redact(frame)
    if redacted == frame:
        return text
    return json.dumps(redacted, ensure_ascii=False, separators=(",", ":"))


def log_frame(identity: str, direction: str, message_id: str | None, data: bytes | str) -> None:
    """Log one frame at DEBUG (no-op when DEBUG is off for ``ocppwire.frames``)."""
    if not FRAME_LOGGER.isEnabledFor(logging.DEBUG):
        return
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    FRAME_LOGGER.debug(
        "%s %s %s %s",
        escape(identity or "-"),
        "<-" if direction == "in" else "->",
        escape(message_id or "?", 40),
        escape(redact_frame(text), _MAX_LOGGED),
        extra={"ocpp_identity": identity, "ocpp_direction": direction, "ocpp_message_id": message_id},
    )
