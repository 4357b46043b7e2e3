"""A changelog between two schema sets, rendered as Markdown or JSON (``ocppgen diff``).

:func:`build` puts the three comparisons together (:mod:`ocppgen.diff` for actions, messages, types
and enumerations; :mod:`ocppgen.catalog_diff` when both sides have a catalogue;
:mod:`ocppgen.extensions_diff` when either side has vendor extensions). The Markdown follows the
order a reader of a specification changelog expects: a summary, then per functional block (see
:mod:`ocppgen.blocks`) the actions added and removed and the messages changed, then datatypes, then
enumerations, then catalogues and vendor extensions. Every list is sorted, so the same inputs always
give the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from .blocks import block_order, block_title
from .catalog_diff import CatalogKindDiff, diff_catalogs
from .diff import ActionEntry, Change, ChangeKind, Changed, DefinitionDiff, JsonScalar, SchemaDiff, diff_sets
from .extensions_diff import ExtensionsDiff, diff_extensions
from .model import SchemaSet

DIRECTIONS = {
    "StationToCsms": "Charging Station → CSMS",
    "CsmsToStation": "CSMS → Charging Station",
    "Both": "both ways",
}


@dataclass
class Changelog:
    """Everything ``ocppgen diff`` reports; ``catalog`` is None unless both sides have a catalogue."""

    old_label: str
    new_label: str
    schemas: SchemaDiff
    catalog: dict[str, CatalogKindDiff] | None
    catalog_note: str
    extensions: ExtensionsDiff | None

    def summary(self) -> dict[str, int]:
        """The headline figures, as the Markdown summary and the JSON ``summary`` show them."""
        s = self.schemas
        return {
            "actionsAdded": len(s.actions_added),
            "actionsRemoved": len(s.actions_removed),
            "messagesChanged": len(s.messages),
            "fieldsChanged": s.fields_changed,
            "typesAdded": len(s.types.added),
            "typesRemoved": len(s.types.removed),
            "typesRenamed": len(s.types.renamed),
            "typesChanged": len(s.types.changed),
            "enumsAdded": len(s.enums.added),
            "enumsRemoved": len(s.enums.removed),
            "enumsRenamed": len(s.enums.renamed),
            "enumsChanged": len(s.enums.changed),
        }


NO_CATALOGUES_NOTE = (
    "Catalogues not compared (`--no-catalogues`): the two catalogues come from exports that record "
    "different facts (the 2.1 export has no mutability, limits or value lists, and lists components "
    "without variables), so a comparison would report those gaps as changes. `ocppgen diff` without "
    "`--no-catalogues` shows the raw difference."
)


def build(old: SchemaSet, new: SchemaSet, old_label: str, new_label: str, *, catalogues: bool = True) -> Changelog:
    """Compare two schema sets read by :func:`ocppgen.schema.read_schema_set` (catalogues too, unless
    ``catalogues`` is false)."""
    if not catalogues:
        catalog, note = None, NO_CATALOGUES_NOTE
    elif old.catalog is not None and new.catalog is not None:
        catalog, note = diff_catalogs(old.catalog, new.catalog), ""
    else:
        catalog = None
        have = [label for label, s in ((old_label, old), (new_label, new)) if s.catalog is not None]
        note = f"Only {have[0]} has a catalogue: catalogues not compared." if have else ""
    extensions = None
    if old.extensions is not None or new.extensions is not None:
        extensions = diff_extensions(old.extensions, new.extensions)
    return Changelog(old_label, new_label, diff_sets(old, new), catalog, note, extensions)


def _value(value: JsonScalar | tuple[str, ...]) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]" if value else "[]"
    return f"`{json.dumps(value)}`"


def change_text(change: Change) -> str:
    """One change as a Markdown list item's text."""
    subject = f"`{change.field}`" if change.field else ""
    kind = change.kind
    if kind is ChangeKind.FIELD_ADDED:
        return f"{subject} added ({change.new})" if subject else f"{change.new} added"
    if kind is ChangeKind.FIELD_REMOVED:
        return f"{subject} removed (was {change.old})" if subject else f"{change.old} removed"
    if kind in (ChangeKind.MADE_REQUIRED, ChangeKind.MADE_OPTIONAL):
        return f"{subject} {kind.value}"
    if kind is ChangeKind.TYPE_CHANGED:
        return f"{subject} type `{change.old}` → `{change.new}`".lstrip()
    if kind is ChangeKind.VALUE_ADDED:
        return f"value `{change.aspect}` added"
    if kind is ChangeKind.VALUE_REMOVED:
        return f"value `{change.aspect}` removed"
    return f"{subject} {change.aspect}: {_value(change.old)} → {_value(change.new)}".lstrip()


def _action_line(a: ActionEntry) -> str:
    send = ", SEND: no response" if a.send else ""
    return f"- `{a.name}` ({DIRECTIONS.get(a.direction, a.direction)}{send})"


def _changed(lines: list[str], item: Changed, level: str = "###") -> None:
    lines += [f"{level} `{item.name}`", ""]
    lines += [f"- {change_text(c)}" for c in item.changes]
    lines.append("")


def _definitions(lines: list[str], title: str, d: DefinitionDiff) -> None:
    lines += [f"## {title}", ""]
    if not (d.added or d.removed or d.renamed or d.changed):
        lines += ["No changes.", ""]
        return
    for heading, names in (("Added", d.added), ("Removed", d.removed)):
        if names:
            lines += [f"{heading}: " + ", ".join(f"`{n}`" for n in names), ""]
    if d.renamed:
        lines += ["Renamed (identical shape): " + ", ".join(f"`{r.old}` → `{r.new}`" for r in d.renamed), ""]
    for item in d.changed:
        _changed(lines, item)


def _catalog(lines: list[str], catalog: dict[str, CatalogKindDiff]) -> None:
    lines += ["## Catalogues", ""]
    if all(k.empty for k in catalog.values()):
        lines += ["No changes.", ""]
        return
    for kind, d in catalog.items():
        if d.empty:
            continue
        lines += [f"### {kind.capitalize()}", ""]
        for heading, names in (("Added", d.added), ("Removed", d.removed)):
            if names:
                lines += [f"{heading}: " + ", ".join(f"`{n}`" for n in names), ""]
        if d.renamed:
            lines += ["Renamed: " + ", ".join(f"`{o}` → `{n}`" for o, n in d.renamed), ""]
        for c in d.changed:
            lines.append(f"- `{c.entry}` {c.attribute}: {_value(c.old)} → {_value(c.new)}")
        if d.changed:
            lines.append("")


def _extensions(lines: list[str], ext: ExtensionsDiff) -> None:
    lines += ["## Vendor extensions", ""]
    if ext.empty:
        lines += ["No changes.", ""]
        return
    if ext.removed:
        lines += ["Removed:", ""] + [f"- {n}" for n in ext.removed] + [""]
    for heading, patches in (("Patches added", ext.patches_added), ("Patches removed", ext.patches_removed)):
        if patches:
            lines += [f"{heading}:", ""] + [f"- `{p}`" for p in patches] + [""]
    for item in ext.added:
        lines += [f"### Added: {item.name}", ""] + [f"- {change_text(c)}" for c in item.changes] + [""]
    for item in ext.changed:
        _changed(lines, item)


def to_markdown(log: Changelog) -> str:
    """The changelog as Markdown (ends with one newline)."""
    s = log.schemas
    sm = log.summary()
    lines = [
        f"# Changes from {log.old_label} (OCPP {s.old_version}) to {log.new_label} (OCPP {s.new_version})",
        "",
        f"Made by `ocppgen diff` from the schemas; descriptions are not compared.",
        "",
        "| | Added | Removed | Renamed | Changed |",
        "|---|---:|---:|---:|---:|",
        f"| Actions | {sm['actionsAdded']} | {sm['actionsRemoved']} | – | {sm['messagesChanged']} messages |",
        f"| Datatypes | {sm['typesAdded']} | {sm['typesRemoved']} | {sm['typesRenamed']} | {sm['typesChanged']} |",
        f"| Enumerations | {sm['enumsAdded']} | {sm['enumsRemoved']} | {sm['enumsRenamed']} | {sm['enumsChanged']} |",
        "",
        f"Fields changed (added, removed or modified, in messages and datatypes): {sm['fieldsChanged']}.",
        "",
    ]
    blocks = {a.block for a in s.actions_added + s.actions_removed} | {m.block for m in s.messages}
    for block in sorted(blocks, key=lambda b: (block_order(b), b)):
        lines += [f"## {block_title(block)}", ""]
        for heading, entries in (("Actions added", s.actions_added), ("Actions removed", s.actions_removed)):
            chosen = [a for a in entries if a.block == block]
            if chosen:
                lines += [f"{heading}:", ""] + [_action_line(a) for a in chosen] + [""]
        for item in s.messages:
            if item.block == block:
                _changed(lines, item)
    _definitions(lines, "Datatypes", s.types)
    _definitions(lines, "Enumerations", s.enums)
    if log.catalog is not None:
        _catalog(lines, log.catalog)
    elif log.catalog_note:
        lines += ["## Catalogues", "", log.catalog_note, ""]
    if log.extensions is not None:
        _extensions(lines, log.extensions)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def to_json(log: Changelog) -> str:
    """The changelog as JSON: ``old``, ``new``, ``summary``, ``actions``, ``messages``, ``datatypes``,
    ``enumerations``, ``catalogues`` (null when not compared) and ``extensions`` (null without any)."""
    s = log.schemas
    doc: dict[str, Any] = {
        "old": {"label": log.old_label, "ocppVersion": s.old_version},
        "new": {"label": log.new_label, "ocppVersion": s.new_version},
        "summary": log.summary(),
        "actions": {"added": [asdict(a) for a in s.actions_added], "removed": [asdict(a) for a in s.actions_removed]},
        "messages": [asdict(m) for m in s.messages],
        "datatypes": asdict(s.types),
        "enumerations": asdict(s.enums),
        "catalogues": None if log.catalog is None else {k: asdict(v) for k, v in log.catalog.items()},
        "extensions": None if log.extensions is None else asdict(log.extensions),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=_plain) + "\n"


def _plain(value: object) -> object:
    if isinstance(value, ChangeKind):
        return value.value
    raise TypeError(f"not JSON: {value!r}")
