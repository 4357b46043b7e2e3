"""The key rows of the attack run (``make attack``, benchmarks/attack.py), small and bounded, in ``make test``.

Each row starts a CSMS in its own process with every option at its default, five well-behaved
stations calling it, and one attacker process for two seconds; the assertions are the row's bound
(docs/runtime.md, "Hostile peers"). The bystanders' p99 is only checked loosely here (2 s): a
loaded test machine says nothing about the CSMS; ``make attack`` holds the strict figure.

The flood rows hold through the per-connection limits of the protocol core
(``max_incoming_calls``, ``send_timeout``, ``max_bad_frames``).
"""

from __future__ import annotations

import re
from pathlib import Path


from benchmarks.attack import Row, run_row
import pytest

pytestmark = pytest.mark.usefixtures("each_transport")  # transport behaviour: run on websockets and picows

SECONDS = 2.0
LOOSE_P99_MS = 2000.0


async def _row(name: str, tmp_path: Path) -> Row:
    row = await run_row(name, SECONDS, tmp_path)
    print(row)
    assert row.bystander_failures == 0, row
    assert row.p99_ms is not None and row.p99_ms < LOOSE_P99_MS, row
    return row


async def test_bad_identities_all_get_400(tmp_path: Path) -> None:
    row = await _row("bad identities", tmp_path)
    assert row.outcome.startswith("HTTP 400 ×") and "," not in row.outcome, row


async def test_connection_flood_from_one_address_is_capped(tmp_path: Path) -> None:
    row = await _row("connection flood from one address", tmp_path)
    accepted = re.search(r"accepted ×(\d+)", row.outcome)
    assert accepted is None or int(accepted.group(1)) <= 256, row  # max_connections_per_address
    assert "dropped ×" in row.outcome or "429 ×" in row.outcome, row
    assert row.rss_growth_mib < 64, row


async def test_handshake_rate_flood_gets_429(tmp_path: Path) -> None:
    row = await _row("handshake-rate flood", tmp_path)
    assert "429 ×" in row.outcome, row


async def test_descriptor_exhaustion_logs_no_storm(tmp_path: Path) -> None:
    row = await _row("descriptor exhaustion (accept errors)", tmp_path)
    assert row.log_errors <= 20, row


async def test_non_reading_flood_is_pushed_back_or_closed(tmp_path: Path) -> None:
    row = await _row("non-reading Heartbeat flood", tmp_path)
    assert row.holds, row
    assert row.rss_growth_mib < 64, row


async def test_slow_handler_flood_runs_at_most_four_handlers(tmp_path: Path) -> None:
    row = await _row("slow-handler Authorize flood", tmp_path)
    peak = re.search(r"peak (\d+) handlers at once", row.outcome)
    assert peak is not None and int(peak.group(1)) <= 4, row  # max_incoming_calls


async def test_refused_frame_flood_is_closed(tmp_path: Path) -> None:
    row = await _row("refused-frame flood (deflated 1 MiB junk)", tmp_path)
    assert row.outcome.startswith("closed"), row
