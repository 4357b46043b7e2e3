"""Shared fixtures for the catalogue and device-model tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import SCHEMAS


@pytest.fixture
def schemas_copy(tmp_path: Path) -> Path:
    """A private copy of schemas/v201 (schemas, actions.json and catalog/) that a test may corrupt."""
    target = tmp_path / "v201"
    shutil.copytree(SCHEMAS, target)
    return target
