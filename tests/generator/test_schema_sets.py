"""The vendored 1.6 and 2.1 schema folders: manifests, provenance notes and the action directions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ..conftest import ROOT

V16 = ROOT / "schemas" / "v16"
V21 = ROOT / "schemas" / "v21"


def _manifest(folder: Path) -> dict[str, str]:
    return {
        name: digest for digest, name in (ln.split("  ", 1) for ln in (folder / "SHA256SUMS").read_text().splitlines())
    }


@pytest.mark.parametrize(("folder", "count"), [(V16, 78), (V21, 181)], ids=["v16", "v21"])
def test_manifest_matches_every_schema_file(folder: Path, count: int) -> None:
    manifest = _manifest(folder)
    files = sorted(p.name for p in folder.glob("*.json") if p.name != "actions.json")
    assert len(files) == count
    assert sorted(manifest) == files
    for name in files:
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == manifest[name], name


def test_v16_drafts_and_official_ids() -> None:
    drafts = {"draft-04": 0, "draft-06": 0}
    for path in V16.glob("*.json"):
        if path.name == "actions.json":
            continue
        doc = json.loads(path.read_text())
        if doc["$schema"] == "http://json-schema.org/draft-04/schema#":
            drafts["draft-04"] += 1
            title = doc["title"]
            assert doc["id"] == f"urn:OCPP:1.6:2019:12:{title}", path.name
        else:
            assert doc["$schema"] == "http://json-schema.org/draft-06/schema#"
            drafts["draft-06"] += 1
            assert doc["$id"].startswith("urn:OCPP:Cp:1.6:2020:3:"), path.name
    assert drafts == {"draft-04": 56, "draft-06": 22}
    meter = json.loads((V16 / "MeterValues.json").read_text())["properties"]["meterValue"]
    assert "minItems" not in meter  # the official release has none; the PyPI copy adds it
    stop = json.loads((V16 / "StopTransaction.json").read_text())
    units = stop["properties"]["transactionData"]["items"]["properties"]["sampledValue"]["items"]["properties"]["unit"]
    assert "Celcius" in units["enum"] and "Celsius" not in units["enum"]


def test_v21_official_ids() -> None:
    for path in V21.glob("*.json"):
        if path.name == "actions.json":
            continue
        doc = json.loads(path.read_text())
        assert doc["$id"] == f"urn:OCPP:Cp:2:2025:1:{path.stem}", path.name
        assert doc["$schema"] == "http://json-schema.org/draft-06/schema#"


@pytest.mark.parametrize("folder", [V16, V21], ids=["v16", "v21"])
def test_readme_states_provenance_license_and_every_source(folder: Path) -> None:
    text = (folder / "README.md").read_text()
    for needle in ("PyPI", "2.1.0", "License", "CC BY-ND 4.0", "SHA256SUMS", "actions.json", "github.com/"):
        assert needle in text, needle


def _directions(folder: Path) -> dict[str, str]:
    actions = json.loads((folder / "actions.json").read_text())["actions"]
    return {a: d if isinstance(d, str) else d["direction"] for a, d in actions.items()}


def test_v16_directions() -> None:
    doc = json.loads((V16 / "actions.json").read_text())
    assert (doc["ocppVersion"], doc["subprotocol"]) == ("1.6", "ocpp1.6")
    d = _directions(V16)
    assert len(d) == 39
    assert sorted(d.values()).count("StationToCsms") == 13 and sorted(d.values()).count("CsmsToStation") == 25
    assert d["DataTransfer"] == "Both" and d["StartTransaction"] == "StationToCsms"
    assert d["RemoteStartTransaction"] == "CsmsToStation" and d["SignCertificate"] == "StationToCsms"
    stems = {p.stem for p in V16.glob("*.json")}
    assert all(a in stems and f"{a}Response" in stems for a in d)


def test_v21_directions_agree_with_201_and_mark_the_send_action() -> None:
    doc = json.loads((V21 / "actions.json").read_text())
    assert (doc["ocppVersion"], doc["subprotocol"]) == ("2.1", "ocpp2.1")
    d21, d201 = _directions(V21), _directions(ROOT / "schemas" / "v201")
    assert len(d21) == 91
    assert all(d21[a] == d for a, d in d201.items())
    assert doc["actions"]["NotifyPeriodicEventStream"] == {"direction": "StationToCsms", "frame": "SEND"}
    assert not (V21 / "NotifyPeriodicEventStreamResponse.json").exists()
    assert d21["ReportDERControl"] == "StationToCsms" and d21["AFRRSignal"] == "CsmsToStation"
