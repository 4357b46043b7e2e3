"""The per-version benchmark rows (``benchmarks/versions_bench``) time only payloads both sides accept."""

from __future__ import annotations

from benchmarks.versions_bench import VERSION_SAMPLES, VersionContenders, check_samples


def test_every_benchmark_sample_is_accepted_by_both_sides_in_every_version() -> None:
    check_samples()
    assert {v: [s.action for s in samples] for v, samples in VERSION_SAMPLES.items()} == {
        "v16": ["BootNotification", "MeterValues", "StartTransaction"],
        "v201": ["BootNotification", "MeterValues", "TransactionEvent"],
        "v21": ["BootNotification", "MeterValues", "TransactionEvent"],
    }


def test_each_version_is_timed_on_its_own_registry() -> None:
    assert [VersionContenders(v).actions.ocpp_version for v in ("v16", "v201", "v21")] == ["1.6", "2.0.1", "2.1"]
