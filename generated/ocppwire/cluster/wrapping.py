"""Build a handler of a role whose implemented methods all go through one coroutine.

The dispatcher only calls the methods a handler class overrides (the others mean CALLERROR
``NotSupported``), so a wrapper must be a class that overrides exactly the chosen actions. Used by the
events stream (wrap the application's methods) and by request forwarding (implement every method).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from ..runtime.actions import ActionSpec
from ..runtime.roles import RoleBinding

__all__ = ["Around", "handler_class"]

Around = Callable[[Any, ActionSpec[Any, Any], Any, Any], Awaitable[Any]]
"""``around(handler, spec, peer, request)``: answers one request for a generated handler instance."""


def handler_class(
    binding: RoleBinding[Any, Any], base: type[Any], actions: Iterable[str], around: Around, name: str
) -> type[Any]:
    """A subclass of ``base`` (a handler class of ``binding``'s role) whose methods for ``actions`` call
    ``around(self, spec, peer, request)``; its other methods are ``base``'s."""
    namespace: dict[str, Any] = {}
    for action in actions:
        spec = binding.actions[action]

        def make(spec: ActionSpec[Any, Any]) -> Callable[[Any, Any, Any], Awaitable[Any]]:
            async def method(self: Any, peer: Any, request: Any) -> Any:
                return await around(self, spec, peer, request)

            method.__name__ = binding.methods[spec.name]
            return method

        namespace[binding.methods[action]] = make(spec)
    return type(name, (base,), namespace)
