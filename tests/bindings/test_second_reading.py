"""An independent second reading of the schemas: datamodel-code-generator against our generated types.

datamodel-code-generator turns each schema file into pydantic models. For every message of every
version (1.6, 2.0.1, 2.1), every field it finds — wire name, required-ness, JSON type, maxLength,
minimum/maximum, multipleOf, minItems/maxItems, enum values, ``format: uri``, nested objects — must
agree with what our generated msgspec types declare (read back through ``msgspec.inspect`` and the
``MULTIPLE_OF`` class attribute). Its output is only used here as an oracle, never shipped.
"""

from __future__ import annotations

import enum
import json
import importlib.util
import shutil
import subprocess
import sys
import types as pytypes
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec.inspect as mi
import pytest
from pydantic import BaseModel, RootModel

from pydantic import AnyUrl

from ocppgen.model import URI_PATTERN
from ocppgen.reader import message_name
from ocppwire.v16 import messages as m16
from ocppwire.v21 import messages as m21
from ocppwire.v201 import messages as m

from ..conftest import ROOT

MESSAGE_MODULES = {"v16": m16, "v201": m, "v21": m21}


def schema_files(version: str) -> list[Path]:
    return sorted(p for p in (ROOT / "schemas" / version).glob("*.json") if p.name != "actions.json")


@pytest.fixture(scope="module", params=sorted(MESSAGE_MODULES))
def dmc(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, pytypes.ModuleType]]:
    version: str = request.param
    out = tmp_path_factory.mktemp(f"dmc-{version}")
    source = tmp_path_factory.mktemp(f"schemas-{version}")
    for path in schema_files(version):  # only the schema files, not actions.json or the README
        shutil.copy(path, source / path.name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            str(source),
            "--input-file-type",
            "jsonschema",
            "--output",
            str(out),
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--field-constraints",
            "--formatters",
            "black",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    modules = {}
    for path in sorted(out.glob("*.py")):
        if path.stem == "__init__":
            continue
        spec = importlib.util.spec_from_file_location(f"dmc_{version}_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        modules[path.stem] = module
    return version, modules


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        for attr in ("max_length", "min_length", "ge", "le", "multiple_of"):
            value = getattr(item, attr, None)
            if value is not None:
                found[attr] = value
    return found


def _num(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def describe_pydantic(annotation: Any, metadata: list[Any], seen: set[type]) -> Any:
    """A neutral description of a pydantic field type."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, pytypes.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        assert len(args) == 1, annotation
        return describe_pydantic(args[0], metadata, seen)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return describe_pydantic(base, metadata + list(extra), seen)
    c = _constraints(metadata)
    if origin is list:
        (item,) = typing.get_args(annotation)
        return ("list", c.get("min_length"), c.get("max_length"), describe_pydantic(item, [], seen))
    if annotation is typing.Any:
        return ("any",)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return ("enum", tuple(v.value for v in annotation))
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        root = annotation.model_fields["root"]
        return describe_pydantic(root.annotation, list(root.metadata), seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.model_config.get("extra") != "forbid":
            return ("customData",)
        return describe_pydantic_model(annotation, seen)
    if annotation is datetime or getattr(annotation, "__name__", "") == "AwareDatetime":
        return ("datetime",)
    if annotation is AnyUrl:
        return ("uri",)
    if annotation is str:
        return ("str", c.get("max_length"))
    if annotation is int:
        return ("int", _num(c.get("ge")), _num(c.get("le")))
    if annotation is float:
        return ("float", _num(c.get("ge")), _num(c.get("le")), c.get("multiple_of"))
    if annotation is bool:
        return ("bool",)
    raise AssertionError(f"unexpected pydantic annotation {annotation!r}")


def describe_pydantic_model(model: type[BaseModel], seen: set[type]) -> Any:
    if model in seen:
        return ("object", "recursive")
    seen = seen | {model}
    fields = {}
    for name, info in model.model_fields.items():
        wire = info.alias or name
        fields[wire] = (info.is_required(), describe_pydantic(info.annotation, list(info.metadata), seen))
    return ("object", tuple(sorted(fields.items())))


def describe_msgspec(t: mi.Type) -> Any:
    """The same description for a msgspec type."""
    if isinstance(t, mi.ListType):
        return ("list", t.min_length, t.max_length, describe_msgspec(t.item_type))
    if isinstance(t, mi.AnyType):
        return ("any",)
    if isinstance(t, mi.EnumType):
        return ("enum", tuple(v.value for v in t.cls))
    if isinstance(t, mi.CustomType):
        return ("customData",)
    if isinstance(t, mi.StructType):
        steps = getattr(t.cls, "MULTIPLE_OF", {})
        fields = []
        for f in t.fields:
            described = describe_msgspec(f.type)
            if described[0] == "float":
                step = steps.get(f.encode_name)
                described = (*described, float(step) if step is not None else None)
            fields.append((f.encode_name, (f.required, described)))
        return ("object", tuple(sorted(fields)))
    if isinstance(t, mi.DateTimeType):
        assert t.tz is True
        return ("datetime",)
    if isinstance(t, mi.StrType):
        if t.pattern == URI_PATTERN:
            return ("uri",)
        return ("str", t.max_length)
    if isinstance(t, mi.IntType):
        return ("int", t.ge, t.le)
    if isinstance(t, mi.FloatType):  # multipleOf is appended by the holding struct (MULTIPLE_OF)
        return ("float", _num(t.ge), _num(t.le))
    if isinstance(t, mi.BoolType):
        return ("bool",)
    raise AssertionError(f"unexpected msgspec type {t!r}")


def test_second_reading_covers_all_messages(dmc: tuple[str, dict[str, pytypes.ModuleType]]) -> None:
    version, modules = dmc
    assert sorted(modules) == [p.stem for p in schema_files(version)]
    assert len(modules) == {"v16": 78, "v201": 128, "v21": 181}[version]


def test_fields_agree_with_datamodel_code_generator(dmc: tuple[str, dict[str, pytypes.ModuleType]]) -> None:
    version, modules = dmc
    ours_module = MESSAGE_MODULES[version]
    disagreements = []
    for stem, module in modules.items():
        # The root model is `Model`, or named after the schema's "title" (the 1.6 core files have one).
        title = json.loads((ROOT / "schemas" / version / f"{stem}.json").read_text()).get("title", "Model")
        theirs = describe_pydantic_model(getattr(module, title), set())
        ours = describe_msgspec(mi.type_info(getattr(ours_module, message_name(stem))))
        if ours != theirs:
            disagreements.append(f"{version}/{stem}:\n  ours:   {ours}\n  theirs: {theirs}")
    assert not disagreements, "\n".join(disagreements[:3]) + f"\n({len(disagreements)} messages disagree)"
