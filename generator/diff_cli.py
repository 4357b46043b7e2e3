"""``ocppgen diff OLD NEW``: the changelog between two schema sets, as Markdown or JSON.

OLD and NEW are schema folders or the names of the repository's vendored sets (``v16``, ``v201``,
``v21``); ``--old-extensions`` / ``--new-extensions`` read a side with a vendor extension folder, so
``ocppgen diff v201 v201 --new-extensions examples/vendor/extensions`` is what a vendor package adds
to its base. Exit status 2 with one line on bad input, as for every ocppgen command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .changelog import build, to_json, to_markdown
from .errors import GeneratorError
from .schema import read_schema_set

VENDORED = ("v16", "v201", "v21")
_REPOSITORY_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def resolve_set(spec: str) -> Path:
    """A folder as given, else a vendored set by name: ``schemas/<name>`` of the current folder, else
    of the repository this ocppgen was installed from (an editable install)."""
    path = Path(spec)
    if path.is_dir():
        return path
    if spec in VENDORED:
        for root in (Path("schemas"), _REPOSITORY_SCHEMAS):
            if (root / spec).is_dir():
                return root / spec
        raise GeneratorError(f"vendored set {spec!r} not found: pass its schema folder instead")
    raise GeneratorError(f"{spec!r} is neither a schema folder nor one of {', '.join(VENDORED)}")


def _label(spec: str, extensions: Path | None) -> str:
    return f"{spec} + {extensions.as_posix()}" if extensions is not None else spec


def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="Old schema folder, or v16 / v201 / v21.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="New schema folder, or v16 / v201 / v21.")],
    old_extensions: Annotated[
        Optional[Path], typer.Option("--old-extensions", help="Vendor extension folder read with OLD.")
    ] = None,
    new_extensions: Annotated[
        Optional[Path], typer.Option("--new-extensions", help="Vendor extension folder read with NEW.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changelog as JSON instead of Markdown.")] = False,
    no_catalogues: Annotated[
        bool, typer.Option("--no-catalogues", help="Leave the device-model catalogues out of the comparison.")
    ] = False,
) -> None:
    """Print what changed from OLD to NEW: actions, messages, datatypes, enumerations, catalogues, extensions."""
    try:
        before = read_schema_set(resolve_set(old), extensions=old_extensions)
        after = read_schema_set(resolve_set(new), extensions=new_extensions)
    except GeneratorError as exc:
        typer.echo(f"ocppgen: error: {exc}", err=True)
        raise typer.Exit(2) from None
    log = build(before, after, _label(old, old_extensions), _label(new, new_extensions), catalogues=not no_catalogues)
    typer.echo(to_json(log) if as_json else to_markdown(log), nl=False)
