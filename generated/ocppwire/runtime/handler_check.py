"""Start-up checks of an application's handler class: misspelt method names and wrong signatures.

A handler answers an action by overriding the method named after it (``boot_notification``). A
method whose name is almost right (``boot_notificaton``), carries another library's prefix
(``on_boot_notification``, the habit of the ``ocpp`` package), or is spelt in CamelCase
(``BootNotification``) would otherwise be silently ignored: the peer gets CALLERROR ``NotSupported``
and nobody learns why. A method with the wrong parameters (``async def heartbeat(self, req)``, again
the ``ocpp`` package's shape) would fail on the first CALL with an ``InternalError``. Both are refused
when the server starts or the station connects, with one line naming the class, the method and the
closest action.

Only *public coroutine functions* defined by the application's classes are checked for names: helper
coroutines stay free when their names start with ``_`` or are not close to any handler method, and
plain (non-async) methods are never taken for handlers.
"""

from __future__ import annotations

import difflib
import inspect
import re
import weakref
from collections.abc import Mapping
from typing import Any

from .errors import OcppwireError

__all__ = ["HandlerDefinitionError", "check_handler_class"]

_FOREIGN_PREFIXES = ("on_", "handle_", "process_")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SIMILARITY = 0.85
"""difflib ratio above which a name counts as a misspelling of a handler method (one or two typos)."""
_MAX_LENGTH_DIFFERENCE = 2

_passed: weakref.WeakKeyDictionary[type[Any], set[type[Any]]] = weakref.WeakKeyDictionary()
"""Handler classes already checked against a handler base: a simulator connecting 10,000 stations checks once."""


class HandlerDefinitionError(OcppwireError, TypeError):
    """A handler class defines a method the runtime would never call, or one it cannot call."""


def check_handler_class(handler_class: type[Any], handler_type: type[Any], methods: Mapping[str, str]) -> None:
    """Raise :class:`HandlerDefinitionError` for the first misspelt or mis-shaped handler method.

    ``handler_type`` is the generated handler base (``CsmsHandler``), ``methods`` maps each action
    the role receives to its handler method name.
    """
    if handler_type in _passed.get(handler_class, ()):
        return
    actions_by_method = {method: action for action, method in methods.items()}
    known = set(dir(handler_type))
    for name, value in _own_coroutines(handler_class, handler_type):
        if name in actions_by_method:
            _check_signature(handler_class, name, value, actions_by_method[name])
        elif name not in known and not name.startswith("_"):
            closest = _closest(name, actions_by_method)
            if closest is not None:
                raise HandlerDefinitionError(
                    f"{handler_class.__name__}.{name} is not a handler method and would never be called: "
                    f"did you mean {closest!r} (action {actions_by_method[closest]})? "
                    f"(start helper coroutines' names with '_')"
                )
    _passed.setdefault(handler_class, set()).add(handler_type)


def _own_coroutines(handler_class: type[Any], handler_type: type[Any]) -> list[tuple[str, Any]]:
    """Public and private coroutine functions defined by the application's classes (mixins included)."""
    base = set(handler_type.__mro__)
    seen: dict[str, Any] = {}
    for klass in handler_class.__mro__:
        if klass in base:
            continue
        for name, value in vars(klass).items():
            if name not in seen and inspect.iscoroutinefunction(value):
                seen[name] = value
    return sorted(seen.items())


def _normalized(name: str) -> str:
    snake = _CAMEL_BOUNDARY.sub("_", name).lower()
    for prefix in _FOREIGN_PREFIXES:
        if snake.startswith(prefix):
            return snake[len(prefix) :]
    return snake


def _closest(name: str, candidates: Mapping[str, str]) -> str | None:
    """The handler method ``name`` most likely meant, or ``None`` when it is not close to any."""
    normalized = _normalized(name)
    if normalized in candidates:
        return normalized
    close = difflib.get_close_matches(normalized, list(candidates), n=1, cutoff=_SIMILARITY)
    if close and abs(len(close[0]) - len(normalized)) <= _MAX_LENGTH_DIFFERENCE:
        return close[0]
    return None


def _check_signature(handler_class: type[Any], name: str, function: Any, action: str) -> None:
    """A handler method is called as ``method(handler, peer, request)``: it must accept exactly that."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # pragma: no cover - builtins and C callables have no signature
        return
    try:
        signature.bind(object(), object(), object())
    except TypeError:
        shown = ", ".join(signature.parameters)
        raise HandlerDefinitionError(
            f"{handler_class.__name__}.{name}({shown}) must take (self, peer, req): the peer's client, "
            f"then the {action}Request"
        ) from None
