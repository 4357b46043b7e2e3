"""The interop harness itself: it must exercise every field name and notice a renamed one.

A field-by-field comparison that never sees a field, or that a renamed key slips through, would
make the interop tests pass for the wrong reason; these tests pin both properties.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ocppwire.v201 import ACTIONS

from ..conftest import SCHEMAS
from .checks import peer_called_us
from .ours import rich_request
from .payloads import differences, rich_json
from .peer import Tap, peer_view


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _schema_property_names() -> set[str]:
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                names.update(node["properties"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for path in SCHEMAS.glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return names


def test_rich_payloads_use_every_property_name_of_the_schemas() -> None:
    used = {k for spec in ACTIONS.values() for tp in (spec.request, spec.response) for k in _keys(rich_json(tp))}
    names = _schema_property_names()
    assert len(names) == 244
    assert names - used == set()


def test_differences_name_the_field() -> None:
    expected = {"a": {"responderURL": "x", "n": 1}, "l": [1, 2]}
    actual = {"a": {"responderUrl": "x", "n": 1.0}, "l": [1]}
    assert differences(expected, actual) == [
        "$.a.n: 1 != 1.0",
        "$.a.responderURL: missing",
        "$.a.responderUrl: unexpected 'x'",
        "$.l: 2 items != 1 items",
    ]


def test_a_renamed_field_on_the_peer_wire_is_reported() -> None:
    action = "Authorize"
    sent, answer = rich_json(ACTIONS[action].request), rich_json(ACTIONS[action].response)
    mangled = json.loads(json.dumps(sent).replace('"responderURL"', '"responderUrl"'))
    tap = Tap(ws=None)
    tap.sent.append([2, "m1", action, mangled])
    tap.received.append([3, "m1", answer])
    # what the peer's call() hands its application: a dataclass with snake_case fields
    result_type = dataclasses.make_dataclass(action, list(peer_view(answer)))
    result = result_type(**peer_view(answer))

    problems = peer_called_us(action, tap, (action, rich_request(action)), result)

    assert problems == [
        "peer wire: $.iso15118CertificateHashData[0].responderURL: missing",
        "peer wire: $.iso15118CertificateHashData[0].responderUrl: unexpected 'responderURL-20'",
    ]
