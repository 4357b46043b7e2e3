"""The vendored schema folder: official files, manifest, provenance, and the action directions."""

from __future__ import annotations

import hashlib
import json

from ..conftest import SCHEMAS


def test_manifest_matches_every_schema_file() -> None:
    manifest = {}
    for line in (SCHEMAS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        manifest[name] = digest
    files = sorted(p.name for p in SCHEMAS.glob("*.json") if p.name != "actions.json")
    assert len(files) == 128
    assert sorted(manifest) == files
    for name in files:
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == manifest[name], name


def test_official_ids_and_exi_response_limit_are_restored() -> None:
    for path in SCHEMAS.glob("*Re*.json"):
        doc = json.loads(path.read_text())
        assert doc["$id"] == f"urn:OCPP:Cp:2:2020:3:{path.stem}"
        assert doc["$schema"] == "http://json-schema.org/draft-06/schema#"
    doc = json.loads((SCHEMAS / "Get15118EVCertificateResponse.json").read_text())
    assert doc["properties"]["exiResponse"]["maxLength"] == 5600


def test_readme_states_provenance_and_license() -> None:
    text = (SCHEMAS / "README.md").read_text()
    for needle in ("PyPI", "2.1.0", "$id", "5600", "License", "SHA256SUMS", "actions.json"):
        assert needle in text


def test_action_directions_cover_64_actions() -> None:
    doc = json.loads((SCHEMAS / "actions.json").read_text())
    actions = doc["actions"]
    assert len(actions) == 64
    counts = {d: sum(1 for v in actions.values() if v == d) for d in set(actions.values())}
    assert counts == {"StationToCsms": 24, "CsmsToStation": 39, "Both": 1}
    assert actions["DataTransfer"] == "Both"
    assert actions["BootNotification"] == "StationToCsms"
    assert actions["SetVariables"] == "CsmsToStation"
