"""Generated docstrings say the right thing: a response goes the opposite way of its request."""

from __future__ import annotations

from ocppgen.model import Direction
from ocppgen.render import direction_doc
from ocppwire.v201 import actions, messages


def test_direction_doc_reverses_for_responses() -> None:
    assert direction_doc(Direction.STATION_TO_CSMS, "Request") == "sent by the Charging Station to the CSMS"
    assert direction_doc(Direction.STATION_TO_CSMS, "Response") == "sent by the CSMS to the Charging Station"
    assert direction_doc(Direction.CSMS_TO_STATION, "Response") == "sent by the Charging Station to the CSMS"
    assert direction_doc(Direction.BOTH, "Request") == "sent by either side"
    assert "received the request" in direction_doc(Direction.BOTH, "Response")
    assert direction_doc(Direction.STATION_TO_CSMS, "Request", "Central System", "Charge Point") == (
        "sent by the Charge Point to the Central System"
    )


def test_every_generated_message_docstring_names_its_own_direction() -> None:
    checked = 0
    for spec in actions.ACTIONS.values():
        request_doc = direction_doc(Direction(spec.direction.value), "Request")
        response_doc = direction_doc(Direction(spec.direction.value), "Response")
        for cls, right, wrong in (
            (spec.request, request_doc, response_doc),
            (spec.response, response_doc, request_doc),
        ):
            doc = " ".join((cls.__doc__ or "").split())
            assert wrong not in doc or right == wrong, f"{cls.__name__}: {doc}"
            if "payload of the" in doc:
                assert right in doc, f"{cls.__name__}: {doc}"
                checked += 1
    assert getattr(messages, "HeartbeatResponse").__doc__.endswith("(sent by the CSMS to the Charging Station).")
    assert checked >= 64
