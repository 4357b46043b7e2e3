"""Every CALL a scenario produces is a valid OCPP 2.0.1 request, in a sensible order."""

from __future__ import annotations

import itertools

import pytest

from ocppwire.runtime.codec import Codec
from ocppwire.runtime.frames import Call
from ocppwire.sim.scenario import Scenario, ScenarioName, boot_request, sampled_values
from ocppwire.v201 import actions as a
from ocppwire.v201 import enums as e

CODEC = Codec(a.ACTIONS)


def _round_trip(spec: a.ActionSpec, request: object) -> object:  # type: ignore[name-defined]
    frame = CODEC.decode_frame(CODEC.encode(Call("1", spec.name, request)))
    decoded_spec, decoded = CODEC.decode_call(frame)  # type: ignore[arg-type]
    assert decoded_spec is spec
    return decoded


@pytest.mark.parametrize("name", list(ScenarioName))
def test_every_step_is_valid(name: ScenarioName) -> None:
    scenario = Scenario(name, sampled_values=12, transaction_updates=3)
    for spec, request in itertools.islice(scenario.script(3), 40):
        assert _round_trip(spec, request) == request


def test_boot_request_is_valid() -> None:
    assert _round_trip(a.BOOT_NOTIFICATION, boot_request()) == boot_request()


def test_transactions_follow_the_charging_session_order() -> None:
    steps = list(itertools.islice(Scenario(ScenarioName.TRANSACTIONS, transaction_updates=2).script(0), 12))
    labels = [
        f"{spec.name} {getattr(req, 'event_type', None) or getattr(req, 'connector_status', '')}" for spec, req in steps
    ]
    session = [
        "StatusNotification Occupied",
        "TransactionEvent Started",
        "TransactionEvent Updated",
        "TransactionEvent Updated",
        "TransactionEvent Ended",
        "StatusNotification Available",
    ]
    assert labels == session * 2
    events = [req for spec, req in steps[:6] if spec is a.TRANSACTION_EVENT]
    assert [event.seq_no for event in events] == [0, 1, 2, 3]
    assert len({event.transaction_info.transaction_id for event in events}) == 1
    assert events[-1].transaction_info.stopped_reason == e.ReasonEnumType.LOCAL
    second = steps[7][1]
    assert second.transaction_info.transaction_id != events[0].transaction_info.transaction_id


def test_sampled_values_cycle_through_measurands() -> None:
    values = sampled_values(12)
    assert len(values) == 12
    assert values[0].measurand == values[10].measurand == e.MeasurandEnumType.ENERGY_ACTIVE_IMPORT_REGISTER


@pytest.mark.parametrize(
    "kwargs", [{"interval": -1}, {"sampled_values": 0}, {"sampled_values": 1001}, {"transaction_updates": -1}]
)
def test_invalid_knobs_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Scenario(**kwargs)  # type: ignore[arg-type]
