"""catalog.py is rendered deterministically from the catalogue, and only when there is one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ocppgen.render import render_package
from ocppgen.schema import content_hash, read_schema_set

from ..conftest import GENERATED, ROOT


@pytest.mark.parametrize("folder", ["v201", "v21"])
def test_committed_catalog_module_is_current_and_deterministic(folder: str) -> None:
    schemas = ROOT / "schemas" / folder
    first = render_package(read_schema_set(schemas), f"ocppwire.{folder}")["catalog.py"]
    second = render_package(read_schema_set(schemas), f"ocppwire.{folder}")["catalog.py"]
    assert first == second
    assert (GENERATED / "ocppwire" / folder / "catalog.py").read_text(encoding="utf-8") == first


def test_catalog_files_feed_the_content_hash(schemas_copy: Path) -> None:
    before = content_hash(schemas_copy)
    units = schemas_copy / "catalog" / "units.json"
    units.write_text(units.read_text(encoding="utf-8").replace('"current"', '"electric current"'), encoding="utf-8")
    assert content_hash(schemas_copy) != before


def test_no_catalog_folder_means_no_catalog_module(schemas_copy: Path) -> None:
    shutil.rmtree(schemas_copy / "catalog")
    files = render_package(read_schema_set(schemas_copy), "ocppwire.v201")
    assert "catalog.py" not in files and "types.py" in files


def test_ocpp_16_has_no_catalog() -> None:
    assert not (ROOT / "schemas" / "v16" / "catalog").exists()
    assert not (GENERATED / "ocppwire" / "v16" / "catalog.py").exists()
