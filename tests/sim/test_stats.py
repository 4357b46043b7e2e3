"""The latency histogram and counters: percentiles within a bucket, lossless merging and serialisation."""

from __future__ import annotations

import math
import random

from ocppwire.sim.stats import Counters, LatencyHistogram


def test_percentiles_are_within_one_bucket() -> None:
    rng = random.Random(7)
    samples = sorted(rng.lognormvariate(-6, 1) for _ in range(20_000))
    hist = LatencyHistogram()
    for value in samples:
        hist.record(value)
    for q in (50, 90, 99, 99.9):
        exact = samples[math.ceil(len(samples) * q / 100) - 1]
        assert abs(hist.percentile(q) - exact) / exact < 0.02, q
    assert hist.smallest == samples[0] and hist.largest == samples[-1]
    assert math.isclose(hist.mean, sum(samples) / len(samples))


def test_empty_histogram_has_no_percentiles() -> None:
    hist = LatencyHistogram()
    assert math.isnan(hist.percentile(50)) and math.isnan(hist.mean)


def test_extreme_values_land_in_the_end_buckets() -> None:
    hist = LatencyHistogram()
    hist.record(1e-9)
    hist.record(1e4)
    assert hist.count == 2
    assert hist.percentile(1) == 1e-9
    assert hist.percentile(100) == 1e4


def test_merge_equals_recording_everything_in_one() -> None:
    one, two, both = LatencyHistogram(), LatencyHistogram(), LatencyHistogram()
    for index in range(1, 500):
        value = index * 1e-4
        (one if index % 2 else two).record(value)
        both.record(value)
    one.merge(two)
    assert one.counts == both.counts and one.count == both.count
    assert one.percentile(99) == both.percentile(99)


def test_histogram_and_counters_survive_json_form() -> None:
    hist = LatencyHistogram()
    for value in (0.001, 0.002, 0.5):
        hist.record(value)
    again = LatencyHistogram.from_dict(hist.to_dict())
    assert again.counts == hist.counts and again.largest == hist.largest and again.smallest == hist.smallest

    counters = Counters(sent=5, answered=3, timeouts=1)
    counters.call_errors["NotSupported"] += 1
    data = counters.to_dict()
    assert data["errors"] == 2
    assert Counters.from_dict(data) == counters


def test_errors_sum_every_failure_kind() -> None:
    counters = Counters(
        invalid_responses=1, timeouts=2, connect_failures=3, disconnects=4, boot_rejected=5, stray_frames=6
    )
    counters.call_errors.update({"NotSupported": 7, "InternalError": 8})
    assert counters.errors == 36
    other = Counters(sent=1, timeouts=1)
    counters.merge(other)
    assert counters.errors == 37 and counters.sent == 1
