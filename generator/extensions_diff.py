"""What changed between the vendor extensions of two schema sets (``--extensions``, see :mod:`ocppgen.extensions`).

The patches a vendor applies to the base schemas already show as message and type changes in
:mod:`ocppgen.diff` (both sides are read with their patches applied); this module adds what only an
extension folder has: the typed customData shapes (keyed by ``vendorId``), the DataTransfer pairs
(keyed by ``vendorId`` and ``messageId``), the extension's own shared types, and the list of patches
(each by its file, pointer and operation). A set read without extensions compares as an empty folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .diff import Change, ChangeKind, Changed, compare_enums, compare_fields, field_summary
from .model import EnumDef, ExtensionSet, StructDef


@dataclass
class ExtensionsDiff:
    """Added, removed and changed extension items, each named as the changelog prints it."""

    added: list[Changed] = field(default_factory=list)
    """Each new shape with its fields (or enum values) as additions."""
    removed: list[str] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    patches_added: list[str] = field(default_factory=list)
    patches_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.patches_added or self.patches_removed)


def _items(ext: ExtensionSet | None) -> dict[str, StructDef | EnumDef]:
    """Every shape of an extension folder under the label the changelog uses."""
    if ext is None:
        return {}
    items: dict[str, StructDef | EnumDef] = {}
    for c in ext.custom_data:
        items[f"customData {c.vendor_id} ({c.struct.name})"] = c.struct
    for d in ext.data_transfer:
        key = f"DataTransfer {d.vendor_id}/{d.message_id or '*'}"
        for part, struct in (("request", d.request), ("response", d.response)):
            if struct is not None:
                items[f"{key} {part} data ({struct.name})"] = struct
    for name, t in ext.types.items():
        items[f"type {name}"] = t
    for name, e in ext.enums.items():
        items[f"enumeration {name}"] = e
    return items


def _changes(old: StructDef | EnumDef, new: StructDef | EnumDef) -> tuple[Change, ...]:
    if isinstance(old, StructDef) and isinstance(new, StructDef):
        return compare_fields(old.fields, new.fields)
    if isinstance(old, EnumDef) and isinstance(new, EnumDef):
        return compare_enums(old, new)
    return (Change(ChangeKind.TYPE_CHANGED, old=type(old).__name__, new=type(new).__name__),)


def _contents(shape: StructDef | EnumDef) -> tuple[Change, ...]:
    if isinstance(shape, EnumDef):
        return tuple(Change(ChangeKind.VALUE_ADDED, aspect=v) for v in shape.values)
    return tuple(Change(ChangeKind.FIELD_ADDED, f.wire_name, new=field_summary(f)) for f in shape.fields)


def diff_extensions(old: ExtensionSet | None, new: ExtensionSet | None) -> ExtensionsDiff:
    """Compare the extension folders of two sets (either may be None)."""
    before, after = _items(old), _items(new)
    result = ExtensionsDiff(removed=sorted(set(before) - set(after)))
    for name in sorted(set(after) - set(before)):
        result.added.append(Changed(name, _contents(after[name])))
    for name in sorted(set(before) & set(after)):
        changes = _changes(before[name], after[name])
        if changes:
            result.changed.append(Changed(name, changes))
    old_patches = {p.describe() for p in (old.patches if old else [])}
    new_patches = {p.describe() for p in (new.patches if new else [])}
    result.patches_added = sorted(new_patches - old_patches)
    result.patches_removed = sorted(old_patches - new_patches)
    return result
