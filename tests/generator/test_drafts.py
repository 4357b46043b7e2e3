"""What the reader accepts beyond 2.0.1: draft-04 files, multipleOf, additionalItems, format uri, SEND actions.

Everything else is still refused with one line naming the file and the JSON pointer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ocppgen.errors import GeneratorError
from ocppgen.model import Scalar
from ocppgen.render import render_package
from ocppgen.schema import read_schema_set

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT6 = "http://json-schema.org/draft-06/schema#"


def one_set(tmp_path: Path, request: dict[str, Any], actions: Any = "StationToCsms", response: bool = True) -> Path:
    folder = tmp_path / "set"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Ping.json").write_text(json.dumps(request))
    if response:
        (folder / "PingResponse.json").write_text(json.dumps({"$schema": DRAFT4, "type": "object", "properties": {}}))
    (folder / "actions.json").write_text(
        json.dumps({"ocppVersion": "9.9", "subprotocol": "ocpp9.9", "actions": {"Ping": actions}})
    )
    return folder


def request(props: dict[str, Any], **root: Any) -> dict[str, Any]:
    return {"$schema": DRAFT4, "type": "object", "additionalProperties": False, "properties": props, **root}


def fails(folder: Path, *needles: str) -> str:
    with pytest.raises(GeneratorError) as info:
        read_schema_set(folder)
    text = str(info.value)
    assert "\n" not in text
    for needle in needles:
        assert needle in text, text
    return text


@pytest.mark.parametrize(
    "root",
    [
        {"$schema": DRAFT4, "id": "urn:x:Ping"},
        {"$schema": "http://json-schema.org/draft-04/schema", "id": "urn:x:Ping"},
        {"$schema": DRAFT6, "$id": "urn:x:Ping"},
        {"$schema": "https://json-schema.org/draft-06/schema#"},
        {},
    ],
)
def test_both_drafts_and_their_identifier_keywords_are_read(tmp_path: Path, root: dict[str, Any]) -> None:
    doc = {"type": "object", "properties": {"n": {"type": "integer"}}, **root}
    s = read_schema_set(one_set(tmp_path, doc))
    assert s.messages["PingRequest"].fields[0].type == Scalar("integer")


def test_identifier_keyword_of_the_other_draft_is_refused(tmp_path: Path) -> None:
    fails(one_set(tmp_path, {"$schema": DRAFT6, "id": "urn:x", "type": "object"}), "Ping.json#/id", "use '$id'")
    fails(one_set(tmp_path, {"$schema": DRAFT4, "$id": "urn:x", "type": "object"}), "Ping.json#/$id", "use 'id'")


def test_other_drafts_are_refused(tmp_path: Path) -> None:
    doc = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}
    fails(one_set(tmp_path, doc), "Ping.json#/$schema", "draft-04 and draft-06")


def test_multiple_of(tmp_path: Path) -> None:
    s = read_schema_set(
        one_set(
            tmp_path,
            request({"limit": {"type": "number", "multipleOf": 0.1}, "n": {"type": "integer", "multipleOf": 5}}),
        )
    )
    fields = {f.wire_name: f.type for f in s.messages["PingRequest"].fields}
    assert fields == {"limit": Scalar("number", multiple_of=0.1), "n": Scalar("integer", multiple_of=5)}
    source = render_package(s, "pkg.v99")["messages.py"]
    assert 'check_multiple_of(self.limit, "0.1", "limit")' in source
    assert "Meta(multiple_of=5)" in source and '"limit": "0.1"' in source
    fails(
        one_set(tmp_path, request({"n": {"type": "integer", "multipleOf": 0.5}})),
        "#/properties/n/multipleOf",
        "integer",
    )
    fails(
        one_set(tmp_path, request({"n": {"type": "number", "multipleOf": 0}})),
        "#/properties/n/multipleOf",
        "greater than 0",
    )
    fails(
        one_set(tmp_path, request({"s": {"type": "string", "multipleOf": 2}})),
        "#/properties/s/multipleOf",
        "numbers only",
    )


def test_additional_items_and_format_uri(tmp_path: Path) -> None:
    props = {
        "xs": {"type": "array", "additionalItems": False, "items": {"type": "integer"}},
        "url": {"type": "string", "format": "uri"},
    }
    s = read_schema_set(one_set(tmp_path, request(props)))
    fields = {f.wire_name: f.type for f in s.messages["PingRequest"].fields}
    assert fields["url"] == Scalar("string", uri=True)
    bad = {"xs": {"type": "array", "additionalItems": {"type": "string"}, "items": {"type": "integer"}}}
    fails(one_set(tmp_path, request(bad)), "#/properties/xs/additionalItems", "boolean")
    fails(one_set(tmp_path, request({"m": {"type": "string", "format": "email"}})), "#/properties/m/format", "'email'")


@pytest.mark.parametrize(
    "keyword", ["oneOf", "anyOf", "allOf", "not", "const", "exclusiveMinimum", "patternProperties"]
)
def test_everything_else_is_still_refused_in_one_line(tmp_path: Path, keyword: str) -> None:
    props = {"n": {"type": "integer", keyword: 1}}
    fails(
        one_set(tmp_path, request(props)),
        f"Ping.json#/properties/n/{keyword}",
        f"unsupported schema keyword {keyword!r}",
    )


def test_send_actions_have_no_response(tmp_path: Path) -> None:
    send = {"direction": "StationToCsms", "frame": "SEND"}
    s = read_schema_set(one_set(tmp_path / "a", request({}), send, response=False))
    action = s.actions["Ping"]
    assert (action.request, action.response, action.send) == ("PingRequest", None, True)
    files = render_package(s, "pkg.v99")
    assert "SEND_FRAME_ACTIONS" in files["actions.py"] and "sends=(" in files["actions.py"]
    # the sender's peer writes it as a SEND frame (no response type); the receiver's handler returns None
    assert "async def ping(self, req: m.PingRequest) -> None:" in files["station.py"]
    assert "await self.send(a.PING, req)" in files["station.py"]
    assert "req: m.PingRequest) -> None:" in files["csms.py"] and "after_ping" not in files["csms.py"]
    fails(one_set(tmp_path / "b", request({}), send), "actions.json#/actions/Ping", "PingResponse.json exists")
    fails(one_set(tmp_path / "c", request({}), {"direction": "StationToCsms", "frame": "PUSH"}), "frame 'PUSH'")
    fails(one_set(tmp_path / "d", request({}), "StationToCsms", response=False), "no PingResponse.json")
