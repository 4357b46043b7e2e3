"""The published changelogs (docs/) are exactly what ``ocppgen diff`` makes, and their headline numbers hold.

Regenerate after a schema or generator change with the commands in README "Changelogs from the schemas":
``ocppgen diff v201 v21 --no-catalogues > docs/changelog-2.0.1-to-2.1.md`` and
``ocppgen diff v201 v201 --new-extensions examples/vendor/extensions > docs/changelog-vendor-example.md``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from ocppgen.changelog import Changelog, build, to_markdown
from ocppgen.model import SchemaSet, StructDef
from ocppgen.schema import read_schema_set

from ..conftest import ROOT

VENDOR = Path("examples/vendor/extensions")


@pytest.fixture(scope="module")
def v201() -> SchemaSet:
    return read_schema_set(ROOT / "schemas" / "v201")


@pytest.fixture(scope="module")
def v21() -> SchemaSet:
    return read_schema_set(ROOT / "schemas" / "v21")


def _fields_changed(old: dict[str, StructDef], new: dict[str, StructDef]) -> int:
    """Counted without ocppgen.diff: field names on one side only, or with another shape (descriptions aside)."""
    count = 0
    for name in set(old) & set(new):
        before = {f.wire_name: replace(f, description="") for f in old[name].fields}
        after = {f.wire_name: replace(f, description="") for f in new[name].fields}
        count += sum(1 for key in set(before) | set(after) if before.get(key) != after.get(key))
    return count


def test_2_0_1_to_2_1_matches_the_published_changelog(v201: SchemaSet, v21: SchemaSet) -> None:
    log = build(v201, v21, "v201", "v21", catalogues=False)
    published = ROOT / "docs" / "changelog-2.0.1-to-2.1.md"
    assert to_markdown(log) == published.read_text(encoding="utf-8"), "regenerate: see this module's docstring"
    added = set(_actions("v21")) - set(_actions("v201"))
    summary = log.summary()
    assert summary["actionsAdded"] == len(added) == 27
    assert summary["actionsRemoved"] == len(set(_actions("v201")) - set(_actions("v21"))) == 0
    common = set(v201.actions) & set(v21.actions)
    stems = {s for a in common for s in (v201.actions[a].request, v201.actions[a].response) if s}
    assert log.schemas.types.renamed == []  # so a field's type can be compared by name below
    expected = _fields_changed({s: v201.messages[s] for s in stems}, {s: v21.messages[s] for s in stems})
    expected += _fields_changed(v201.types, v21.types)
    assert summary["fieldsChanged"] == expected
    assert (
        f"Fields changed (added, removed or modified, in messages and datatypes): {expected}." in published.read_text()
    )


def _actions(name: str) -> dict[str, object]:
    doc = json.loads((ROOT / "schemas" / name / "actions.json").read_text())
    actions: dict[str, object] = doc["actions"]
    return actions


def _vendor_log(v201: SchemaSet, monkeypatch: pytest.MonkeyPatch) -> Changelog:
    monkeypatch.chdir(ROOT)  # the label names the folder as the command line does
    return build(v201, read_schema_set(ROOT / "schemas" / "v201", extensions=VENDOR), "v201", f"v201 + {VENDOR}")


def test_vendor_example_matches_the_published_changelog(v201: SchemaSet, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _vendor_log(v201, monkeypatch)
    text = to_markdown(log)
    assert text == (ROOT / "docs" / "changelog-vendor-example.md").read_text(encoding="utf-8")
    assert log.summary()["actionsAdded"] == 0 and log.schemas.fields_changed == 1
    assert "- `exiResponse` maxLength: `5600` → `7500`" in text  # the vendor's patch, seen in the message
    assert log.extensions is not None
    assert "customData com.mycompany.customheartbeat (CustomHeartbeatData)" in [a.name for a in log.extensions.added]
    assert len(log.extensions.patches_added) == 1


def test_readme_quotes_the_real_figures(v201: SchemaSet, v21: SchemaSet) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(
        r"2\.0\.1 → 2\.1: (\d+) actions added, none removed, (\d+) messages and (\d+) datatypes changed", readme
    )
    assert match is not None, "README section 'Changelogs from the schemas' lost its figures"
    summary = build(v201, v21, "v201", "v21").summary()
    assert summary["actionsRemoved"] == 0
    got = (summary["actionsAdded"], summary["messagesChanged"], summary["typesChanged"])
    assert tuple(int(g) for g in match.groups()) == got
    guide = (ROOT / "docs" / "changelogs.md").read_text(encoding="utf-8")
    assert f"[OCPP 2.0.1 → 2.1](changelog-2.0.1-to-2.1.md) ({got[0]} actions added, none removed)" in guide
