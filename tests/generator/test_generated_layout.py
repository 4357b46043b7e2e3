"""Generated and hand-written code are told apart at a glance: generated/README.md and .gitattributes."""

from __future__ import annotations

import re

from ocppgen.output import GENERATED_MARK

from ..conftest import GENERATED, ROOT

README = GENERATED / "README.md"


def _listed(section: str) -> set[str]:
    """Folder / file names in the first column of the tables under the ``### <section>`` heading."""
    text = README.read_text()
    body = text.split(f"### {section}", 1)[1].split("\n##", 1)[0]
    return {m.strip("/") for m in re.findall(r"^\| `(?:ocppwire/)?([^`]+)` \|", body, flags=re.M)}


def test_every_folder_of_the_package_is_listed_as_generated_or_hand_written() -> None:
    generated, source = _listed("Generated"), _listed("Hand-written source")
    assert generated and source and not generated & source
    folders = {p.name for p in (GENERATED / "ocppwire").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders <= generated | source, f"not listed in generated/README.md: {sorted(folders - generated - source)}"
    assert {"runtime", "devicemodel", "sim", "__init__.py", "pyproject.toml"} <= source


def test_generated_folders_carry_the_header_and_hand_written_ones_do_not() -> None:
    for name in _listed("Generated"):
        folder = GENERATED / "ocppwire" / name
        if not folder.is_dir():  # listed ahead of its first generation
            continue
        for path in folder.glob("*.py"):
            assert path.read_text().startswith(GENERATED_MARK), path
    for name in _listed("Hand-written source"):
        folder = GENERATED / "ocppwire" / name
        for path in folder.rglob("*.py") if folder.is_dir() else []:
            assert not path.read_text().startswith(GENERATED_MARK), path


def test_gitattributes_marks_every_generated_folder() -> None:
    lines = (ROOT / ".gitattributes").read_text().splitlines()
    marked = {
        ln.split()[0] for ln in lines if ln.strip() and not ln.startswith("#") and "linguist-generated=true" in ln
    }
    for name in _listed("Generated"):
        assert f"generated/ocppwire/{name}/**" in marked, name
    assert "examples/vendor/acme_ocpp/**" in marked
    # and nothing hand-written is marked
    assert not any(p.startswith(("generated/ocppwire/runtime", "generated/ocppwire/devicemodel")) for p in marked)
