"""Which asyncio event loop runs the application: the standard one, or uvloop (``ocppwire[fast]``).

The loop is chosen once, before anything starts, so it is not a server or client option but the way
the program is run: ``ocppwire.runtime.loops.run(main(), loop="uvloop")`` instead of
``asyncio.run(main())``. Both transports run on both loops; docs/benchmarks.md shows what each buys.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

__all__ = ["LOOPS", "Loop", "loop_factory", "run"]

T = TypeVar("T")

Loop = Literal["asyncio", "uvloop"]
LOOPS: tuple[Loop, ...] = ("asyncio", "uvloop")
"""The event loops ocppwire is tested on."""


def loop_factory(loop: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """A function that makes a new event loop of the named kind; ``ValueError`` for an unknown name,
    ``ImportError`` naming the extra when uvloop is not installed."""
    if loop == "asyncio":
        return asyncio.new_event_loop
    if loop == "uvloop":
        try:
            uvloop = importlib.import_module("uvloop")
        except ImportError as exc:
            raise ImportError("loop='uvloop' needs uvloop: pip install 'ocppwire[fast]'") from exc
        factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
        return factory
    raise ValueError(f"loop must be one of {', '.join(LOOPS)}, got {loop!r}")


def run(main: Coroutine[Any, Any, T], *, loop: str = "asyncio", debug: bool | None = None) -> T:
    """Run ``main`` to completion on a new event loop of the named kind (``"asyncio"`` or ``"uvloop"``),
    like :func:`asyncio.run`."""
    try:
        factory = loop_factory(loop)
    except BaseException:
        main.close()  # never awaited: do not leave a "coroutine was never awaited" warning behind
        raise
    with asyncio.Runner(debug=debug, loop_factory=factory) as runner:
        return runner.run(main)
