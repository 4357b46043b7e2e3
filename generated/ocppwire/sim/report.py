"""The simulator's final report: a short human-readable summary, or one JSON object."""

from __future__ import annotations

from .runner import SimConfig, SimResult

__all__ = ["summary"]


def summary(config: SimConfig, result: SimResult) -> str:
    """Throughput, latency and errors of a run, one fact per line."""
    scenario = config.scenario
    latency = result.latency
    if scenario.timed:
        interval = (
            f"per station: Heartbeat every {scenario.heartbeat_interval:g} s, "
            f"MeterValues every {scenario.meter_interval:g} s, staggered"
        )
    else:
        interval = "closed loop" if scenario.interval == 0 else f"every {scenario.interval:g} s per station"
    lines = [
        f"scenario        {scenario.name} ({interval})",
        f"stations        {result.connected:,} of {result.stations:,} connected in {result.connect_seconds:.2f} s",
        f"window          {result.window_seconds:.2f} s",
        f"round trips     {result.window.answered:,} ({result.round_trips_per_second:,.0f}/s)",
    ]
    if latency.count:
        lines.append(
            "latency         "
            f"p50 {latency.percentile(50) * 1e3:.2f} ms, p90 {latency.percentile(90) * 1e3:.2f} ms, "
            f"p99 {latency.percentile(99) * 1e3:.2f} ms, max {latency.largest * 1e3:.2f} ms"
        )
    counters = result.error_counters
    detail = []
    for name in ("connect_failures", "boot_rejected", "timeouts", "disconnects", "invalid_responses", "stray_frames"):
        value = getattr(counters, name)
        if value:
            detail.append(f"{name.replace('_', ' ')} {value:,}")
    detail.extend(f"CALLERROR {code} {n:,}" for code, n in sorted(counters.call_errors.items()))
    if result.outbox is not None:
        o = result.outbox
        lines.append(
            f"outbox          {o.queued:,} queued, {o.delivered:,} delivered, {o.dropped:,} dropped, {o.lost:,} lost"
            f" ({o.offline_periods:,} offline periods)"
        )
        detail.extend([f"outbox lost {o.lost:,}"] if o.lost else [])
    lines.append(f"errors          {result.errors:,}" + (f" ({', '.join(detail)})" if detail else ""))
    return "\n".join(lines)
