"""One version: both pyprojects, both packages' __version__, generated headers, CHANGELOG and docs agree."""

from __future__ import annotations

import ocppgen
import ocppwire

from ..conftest import GENERATED, ROOT
from .versions import VERSION, changelog_versions, doc_mentions, generated_headers, module_version, pyproject_version


def test_pyprojects_and_packages_agree() -> None:
    assert pyproject_version(ROOT) == VERSION
    assert ocppwire.__version__ == ocppgen.__version__ == VERSION
    assert module_version(GENERATED / "ocppwire" / "__init__.py") == module_version(ROOT / "generator" / "__init__.py")


def test_generated_headers_name_this_version() -> None:
    headers = generated_headers()
    assert len(headers) >= 8, headers  # v201 and the vendor example
    assert {path: v for path, v in headers.items() if v != VERSION} == {}


def test_the_changelog_top_entry_is_this_version() -> None:
    versions = changelog_versions()
    assert versions and versions[0] == VERSION, versions
    assert len(versions) == len(set(versions)), versions


def test_versions_quoted_in_the_docs_are_this_version() -> None:
    mentions = doc_mentions()
    assert mentions, "README.md's Install section names the wheel files"
    assert {where: v for where, v in mentions.items() if v != VERSION} == {}
