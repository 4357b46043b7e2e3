"""Our side of an interop exchange: handlers for every received action that record and answer richly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ocppwire.runtime.actions import ActionRegistry
from ocppwire.v201 import ACTIONS

from .payloads import rich

__all__ = ["recording_handler", "rich_request", "rich_response"]


def rich_request(action: str, actions: ActionRegistry = ACTIONS) -> Any:
    """The typed request of ``action`` (of ``actions``' version) with every field set."""
    return rich(actions[action].request)


def rich_response(action: str, actions: ActionRegistry = ACTIONS) -> Any:
    """The typed response of ``action`` (of ``actions``' version) with every field set."""
    return rich(actions[action].response)


def recording_handler(
    base: type[Any], methods: dict[str, str], received: list[tuple[str, Any]], actions: ActionRegistry = ACTIONS
) -> Any:
    """An instance of a subclass of ``base`` overriding every handler method in ``methods``.

    Each method appends ``(action, typed request)`` to ``received`` and returns the rich response.
    """

    def make(action: str) -> Callable[..., Any]:
        async def method(self: Any, peer: Any, req: Any) -> Any:
            received.append((action, req))
            return rich_response(action, actions)

        return method

    namespace = {method: make(action) for action, method in methods.items()}
    return type(f"Recording{base.__name__}", (base,), namespace)()
