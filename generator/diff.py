"""What changed between two schema sets: actions, messages, shared types and enumerations.

``ocppgen diff`` reads both sides with :func:`ocppgen.schema.read_schema_set` and compares the models,
never the JSON text, so a change of wording, of key order or of where a type is defined is no change.
Descriptions are ignored throughout. The result (:class:`SchemaDiff`) is plain data that
:mod:`ocppgen.changelog` renders as Markdown or JSON.

Rules:

- A message is compared only when both sides have its action; an added or removed action is reported
  once, as such, with its direction.
- A field's *type* is its kind: ``string``, ``integer``, ``number``, ``boolean``, ``any``, the name
  of the definition it refers to, or ``array of`` one of those. Everything else a schema can say about
  a field is a *constraint* (maxLength, minLength, pattern, minimum, maximum, multipleOf, format,
  minItems, maxItems, default), reported with its old and new value (``null`` when absent).
- Types renamed: a shared type or enumeration present only in OLD and one present only in NEW are
  a rename when their shapes are identical (descriptions ignored; fields, their types, constraints and
  required flags, or the enum values in order, equal) and no other removed or added definition has
  that shape: the match is one to one. A field whose type changed from the old name to the new name
  of a renamed type is not reported again.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .blocks import block_of
from .model import AnyValue, ArrayOf, EnumDef, FieldType, Ref, Scalar, SchemaSet, StructDef
from .model import Field as SchemaField

JsonScalar = str | int | float | bool | None


class ChangeKind(str, enum.Enum):
    """One kind of change to a field or a definition."""

    FIELD_ADDED = "field added"
    FIELD_REMOVED = "field removed"
    MADE_REQUIRED = "made required"
    MADE_OPTIONAL = "made optional"
    TYPE_CHANGED = "type changed"
    CONSTRAINT_CHANGED = "constraint changed"
    VALUE_ADDED = "enum value added"
    VALUE_REMOVED = "enum value removed"


@dataclass(frozen=True)
class Change:
    """One change inside a message, type or enumeration.

    ``field`` is the wire name (``""`` for the definition itself, e.g. an enum value or default);
    ``aspect`` names the constraint, or the enum value added or removed.
    """

    kind: ChangeKind
    field: str = ""
    aspect: str = ""
    old: JsonScalar = None
    new: JsonScalar = None


@dataclass(frozen=True)
class ActionEntry:
    """An action added or removed, with who sends its request and its functional block."""

    name: str
    direction: str
    block: str
    send: bool = False


@dataclass(frozen=True)
class Changed:
    """The changes to one message, type or enumeration present on both sides."""

    name: str
    changes: tuple[Change, ...]
    action: str = ""
    block: str = ""


@dataclass(frozen=True)
class Rename:
    old: str
    new: str


@dataclass
class DefinitionDiff:
    """Added, removed, renamed and changed definitions of one kind (shared types or enumerations)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)


@dataclass
class SchemaDiff:
    """Everything that differs between two schema sets (catalogues and extensions aside)."""

    old_version: str
    new_version: str
    actions_added: list[ActionEntry] = field(default_factory=list)
    actions_removed: list[ActionEntry] = field(default_factory=list)
    messages: list[Changed] = field(default_factory=list)
    types: DefinitionDiff = field(default_factory=DefinitionDiff)
    enums: DefinitionDiff = field(default_factory=DefinitionDiff)

    @property
    def fields_changed(self) -> int:
        """Distinct (message or type, field) pairs with at least one change: the headline figure."""
        return sum(len({c.field for c in item.changes if c.field}) for item in self.messages + self.types.changed)


def type_label(ftype: FieldType) -> str:
    """A field's kind as the changelog prints it: ``string``, ``IdTokenType``, ``array of integer``."""
    if isinstance(ftype, Scalar):
        return ftype.json_type
    if isinstance(ftype, Ref):
        return ftype.name
    if isinstance(ftype, ArrayOf):
        return "array of " + type_label(ftype.items)
    assert isinstance(ftype, AnyValue)
    return "any"


def constraints(ftype: FieldType) -> dict[str, JsonScalar]:
    """Every constraint of a field type, by JSON Schema keyword (absent ones as None)."""
    if isinstance(ftype, Scalar):
        fmt = "date-time" if ftype.date_time else "uri" if ftype.uri else None
        return {
            "maxLength": ftype.max_length,
            "minLength": ftype.min_length,
            "pattern": ftype.pattern,
            "minimum": ftype.minimum,
            "maximum": ftype.maximum,
            "multipleOf": ftype.multiple_of,
            "format": fmt,
        }
    if isinstance(ftype, ArrayOf):
        inner = {f"items.{k}": v for k, v in constraints(ftype.items).items()}
        return {"minItems": ftype.min_items, "maxItems": ftype.max_items, **inner}
    return {}


def _default(f: SchemaField) -> JsonScalar:
    if not f.has_default:
        return None
    value = f.default
    return value if isinstance(value, (str, int, float, bool)) else repr(value)


def compare_fields(
    old: tuple[SchemaField, ...], new: tuple[SchemaField, ...], renames: Mapping[str, str] | None = None
) -> tuple[Change, ...]:
    """The changes between two field lists, in the new order (removed fields last, in the old order)."""
    renames = renames or {}
    before = {f.wire_name: f for f in old}
    after = {f.wire_name: f for f in new}
    changes: list[Change] = []
    for f in new:
        was = before.get(f.wire_name)
        if was is None:
            changes.append(Change(ChangeKind.FIELD_ADDED, f.wire_name, new=field_summary(f)))
            continue
        changes.extend(_compare_field(was, f, renames))
    for f in old:
        if f.wire_name not in after:
            changes.append(Change(ChangeKind.FIELD_REMOVED, f.wire_name, old=field_summary(f)))
    return tuple(changes)


def field_summary(f: SchemaField) -> str:
    """What a field added or removed was: ``string, maxLength 255, required``."""
    limits = [f"{k} {v}" for k, v in constraints(f.type).items() if v is not None]
    if f.has_default:
        limits.append(f"default {_default(f)}")
    return ", ".join([type_label(f.type), *limits, "required" if f.required else "optional"])


def _renamed_label(ftype: FieldType, renames: Mapping[str, str]) -> str:
    if isinstance(ftype, Ref):
        return renames.get(ftype.name, ftype.name)
    if isinstance(ftype, ArrayOf):
        return "array of " + _renamed_label(ftype.items, renames)
    return type_label(ftype)


def _compare_field(was: SchemaField, now: SchemaField, renames: Mapping[str, str]) -> list[Change]:
    name = now.wire_name
    changes: list[Change] = []
    if was.required != now.required:
        changes.append(Change(ChangeKind.MADE_REQUIRED if now.required else ChangeKind.MADE_OPTIONAL, name))
    if _renamed_label(was.type, renames) != type_label(now.type):
        changes.append(Change(ChangeKind.TYPE_CHANGED, name, old=type_label(was.type), new=type_label(now.type)))
    else:
        old_c, new_c = constraints(was.type), constraints(now.type)
        for key in old_c:
            if old_c[key] != new_c.get(key):
                changes.append(Change(ChangeKind.CONSTRAINT_CHANGED, name, key, old_c[key], new_c.get(key)))
    if (was.has_default, _default(was)) != (now.has_default, _default(now)):
        changes.append(Change(ChangeKind.CONSTRAINT_CHANGED, name, "default", _default(was), _default(now)))
    return changes


def compare_enums(old: EnumDef, new: EnumDef) -> tuple[Change, ...]:
    """Values added (in the new order), values removed (in the old order), default changed."""
    changes = [Change(ChangeKind.VALUE_ADDED, aspect=v) for v in new.values if v not in old.values]
    changes += [Change(ChangeKind.VALUE_REMOVED, aspect=v) for v in old.values if v not in new.values]
    if old.default != new.default:
        changes.append(Change(ChangeKind.CONSTRAINT_CHANGED, aspect="default", old=old.default, new=new.default))
    return tuple(changes)


def _bare(definition: EnumDef | StructDef) -> EnumDef | StructDef:
    """The shape a rename is judged on: no name, no descriptions."""
    if isinstance(definition, EnumDef):
        return replace(definition, name="", description="")
    fields = tuple(replace(f, description="") for f in definition.fields)
    return replace(definition, name="", description="", fields=fields)


def find_renames(removed: Mapping[str, EnumDef | StructDef], added: Mapping[str, EnumDef | StructDef]) -> list[Rename]:
    """Pairs of one removed and one added definition with the same shape, matched one to one."""
    old_shapes = Counter(_bare(d) for d in removed.values())
    new_shapes = Counter(_bare(d) for d in added.values())
    by_shape = {_bare(d): name for name, d in added.items()}
    result = []
    for name in sorted(removed):
        key = _bare(removed[name])
        if old_shapes[key] == 1 and new_shapes.get(key) == 1:
            result.append(Rename(name, by_shape[key]))
    return result


def _definitions(
    old: Mapping[str, EnumDef] | Mapping[str, StructDef],
    new: Mapping[str, EnumDef] | Mapping[str, StructDef],
    renames: dict[str, str],
) -> DefinitionDiff:
    result = DefinitionDiff()
    removed = {n: d for n, d in old.items() if n not in new}
    added = {n: d for n, d in new.items() if n not in old}
    result.renamed = find_renames(removed, added)
    renames.update({r.old: r.new for r in result.renamed})
    result.removed = sorted(set(removed) - {r.old for r in result.renamed})
    result.added = sorted(set(added) - {r.new for r in result.renamed})
    return result


def _changed(old: EnumDef | StructDef, new: EnumDef | StructDef, renames: Mapping[str, str]) -> tuple[Change, ...]:
    if isinstance(old, EnumDef) and isinstance(new, EnumDef):
        return compare_enums(old, new)
    if isinstance(old, StructDef) and isinstance(new, StructDef):
        return compare_fields(old.fields, new.fields, renames)
    return ()


def diff_sets(old: SchemaSet, new: SchemaSet) -> SchemaDiff:
    """Compare two schema sets (see the module docstring for the rules)."""
    result = SchemaDiff(old.ocpp_version, new.ocpp_version)
    for name in sorted(set(new.actions) - set(old.actions)):
        a = new.actions[name]
        result.actions_added.append(ActionEntry(name, a.direction.value, block_of(name), a.send))
    for name in sorted(set(old.actions) - set(new.actions)):
        a = old.actions[name]
        result.actions_removed.append(ActionEntry(name, a.direction.value, block_of(name), a.send))
    renames: dict[str, str] = {}
    result.types = _definitions(old.types, new.types, renames)
    result.enums = _definitions(old.enums, new.enums, renames)
    for kind, before, after in (
        (result.types, dict(old.types), dict(new.types)),
        (result.enums, dict(old.enums), dict(new.enums)),
    ):
        pairs = [(n, n) for n in sorted(set(before) & set(after))] + [(r.old, r.new) for r in kind.renamed]
        for old_name, new_name in sorted(pairs, key=lambda p: p[1]):
            changes = _changed(before[old_name], after[new_name], renames)
            if changes:
                kind.changed.append(Changed(new_name, changes))
    for name in sorted(set(old.actions) & set(new.actions)):
        stems = [old.actions[name].request, old.actions[name].response, new.actions[name].response]
        for stem in dict.fromkeys(s for s in stems if s is not None):
            if stem in old.messages and stem in new.messages:
                changes = compare_fields(old.messages[stem].fields, new.messages[stem].fields, renames)
            elif stem in new.messages:  # became a CALL: its response is new
                changes = (Change(ChangeKind.FIELD_ADDED, new="response message"),)
            else:
                changes = (Change(ChangeKind.FIELD_REMOVED, old="response message"),)
            if changes:
                result.messages.append(Changed(stem, changes, name, block_of(name)))
    return result
