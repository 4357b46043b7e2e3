"""The ``ocppgen`` command line: generate bindings, check that committed output is current.

Every input problem is reported as one line naming the file (and JSON pointer) and exits with
status 2; ``check`` exits 1 when the output is stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .catalog_cli import catalog_app
from .diff_cli import diff
from .errors import GeneratorError
from .model import SchemaSet
from .output import Diff, compare, package_dir, write
from .render import render_package
from .schema import read_schema_set

app = typer.Typer(
    help="Generate typed msgspec bindings for OCPP from its JSON schemas.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.add_typer(catalog_app, name="catalog")
app.command("diff")(diff)

SCHEMAS_ROOT = Path("schemas")
DEFAULT_OUT = Path("generated")
DEFAULT_SET = "v201"
PACKAGE_PREFIX = "ocppwire"

SchemasOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--schemas",
        help="Folder of <Action>Request.json / <Action>Response.json schema files plus actions.json "
        "(who sends each action). Default: every version set of the repository (schemas/v16, schemas/v201, "
        "schemas/v21), or schemas/v201 alone with --package or "
        "--extensions; these defaults are relative to the repository root and need it as the current folder.",
    ),
]
OutOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--out",
        help="Root folder the package is written under (the package path is appended). "
        "Default: generated/ (the repository's; needs the repository root as the current folder).",
    ),
]
ExtensionsOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--extensions",
        help="Vendor extension folder with extensions.json: typed customData and DataTransfer schemas, "
        "and patches applied to the base schemas before generation.",
    ),
]
PackageOpt = Annotated[
    Optional[str],
    typer.Option(
        "--package",
        help="Dotted name of the generated package, e.g. ocppwire.v201 or acme_ocpp. "
        "Default: ocppwire.v<OCPP version without dots> (ocppwire.v16, ocppwire.v201, ocppwire.v21).",
    ),
]


@dataclass(frozen=True)
class Job:
    """One schema set to generate: where it is read from and which package it becomes."""

    schemas: Path
    package: str | None  # None: named after the set's OCPP version (ocppwire.v201)


def _fail(exc: GeneratorError) -> typer.Exit:
    typer.echo(f"ocppgen: error: {exc}", err=True)
    return typer.Exit(2)


def repository_sets(root: Path = SCHEMAS_ROOT) -> list[Path]:
    """The version sets of the repository's schemas/ folder: each sub-folder holding an actions.json."""
    return sorted(p.parent for p in root.glob("*/actions.json"))


def _not_in_repository(what: Path) -> GeneratorError:
    return GeneratorError(
        f"{what}/ not found from {Path.cwd()}: this default needs the repository root as the current folder "
        "(or pass the folder explicitly, see --help)"
    )


def _jobs(schemas: Path | None, package: str | None, extensions: Path | None) -> list[Job]:
    if schemas is not None:
        return [Job(schemas, package)]
    if package is not None or extensions is not None:
        default = SCHEMAS_ROOT / DEFAULT_SET
        if not default.is_dir():
            raise _not_in_repository(default)
        return [Job(default, package)]
    sets = repository_sets()
    if not sets:
        raise _not_in_repository(SCHEMAS_ROOT)
    return [Job(folder, None) for folder in sets]


def default_package(schema_set: SchemaSet) -> str:
    """``ocppwire.v`` + the set's OCPP version without dots: ``ocppwire.v16``, ``ocppwire.v201``, ``ocppwire.v21``."""
    return f"{PACKAGE_PREFIX}.v{schema_set.ocpp_version.replace('.', '')}"


def _out(out: Path | None) -> Path:
    if out is not None:
        return out
    if not DEFAULT_OUT.is_dir():
        raise _not_in_repository(DEFAULT_OUT)
    return DEFAULT_OUT


def _summary(schemas: Path, schema_set: SchemaSet, folder: Path, diff: Diff) -> str:
    ext = schema_set.extensions
    catalog = schema_set.catalog
    lines = [
        f"ocppgen {__version__}: OCPP {schema_set.ocpp_version} from {schemas}",
        f"  enums:    {len(schema_set.enums)}",
        f"  types:    {len(schema_set.types)}",
        f"  messages: {len(schema_set.messages)} ({len(schema_set.actions)} actions)",
    ]
    if ext is not None:
        lines.append(
            f"  extensions: {len(ext.custom_data)} customData, {len(ext.data_transfer)} DataTransfer, "
            f"{len(ext.patches)} patches"
        )
    if catalog is not None:
        lines.append(f"  catalog:  {len(catalog.components)} components, {catalog.variable_count} component variables")
    lines.append(f"  output:   {folder}")
    lines.append(f"  changed:  {'no' if diff.clean else diff.summary()}")
    return "\n".join(lines)


@app.command()
def generate(
    schemas: SchemasOpt = None,
    out: OutOpt = None,
    package: PackageOpt = None,
    extensions: ExtensionsOpt = None,
) -> None:
    """Read the schemas and (re)write the generated package(s); prints what it produced."""
    try:
        jobs = _jobs(schemas, package, extensions)
        root = _out(out)
        for job in jobs:
            schema_set = read_schema_set(job.schemas, extensions=extensions)
            name = job.package or default_package(schema_set)
            files = render_package(schema_set, name)
            folder = package_dir(root, name)
            diff = write(files, folder)
            typer.echo(_summary(job.schemas, schema_set, folder, diff))
    except GeneratorError as exc:
        raise _fail(exc) from None


@app.command()
def check(
    schemas: SchemasOpt = None,
    out: OutOpt = None,
    package: PackageOpt = None,
    extensions: ExtensionsOpt = None,
    show_diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of each changed file.")] = False,
) -> None:
    """Exit 1 with a summary when the committed output differs from what the generator produces."""
    stale = False
    try:
        jobs = _jobs(schemas, package, extensions)
        root = _out(out)
        results = []
        for job in jobs:
            schema_set = read_schema_set(job.schemas, extensions=extensions)
            name = job.package or default_package(schema_set)
            files = render_package(schema_set, name)
            folder = package_dir(root, name)
            results.append((folder, files, compare(files, folder)))
    except GeneratorError as exc:
        raise _fail(exc) from None
    for folder, files, diff in results:
        if diff.clean:
            typer.echo(f"{folder}: up to date ({len(files)} files)")
            continue
        stale = True
        typer.echo(f"{folder}: stale: {diff.summary()}", err=True)
        if show_diff:
            for text in diff.unified.values():
                typer.echo(text, err=True)
    if stale:
        typer.echo("run `ocppgen generate` to update it", err=True)
        raise typer.Exit(1)


@app.command()
def version() -> None:
    """Print the ocppgen version."""
    typer.echo(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
