"""Shared paths for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas" / "v201"
GENERATED = ROOT / "generated"


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def schemas_dir() -> Path:
    return SCHEMAS
