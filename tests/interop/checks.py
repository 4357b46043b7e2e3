"""Field-by-field checks of one interop exchange, at the four points where a payload changes hands.

A payload crosses two encoders and two decoders: the caller's application → its wire frame → the
callee's application, and back for the answer. Checking every hop separately tells *whose*
conversion broke a field, not merely that the round trip failed. Each check returns a list of
human-readable problems (empty when the hop is faithful).
"""

from __future__ import annotations

from typing import Any

from ocpp.charge_point import remove_nones, serialize_as_dict

from ocppwire.v201 import ACTIONS

from .ours import rich_request, rich_response
from .payloads import differences, field_count, rich_json, wire
from .peer import Received, Tap, peer_view

__all__ = ["fields_compared", "peer_called_us", "we_called_peer"]


def fields_compared(actions: set[str] | frozenset[str]) -> int:
    """Leaf values checked for these actions: request and response, each at two hops per side."""
    return sum(
        2 * (field_count(rich_json(ACTIONS[a].request)) + field_count(rich_json(ACTIONS[a].response))) for a in actions
    )


def peer_called_us(action: str, tap: Tap, got: tuple[str, Any], result: Any) -> list[str]:
    """The peer sent ``action`` with the rich request; our handler got ``got``; the peer got ``result``."""
    sent, answer = rich_json(ACTIONS[action].request), rich_json(ACTIONS[action].response)
    (message_id,) = tap.call_ids("out", action)
    got_action, request = got
    return (
        [f"peer wire: {d}" for d in differences(sent, tap.frame("out", 2, message_id)[3])]
        + ([] if got_action == action else [f"our handler got {got_action}"])
        + [f"our handler: {d}" for d in differences(sent, wire(request))]
        + ([] if request == rich_request(action) else ["typed request differs"])
        + [f"our wire: {d}" for d in differences(answer, tap.frame("in", 3, message_id)[2])]
        + [f"peer app: {d}" for d in differences(peer_view(answer), remove_nones(serialize_as_dict(result)))]
    )


def we_called_peer(action: str, tap: Tap, received: Received, result: Any) -> list[str]:
    """We sent ``action`` with the rich request; the peer's handler got ``received``; we got ``result``."""
    sent, answer = rich_json(ACTIONS[action].request), rich_json(ACTIONS[action].response)
    (message_id,) = tap.call_ids("in", action)
    return (
        [f"our wire: {d}" for d in differences(sent, tap.frame("in", 2, message_id)[3])]
        + ([] if received.action == action else [f"peer handler got {received.action}"])
        + [f"peer app: {d}" for d in differences(peer_view(sent), received.kwargs)]
        + [f"peer wire: {d}" for d in differences(answer, tap.frame("out", 3, message_id)[2])]
        + [f"our result: {d}" for d in differences(answer, wire(result))]
        + ([] if result == rich_response(action) else ["typed response differs"])
    )
