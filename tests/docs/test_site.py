"""The documentation site builds in strict mode, renders the API reference, and strict mode bites."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT

MKDOCS = Path(sys.executable).parent / "mkdocs"


def build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_site_builds_strict_with_guides_and_api_reference(tmp_path: Path) -> None:
    result = build(ROOT, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    for guide in ("runtime", "catalog", "conformance", "reliability", "benchmarks", "writing-docs"):
        assert (site / guide / "index.html").is_file(), guide
    roles = (site / "api" / "roles" / "index.html").read_text()
    for name in ("CsmsHandler", "ChargingStationClient", "boot_notification", "check_handler_class"):
        assert f'id="ocppwire.' in roles and name in roles, name
    assert "value_or_default" in (site / "api" / "ocppwire" / "index.html").read_text()


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "generated").symlink_to(ROOT / "generated")
    index = project / "docs" / "index.md"
    index.write_text(index.read_text() + "\nSee [the missing guide](missing.md).\n")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "missing.md" in result.stderr, result.stderr
