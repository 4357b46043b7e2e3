"""Keep the simulator's garbage collector from pausing its stations while they talk.

A simulator process holds thousands of connections, all alive until the end of the run. CPython's
full collections walk every tracked object; at 10,000 stations that is a pause of a good part of a
second, during which no station of the process reads its answers. The pause would be measured as
CSMS latency. So, once the fleet is connected, the run collects once, freezes what is alive
(``gc.freeze``: the connections leave the collector's sight) and raises the oldest generation's
threshold so that no full collection starts before the run ends. Young collections go on as usual,
and they reclaim almost all the cyclic garbage a run makes (about one object in five round trips,
measured, most of it from closing connections). Everything is restored when the run ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["quiet_collector"]

_NO_FULL_COLLECTION = 1 << 30
"""Young-generation collections before a full one: more than any run makes."""


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Within the block: everything alive at its start is frozen, and full collections do not start."""
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, _NO_FULL_COLLECTION)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)
        gc.unfreeze()
