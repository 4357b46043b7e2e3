"""An independent second reading of the schemas: datamodel-code-generator against our generated types.

datamodel-code-generator turns each schema file into pydantic models. For every message, every
field it finds — wire name, required-ness, JSON type, maxLength, minimum/maximum, minItems/maxItems,
enum values, nested objects — must agree with what our generated msgspec types declare (read back
through ``msgspec.inspect``). Its output is only used here as an oracle, never shipped.
"""

from __future__ import annotations

import enum
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

from ocppwire.v201 import messages as m

from ..conftest import SCHEMAS


@pytest.fixture(scope="module")
def dmc_modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pytypes.ModuleType]:
    out = tmp_path_factory.mktemp("dmc")
    source = tmp_path_factory.mktemp("schemas")
    for path in SCHEMAS.glob("*Re*.json"):  # only the schema files, not actions.json or the README
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
        spec = importlib.util.spec_from_file_location(f"dmc_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        modules[path.stem] = module
    return modules


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        for attr in ("max_length", "min_length", "ge", "le"):
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
    if annotation is str:
        return ("str", c.get("max_length"))
    if annotation is int:
        return ("int", _num(c.get("ge")), _num(c.get("le")))
    if annotation is float:
        return ("float", _num(c.get("ge")), _num(c.get("le")))
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
        return ("object", tuple(sorted((f.encode_name, (f.required, describe_msgspec(f.type))) for f in t.fields)))
    if isinstance(t, mi.DateTimeType):
        assert t.tz is True
        return ("datetime",)
    if isinstance(t, mi.StrType):
        return ("str", t.max_length)
    if isinstance(t, mi.IntType):
        return ("int", t.ge, t.le)
    if isinstance(t, mi.FloatType):
        return ("float", _num(t.ge), _num(t.le))
    if isinstance(t, mi.BoolType):
        return ("bool",)
    raise AssertionError(f"unexpected msgspec type {t!r}")


MESSAGES = sorted(p.stem for p in Path(SCHEMAS).glob("*Re*.json"))


def test_second_reading_covers_all_messages(dmc_modules: dict[str, pytypes.ModuleType]) -> None:
    assert sorted(dmc_modules) == MESSAGES


@pytest.mark.parametrize("stem", MESSAGES)
def test_fields_agree_with_datamodel_code_generator(stem: str, dmc_modules: dict[str, pytypes.ModuleType]) -> None:
    theirs = describe_pydantic_model(dmc_modules[stem].Model, set())
    ours = describe_msgspec(mi.type_info(getattr(m, stem)))
    assert ours == theirs
