"""Field-by-field checks of one interop exchange, at the four points where a payload changes hands.

A payload crosses two encoders and two decoders: the caller's application → its wire frame → the
callee's application, and back for the answer. Checking every hop separately tells *whose*
conversion broke a field, not merely that the round trip failed. Each check returns a list of
human-readable problems (empty when the hop is faithful).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ocpp.charge_point import remove_nones, serialize_as_dict

from ocppwire.runtime.actions import ActionRegistry
from ocppwire.v201 import ACTIONS

from .ours import rich_request, rich_response
from .payloads import differences, field_count, rich_json, wire
from .peer import Received, Tap, peer_view

__all__ = ["fields_compared", "peer_called_us", "peer_plain", "we_called_peer"]


def peer_plain(value: Any) -> Any:
    """The peer's application view with ``Decimal`` as ``float``: ``ocpp.v16`` hands 1.6's decimal
    fields (``limit``, ``minChargingRate``) to the application as ``Decimal`` (pinned in
    ``test_peer_quirks_versions``); the value must still be the one sent."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: peer_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [peer_plain(v) for v in value]
    return value


def fields_compared(actions: set[str] | frozenset[str], registry: ActionRegistry = ACTIONS) -> int:
    """Leaf values checked for these actions: request and response, each at two hops per side."""
    return sum(
        2 * (field_count(rich_json(registry[a].request)) + field_count(rich_json(registry[a].response)))
        for a in actions
    )


def peer_called_us(
    action: str, tap: Tap, got: tuple[str, Any], result: Any, registry: ActionRegistry = ACTIONS
) -> list[str]:
    """The peer sent ``action`` with the rich request; our handler got ``got``; the peer got ``result``."""
    sent, answer = rich_json(registry[action].request), rich_json(registry[action].response)
    (message_id,) = tap.call_ids("out", action)
    got_action, request = got
    return (
        [f"peer wire: {d}" for d in differences(sent, tap.frame("out", 2, message_id)[3])]
        + ([] if got_action == action else [f"our handler got {got_action}"])
        + [f"our handler: {d}" for d in differences(sent, wire(request))]
        + ([] if request == rich_request(action, registry) else ["typed request differs"])
        + [f"our wire: {d}" for d in differences(answer, tap.frame("in", 3, message_id)[2])]
        + [f"peer app: {d}" for d in differences(peer_view(answer), peer_plain(remove_nones(serialize_as_dict(result))))]
    )


def we_called_peer(
    action: str, tap: Tap, received: Received, result: Any, registry: ActionRegistry = ACTIONS
) -> list[str]:
    """We sent ``action`` with the rich request; the peer's handler got ``received``; we got ``result``."""
    sent, answer = rich_json(registry[action].request), rich_json(registry[action].response)
    (message_id,) = tap.call_ids("in", action)
    return (
        [f"our wire: {d}" for d in differences(sent, tap.frame("in", 2, message_id)[3])]
        + ([] if received.action == action else [f"peer handler got {received.action}"])
        + [f"peer app: {d}" for d in differences(peer_view(sent), peer_plain(received.kwargs))]
        + [f"peer wire: {d}" for d in differences(answer, tap.frame("out", 3, message_id)[2])]
        + [f"our result: {d}" for d in differences(answer, wire(result))]
        + ([] if result == rich_response(action, registry) else ["typed response differs"])
    )
