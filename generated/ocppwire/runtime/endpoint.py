"""What a CSMS server and a station client share: awaiting, ``async with`` and closing.

Both are started by awaiting them (or entering ``async with``) and stopped by :meth:`Endpoint.close`;
this base class holds that protocol once so the two cannot drift apart.
"""

from __future__ import annotations

import abc
from collections.abc import Generator
from types import TracebackType
from typing import Any, Self

__all__ = ["Endpoint"]


class Endpoint(abc.ABC):
    """An endpoint started by ``await`` or ``async with`` and stopped by :meth:`close`."""

    @abc.abstractmethod
    async def start(self) -> Self:
        """Start the endpoint (idempotent) and return it once it is usable."""

    @abc.abstractmethod
    async def close(self, grace: float | None = None) -> None:
        """Stop gracefully, letting calls in flight finish for ``grace`` seconds (default: ``shutdown_grace``)."""

    def __await__(self) -> Generator[Any, None, Self]:
        return self.start().__await__()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
