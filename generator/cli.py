"""The ``ocppgen`` command line: generate bindings, check that committed output is current.

Every input problem is reported as one line naming the file (and JSON pointer) and exits with
status 2; ``check`` exits 1 when the output is stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .catalog_cli import catalog_app
from .errors import GeneratorError
from .output import compare, package_dir, write
from .render import render_package
from .schema import read_schema_set

app = typer.Typer(
    help="Generate typed msgspec bindings for OCPP from its JSON schemas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(catalog_app, name="catalog")

DEFAULT_SCHEMAS = Path("schemas/v201")
DEFAULT_OUT = Path("generated")
DEFAULT_PACKAGE = "ocppwire.v201"

SchemasOpt = Annotated[
    Path,
    typer.Option(
        "--schemas",
        help="Folder of <Action>Request.json / <Action>Response.json schema files plus actions.json "
        "(who sends each action).",
    ),
]
OutOpt = Annotated[
    Path,
    typer.Option("--out", help="Root folder the package is written under (the package path is appended)."),
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
    str,
    typer.Option("--package", help="Dotted name of the generated package, e.g. ocppwire.v201 or acme_ocpp."),
]


def _fail(exc: GeneratorError) -> typer.Exit:
    typer.echo(f"ocppgen: error: {exc}", err=True)
    return typer.Exit(2)


@app.command()
def generate(
    schemas: SchemasOpt = DEFAULT_SCHEMAS,
    out: OutOpt = DEFAULT_OUT,
    package: PackageOpt = DEFAULT_PACKAGE,
    extensions: ExtensionsOpt = None,
) -> None:
    """Read the schemas and (re)write the generated package; prints what it produced."""
    try:
        schema_set = read_schema_set(schemas, extensions=extensions)
        files = render_package(schema_set, package)
        folder = package_dir(out, package)
        diff = write(files, folder)
    except GeneratorError as exc:
        raise _fail(exc) from None
    messages = len(schema_set.messages)
    catalog = schema_set.catalog
    catalog_line = (
        f"  catalog:  {len(catalog.components)} components, {catalog.variable_count} component variables\n"
        if catalog is not None
        else ""
    )
    typer.echo(
        f"ocppgen {__version__}: OCPP {schema_set.ocpp_version} from {schemas}\n"
        f"  enums:    {len(schema_set.enums)}\n"
        f"  types:    {len(schema_set.types)}\n"
        f"  messages: {messages} ({len(schema_set.actions)} actions)\n"
        + (
            f"  extensions: {len(schema_set.extensions.custom_data)} customData, "
            f"{len(schema_set.extensions.data_transfer)} DataTransfer, {len(schema_set.extensions.patches)} patches\n"
            if schema_set.extensions is not None
            else ""
        )
        + catalog_line
        + f"  output:   {folder}\n"
        f"  changed:  {'no' if diff.clean else diff.summary()}"
    )


@app.command()
def check(
    schemas: SchemasOpt = DEFAULT_SCHEMAS,
    out: OutOpt = DEFAULT_OUT,
    package: PackageOpt = DEFAULT_PACKAGE,
    extensions: ExtensionsOpt = None,
    show_diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of each changed file.")] = False,
) -> None:
    """Exit 1 with a summary when the committed output differs from what the generator produces."""
    try:
        schema_set = read_schema_set(schemas, extensions=extensions)
        files = render_package(schema_set, package)
    except GeneratorError as exc:
        raise _fail(exc) from None
    folder = package_dir(out, package)
    diff = compare(files, folder)
    if diff.clean:
        typer.echo(f"{folder}: up to date ({len(files)} files)")
        return
    typer.echo(f"{folder}: stale: {diff.summary()}", err=True)
    if show_diff:
        for text in diff.unified.values():
            typer.echo(text, err=True)
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
