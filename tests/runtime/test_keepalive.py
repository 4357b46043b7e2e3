"""One keep-alive timer for many connections: pings when due, gives up on silence, never one long stall."""

from __future__ import annotations

import asyncio

from ocppwire.runtime.keepalive import SLICE, KeepAlive


class Member:
    def __init__(self) -> None:
        self.checks: list[float] = []

    def keepalive_check(self, now: float, interval: float, timeout: float) -> None:
        self.checks.append(now)


async def test_every_member_is_checked_each_tick_and_removed_members_are_not() -> None:
    keepalive = KeepAlive(0.04, 0.04)
    kept, dropped = Member(), Member()
    keepalive.add(kept)
    keepalive.add(dropped)
    await asyncio.sleep(0.05)
    keepalive.discard(dropped)
    before = len(dropped.checks)
    await asyncio.sleep(0.05)
    keepalive.stop()
    assert len(kept.checks) >= 4 and len(dropped.checks) == before


async def test_a_large_sweep_yields_to_the_event_loop_between_slices() -> None:
    keepalive = KeepAlive(0.02, 0.02)
    members = [Member() for _ in range(SLICE * 4)]
    for member in members:
        keepalive.add(member)
    seen_mid_sweep: list[int] = []

    async def probe() -> None:  # runs between slices only if the sweep yields
        while True:
            await asyncio.sleep(0)
            checked = sum(1 for member in members if member.checks)
            if 0 < checked < len(members):
                seen_mid_sweep.append(checked)
                return

    task = asyncio.create_task(probe())
    await asyncio.wait_for(task, 2)
    keepalive.stop()
    assert seen_mid_sweep and seen_mid_sweep[0] % SLICE == 0


def test_first_pings_spread_over_the_last_quarter_of_the_interval() -> None:
    keepalive = KeepAlive(40.0, 10.0)
    firsts = [keepalive.first_ping_at(100.0) for _ in range(200)]
    assert all(130.0 <= first <= 140.0 for first in firsts)
    assert max(firsts) - min(firsts) > 5.0
    assert keepalive.tick == 2.5  # a quarter of the shorter of interval and timeout
