"""The simulator's ``flaky`` scenario against a CSMS: stations drop offline and come back, nothing is lost."""

from __future__ import annotations

from collections import defaultdict

from ocppwire.sim.report import summary
from ocppwire.sim.runner import SimConfig, simulate
from ocppwire.sim.scenario import Scenario, ScenarioName
from ocppwire.v201 import csms

from .recording_csms import RecordingCsms


async def test_flaky_stations_lose_no_transaction_event() -> None:
    handler = RecordingCsms()
    async with csms.serve(handler, "127.0.0.1", 0) as server:
        scenario = Scenario(
            name=ScenarioName.FLAKY, interval=0.05, transaction_updates=3, offline_every=0.8, offline_for=0.4
        )
        config = SimConfig(url=server.url, stations=3, scenario=scenario, duration=3.0, call_timeout=5)
        result = await simulate(config)
    outbox = result.outbox
    assert outbox is not None
    assert outbox.offline_periods >= 3 and outbox.queued > 20
    assert outbox.lost == 0 and outbox.dropped == 0 and outbox.delivered == outbox.queued
    assert result.errors == 0, result.to_dict()
    # the CSMS's view: every transaction numbered 0, 1, 2 ... without gaps or repeats, some events flagged offline
    by_transaction: dict[str, list[int]] = defaultdict(list)
    for _, request in handler.events:
        by_transaction[request.transaction_info.transaction_id].append(request.seq_no)
    assert sum(len(v) for v in by_transaction.values()) == outbox.delivered
    assert all(seqs == list(range(len(seqs))) for seqs in by_transaction.values()), by_transaction
    assert any(request.offline is True for _, request in handler.events)
    assert "0 lost" in summary(config, result)
