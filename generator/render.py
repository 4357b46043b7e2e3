"""Render a :class:`~ocppgen.model.SchemaSet` into Python modules with the jinja2 templates.

Rendering is a pure function of the model and the generator version: no timestamps, no dict or set
ordering that could change between runs, black with a pinned configuration. :func:`render_package`
returns the files as ``{relative path: text}`` so ``generate`` can write them and ``check`` can
compare them with what is on disk.
"""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass
from importlib import resources
from collections.abc import Callable
from typing import Any

import black
import jinja2
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from . import __version__
from .catalog_view import catalog_view
from .docstrings import clean_description, wrap
from .errors import GeneratorError
from .model import (
    URI_PATTERN,
    AnyValue,
    ArrayOf,
    Direction,
    EnumDef,
    ExtensionSet,
    Field,
    FieldType,
    Ref,
    Scalar,
    SchemaSet,
    StructDef,
    shape,
)
from .naming import enum_member, method_name, snake_case

LINE_LENGTH = 100
BLACK_MODE = Mode(line_length=LINE_LENGTH, target_versions={TargetVersion.PY311})
CUSTOM_DATA = "CustomDataType"

# The generated modules of a package, in the order they are written.
MODULES = ("enums", "types", "messages", "actions", "csms", "station", "__init__")


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: str


@dataclass(frozen=True)
class EnumView:
    name: str
    doc: str
    members: tuple[EnumMember, ...]


@dataclass(frozen=True)
class FieldView:
    name: str
    wire_name: str
    annotation: str
    default: str | None
    doc: str


@dataclass(frozen=True)
class StructView:
    name: str
    doc: str
    fields: tuple[FieldView, ...]
    schema_defaults: tuple[tuple[str, str], ...]
    is_alias: bool = False
    multiple_of_checks: tuple[tuple[str, str, str], ...] = ()  # (Python name, step as decimal text, wire name)


@dataclass(frozen=True)
class RoleNames:
    """What a version calls the two roles: 2.x says CSMS and Charging Station, 1.6 Central System and Charge Point.

    Module and class names are the same in every version (``csms.CsmsHandler``,
    ``station.ChargingStationHandler``) so code reads the same across versions; 1.6 packages also get
    ``central_system`` and ``charge_point`` modules exporting the same objects under 1.6's names.
    """

    csms: str
    station: str
    aliases: bool


def role_names(ocpp_version: str) -> RoleNames:
    if ocpp_version.startswith("1."):
        return RoleNames("Central System", "Charge Point", aliases=True)
    return RoleNames("CSMS", "Charging Station", aliases=False)


@dataclass(frozen=True)
class SendView:
    """An action sent as an OCPP-J SEND frame (no response)."""

    name: str
    constant: str
    request: str
    direction: str

    @property
    def method(self) -> str:
        """The peer's and the handler's method name (snake_case of the action)."""
        return self.constant.lower()


@dataclass(frozen=True)
class Imports:
    """What a generated module imports: enums and types by name, typing names, Meta, datetime."""

    enums: list[str]
    types: list[str]
    typing: list[str]
    meta: bool
    datetime: bool
    multiple_of: bool = False


ImportsFor = Callable[[set[str], set[str]], Imports]


@dataclass(frozen=True)
class ActionView:
    name: str
    constant: str
    method: str
    request: str
    response: str
    direction: str


class _Renderer:
    """Builds the template views for one schema set."""

    def __init__(self, schemas: SchemaSet):
        self.schemas = schemas
        self.used: set[str] = set()

    # ---- enums -------------------------------------------------------------------------
    def enum_view(self, enum: EnumDef) -> EnumView:
        members: list[EnumMember] = []
        seen: dict[str, str] = {}
        for value in enum.values:
            name = enum_member(value)
            if name in seen:
                raise GeneratorError(
                    f"enum {enum.name}: values {seen[name]!r} and {value!r} map to the same member name {name}"
                )
            seen[name] = value
            members.append(EnumMember(name, value))
        return EnumView(enum.name, self.doc(enum.description, enum.name, 4), tuple(members))

    # ---- structs -----------------------------------------------------------------------
    def struct_view(self, struct: StructDef, fallback_doc: str) -> StructView:
        if struct.open:
            return StructView(struct.name, "", (), (), is_alias=True)
        fields: list[FieldView] = []
        defaults: list[tuple[str, str]] = []
        checks: list[tuple[str, str, str]] = []
        names: dict[str, str] = {}
        for field in struct.fields:
            name = snake_case(field.wire_name)
            if name in names:
                raise GeneratorError(
                    f"{struct.name}: properties {names[name]!r} and {field.wire_name!r} map to the same Python name {name}"
                )
            names[name] = field.wire_name
            if (
                isinstance(field.type, Scalar)
                and field.type.json_type == "number"
                and field.type.multiple_of is not None
            ):
                checks.append((name, repr(field.type.multiple_of), field.wire_name))
                self.used.add("check_multiple_of")
            annotation = self.annotation(field.type)
            if field.required:
                default = None if name == field.wire_name else f'msgspec.field(name="{field.wire_name}")'
            else:
                annotation += " | UnsetType"
                default = (
                    "UNSET" if name == field.wire_name else f'msgspec.field(default=UNSET, name="{field.wire_name}")'
                )
                schema_default = self.schema_default(field)
                if schema_default is not None:
                    defaults.append((name, schema_default))
            fields.append(FieldView(name, field.wire_name, annotation, default, self.doc(field.description, "", 4)))
        doc = self.doc(struct.description, fallback_doc, 4)
        return StructView(struct.name, doc, tuple(fields), tuple(defaults), multiple_of_checks=tuple(checks))

    def schema_default(self, field: Field) -> str | None:
        value: Any = field.default if field.has_default else None
        if isinstance(field.type, Ref) and field.type.name in self.schemas.enums:
            enum = self.schemas.enums[field.type.name]
            value = value if field.has_default else enum.default
            if value is None:
                return None
            self.used.add(enum.name)
            return f"{enum.name}.{enum_member(value)}"
        if not field.has_default:
            return None
        return repr(value)

    def annotation(self, ftype: FieldType) -> str:
        if isinstance(ftype, AnyValue):
            self.used.add("Any")
            return "Any"
        if isinstance(ftype, Ref):
            self.used.add(ftype.name)
            return ftype.name
        if isinstance(ftype, ArrayOf):
            items = ftype.items
            if isinstance(items, Scalar) and items.json_type == "number" and items.multiple_of is not None:
                raise GeneratorError("'multipleOf' on the number items of an array is not supported")
            inner = f"list[{self.annotation(items)}]"
            return self.constrained(inner, min_length=ftype.min_items, max_length=ftype.max_items)
        assert isinstance(ftype, Scalar)
        if ftype.date_time:
            self.used.add("datetime")
            return self.constrained("datetime", tz=True)
        base = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}[ftype.json_type]
        ge, le = ftype.minimum, ftype.maximum
        if ftype.json_type == "integer":
            # msgspec wants integer bounds on int fields; the schemas write some as 0.0 / 100.0.
            ge = math.ceil(ge) if ge is not None else None
            le = math.floor(le) if le is not None else None
        # Integers: msgspec's check is exact. Numbers: checked in __post_init__ on the decimal value.
        step = ftype.multiple_of if ftype.json_type == "integer" else None
        return self.constrained(
            base,
            ge=ge,
            le=le,
            multiple_of=step,
            min_length=ftype.min_length,
            max_length=ftype.max_length,
            pattern=URI_PATTERN if ftype.uri else ftype.pattern,
        )

    def constrained(self, base: str, **meta: Any) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in meta.items() if v is not None)
        if not args:
            return base
        self.used.update({"Annotated", "Meta"})
        return f"Annotated[{base}, Meta({args})]"

    # ---- docs --------------------------------------------------------------------------
    def doc(self, description: str, fallback: str, indent: int) -> str:
        text = clean_description(description) or fallback
        text = wrap(text, LINE_LENGTH - 3, " " * indent) if text else ""
        # A docstring cannot end in the quote character that closes it.
        return text + " " if text.endswith('"') else text


def _environment() -> jinja2.Environment:
    folder = resources.files("ocppgen.templates")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def direction_doc(direction: Direction, kind: str, csms: str = "CSMS", station: str = "Charging Station") -> str:
    """Who sends a ``kind`` ("Request" or "Response") of an action whose request goes ``direction``.

    A response travels the other way: the request's receiver sends it back.
    """
    if direction is Direction.BOTH:
        return "sent by either side" if kind == "Request" else "sent back by the side that received the request"
    sender, receiver = (station, csms) if direction is Direction.STATION_TO_CSMS else (csms, station)
    if kind == "Response":
        sender, receiver = receiver, sender
    return f"sent by the {sender} to the {receiver}"


def _role_actions(actions: list[ActionView], sends: list[SendView]) -> dict[str, list[Any]]:
    """The actions each role sends and receives, for the role stub templates (DataTransfer in all four),
    and the SEND-frame actions (OCPP 2.1) each role sends and receives."""
    station_sends = [a for a in actions if a.direction in ("STATION_TO_CSMS", "BOTH")]
    csms_sends = [a for a in actions if a.direction in ("CSMS_TO_STATION", "BOTH")]
    station_frames = [a for a in sends if a.direction in ("STATION_TO_CSMS", "BOTH")]
    csms_frames = [a for a in sends if a.direction in ("CSMS_TO_STATION", "BOTH")]
    return {
        "csms_sends": csms_sends,
        "csms_receives": station_sends,
        "station_sends": station_sends,
        "station_receives": csms_sends,
        "csms_send_frames": csms_frames,
        "csms_receive_frames": station_frames,
        "station_send_frames": station_frames,
        "station_receive_frames": csms_frames,
    }


@dataclass(frozen=True)
class DataTransferView:
    vendor_id: str
    message_id: str
    message_id_text: str
    constant: str
    request: StructView | None
    response: StructView | None


def _render_extensions(
    env: jinja2.Environment,
    renderer: _Renderer,
    schemas: SchemaSet,
    ext: ExtensionSet,
    context: dict[str, Any],
    imports: ImportsFor,
) -> str:
    """The vendor ``extensions.py``: local definitions, customData classes, DataTransfer data classes."""
    local_enums, local_types = [], []
    for name, enum in sorted(ext.enums.items()):
        base = schemas.enums.get(name)
        if base is None:
            local_enums.append(enum)
        elif shape(base) != shape(enum):
            raise GeneratorError(f"extension definition {name!r} clashes with the base schema definition of that name")
    for name, struct in sorted(ext.types.items()):
        base_struct = schemas.types.get(name)
        if base_struct is None:
            local_types.append(struct)
        elif shape(base_struct) != shape(struct):
            raise GeneratorError(f"extension definition {name!r} clashes with the base schema definition of that name")
    top_names = [c.struct.name for c in ext.custom_data]
    for d in ext.data_transfer:
        top_names += [x.name for x in (d.request, d.response) if x is not None]
    taken = set(schemas.enums) | set(schemas.types) | set(schemas.messages)
    local_names = [e.name for e in local_enums] + [t.name for t in local_types]
    for name in top_names:
        if name in taken or top_names.count(name) > 1 or name in local_names:
            raise GeneratorError(f"extension class name {name!r} is already used")
    renderer.used = set()
    enums = [renderer.enum_view(e) for e in local_enums]
    structs = [renderer.struct_view(t, t.name) for t in local_types]
    custom = [
        (renderer.struct_view(c.struct, f"customData of vendorId {c.vendor_id}."), c.vendor_id) for c in ext.custom_data
    ]
    transfers = []
    for d in ext.data_transfer:
        label = f"({d.vendor_id}, {d.message_id})"
        transfers.append(
            DataTransferView(
                vendor_id=d.vendor_id,
                message_id=repr(d.message_id) if d.message_id is not None else "None",
                message_id_text=d.message_id or "no messageId",
                constant=method_name(d.name).upper(),
                request=renderer.struct_view(d.request, f"DataTransfer request data {label}.") if d.request else None,
                response=(
                    renderer.struct_view(d.response, f"DataTransfer response data {label}.") if d.response else None
                ),
            )
        )
    used = renderer.used - set(local_names)
    imp = imports(used, set())
    exported = local_names + top_names + [t.constant for t in transfers]
    all_structs = structs + [c for c, _ in custom] + [x for t in transfers for x in (t.request, t.response) if x]
    return env.get_template("extensions.py.j2").render(
        context,
        enums=enums,
        structs=structs,
        custom_data=custom,
        data_transfer=transfers,
        imp=imp,
        exported=exported,
        all_structs=all_structs,
    )


def render_package(schemas: SchemaSet, package: str) -> dict[str, str]:
    """Every generated module of ``package`` as ``{file name: formatted source}``."""
    for part in package.split("."):
        if not part.isidentifier() or keyword.iskeyword(part):
            raise GeneratorError(f"--package {package!r} is not a valid dotted Python module name")
    env = _environment()
    renderer = _Renderer(schemas)
    ext = schemas.extensions
    header = {
        "generator_version": __version__,
        "schema_set": schemas.name,
        "ocpp_version": schemas.ocpp_version,
        "content_hash": schemas.content_hash,
        "patches": [p.describe() for p in ext.patches] if ext is not None else [],
    }

    enums = [renderer.enum_view(schemas.enums[n]) for n in sorted(schemas.enums)]

    renderer.used = set()
    types = [renderer.struct_view(schemas.types[n], n) for n in sorted(schemas.types)]
    types_used = set(renderer.used)

    roles = role_names(schemas.ocpp_version)
    renderer.used = set()
    messages = []
    for action in schemas.actions.values():
        if action.response is None:
            sent = direction_doc(action.direction, "Request", roles.csms, roles.station)
            fallback = f"Payload of the {action.name} SEND message ({sent}; it has no response)."
            messages.append(renderer.struct_view(schemas.messages[action.request], fallback))
            continue
        for stem, kind in ((action.request, "Request"), (action.response, "Response")):
            sent = direction_doc(action.direction, kind, roles.csms, roles.station)
            fallback = f"{kind} payload of the {action.name} action ({sent})."
            messages.append(renderer.struct_view(schemas.messages[stem], fallback))
    messages_used = set(renderer.used)

    actions = [
        ActionView(
            name=a.name,
            constant=method_name(a.name).upper(),
            method=method_name(a.name),
            request=a.request,
            response=a.response,
            direction=a.direction.name,
        )
        for a in schemas.actions.values()
        if a.response is not None
    ]
    sends = [
        SendView(a.name, method_name(a.name).upper(), a.request, a.direction.name)
        for a in schemas.actions.values()
        if a.response is None
    ]

    def imports(used: set[str], local: set[str]) -> Imports:
        return Imports(
            enums=sorted(used & set(schemas.enums)),
            types=sorted((used & set(schemas.types)) - local),
            typing=sorted(used & {"Annotated", "Any"}),
            meta="Meta" in used,
            datetime="datetime" in used,
            multiple_of="check_multiple_of" in used,
        )

    context = dict(header=header, package=package, subprotocol=schemas.subprotocol, roles=roles)
    sources = {
        "enums.py": env.get_template("enums.py.j2").render(context, enums=enums),
        "types.py": env.get_template("types.py.j2").render(
            context,
            structs=types,
            imp=imports(types_used, set(schemas.types)),
            custom_data=CUSTOM_DATA if CUSTOM_DATA in schemas.types else None,
        ),
        "messages.py": env.get_template("messages.py.j2").render(
            context, structs=messages, imp=imports(messages_used, set())
        ),
        "actions.py": env.get_template("actions.py.j2").render(context, actions=actions, sends=sends),
        "csms.py": env.get_template("csms.py.j2").render(context, **_role_actions(actions, sends)),
        "station.py": env.get_template("station.py.j2").render(context, **_role_actions(actions, sends)),
        "__init__.py": env.get_template("__init__.py.j2").render(context, extensions=ext is not None),
    }
    if roles.aliases:
        sources["central_system.py"] = env.get_template("central_system.py.j2").render(context)
        sources["charge_point.py"] = env.get_template("charge_point.py.j2").render(context)
    if ext is not None:
        sources["extensions.py"] = _render_extensions(env, renderer, schemas, ext, context, imports)
    if schemas.catalog is not None:
        view = catalog_view(schemas.catalog, schemas.ocpp_version)
        sources["catalog.py"] = env.get_template("catalog.py.j2").render(context, view=view)
    formatted: dict[str, str] = {}
    for name, source in sources.items():
        try:
            formatted[name] = black.format_str(source, mode=BLACK_MODE)
        except InvalidInput as exc:  # a template bug, not an input problem
            raise RuntimeError(f"generated {name} is not valid Python: {exc}") from exc
    formatted["py.typed"] = ""
    return formatted
