"""A Charging Station simulator for load and soak tests of a CSMS (``ocppwire-sim``).

Many OCPP 2.0.1 stations in one process, each on its own WebSocket, running a scenario
(heartbeats, meter values, charging sessions) while the simulator measures round trips per second,
latency percentiles and errors. Use it from the command line (:mod:`ocppwire.sim.cli`) or from
Python::

    from ocppwire.sim import Scenario, ScenarioName, SimConfig, simulate

    result = await simulate(SimConfig("ws://127.0.0.1:9000", stations=100, duration=5,
                                      scenario=Scenario(ScenarioName.METER_VALUES)))
    print(result.round_trips_per_second, result.latency.percentile(99), result.errors)
"""

from .runner import SimConfig, SimResult, Simulation, simulate
from .scenario import Scenario, ScenarioName
from .stats import Counters, LatencyHistogram

__all__ = [
    "Counters",
    "LatencyHistogram",
    "Scenario",
    "ScenarioName",
    "SimConfig",
    "SimResult",
    "Simulation",
    "simulate",
]
