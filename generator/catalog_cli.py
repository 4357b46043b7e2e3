"""``ocppgen catalog ...``: look things up in the device-model catalogues from the terminal.

``components``, ``variables``, ``events``, ``reasons`` and ``units`` each print one plain-text
table read from ``<schemas>/catalog/`` (validated the same way generation validates it) or, without
``--schemas``, from the installed ``ocppwire.v201.catalog`` (``--ocpp 2.1``: ``ocppwire.v21.catalog``);
``--search`` keeps the rows where any cell contains the text, case-insensitively.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from .catalog import Catalog, CatalogVariable, read_catalog
from .errors import GeneratorError
from .installed_catalog import DEFAULT_VERSION, catalog_from_package, catalog_module

catalog_app = typer.Typer(
    help="Print the device-model catalogues (components, variables, security events, reason codes, units).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

SchemasOpt = Annotated[
    Path | None,
    typer.Option(
        "--schemas",
        help="Schema folder whose catalog/ subfolder holds the catalogue files (e.g. schemas/v201 in the "
        "repository). Default: the catalogue of the installed package of --ocpp (works from any folder).",
    ),
]
OcppOpt = Annotated[
    str,
    typer.Option(
        "--ocpp",
        help="OCPP version whose installed catalogue to print when --schemas is not given: 2.0.1 "
        "(ocppwire.v201.catalog) or 2.1 (ocppwire.v21.catalog).",
    ),
]
SearchOpt = Annotated[
    str | None, typer.Option("--search", "-s", help="Keep rows where any column contains TEXT (case-insensitive).")
]
MAX_CELL = 60


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces, a dashed rule under the headers; long cells cut."""
    cells = [[c if len(c) <= MAX_CELL else c[: MAX_CELL - 1] + "…" for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def _filter(rows: list[list[str]], search: str | None) -> list[list[str]]:
    if not search:
        return rows
    needle = search.lower()
    return [r for r in rows if any(needle in cell.lower() for cell in r)]


def _load(schemas: Path | None, ocpp: str) -> Catalog:
    try:
        return catalog_from_package(catalog_module(ocpp)) if schemas is None else read_catalog(schemas)
    except GeneratorError as exc:
        typer.echo(f"ocppgen: error: {exc}", err=True)
        raise typer.Exit(2) from None


def _print(headers: Sequence[str], rows: list[list[str]], search: str | None, what: str) -> None:
    shown = _filter(rows, search)
    if shown:
        typer.echo(format_table(headers, shown))
    suffix = f" matching {search!r}" if search else ""
    typer.echo(f"{len(shown)} of {len(rows)} {what}{suffix}")


def _limits(v: CatalogVariable) -> str:
    if v.min_limit is None and v.max_limit is None:
        return ""
    lo = "" if v.min_limit is None else f"{v.min_limit:g}"
    hi = "" if v.max_limit is None else f"{v.max_limit:g}"
    return f"{lo}..{hi}"


def _flag(value: bool | None, yes: str, no: str) -> str:
    return "" if value is None else (yes if value else no)


@catalog_app.command()
def components(schemas: SchemasOpt = None, search: SearchOpt = None, ocpp: OcppOpt = DEFAULT_VERSION) -> None:
    """Standardized components: name, kind and how many variables the catalogue lists."""
    catalog = _load(schemas, ocpp)
    rows = [[c.name, c.kind, str(len(c.variables))] for c in catalog.components]
    _print(["Component", "Kind", "Variables"], rows, search, "components")


@catalog_app.command()
def variables(
    schemas: SchemasOpt = None,
    search: SearchOpt = None,
    ocpp: OcppOpt = DEFAULT_VERSION,
    generic: Annotated[
        bool, typer.Option("--generic", help="List the generic variable names (usable on any component) instead.")
    ] = False,
) -> None:
    """Component variables with data type, unit, mutability, required-ness, limits and values."""
    catalog = _load(schemas, ocpp)
    if generic:
        rows = [[g.name, g.data_type, ",".join(g.units)] for g in catalog.generic_variables]
        _print(["Variable", "Type", "Unit"], rows, search, "generic variables")
        return
    rows = [
        [
            c.name,
            v.name,
            v.instance or "",
            v.data_type,
            ",".join(v.units),
            v.mutability or "",
            _flag(v.required, "yes", "no"),
            _limits(v),
            ",".join(v.values_list or v.known_values),
        ]
        for c in catalog.components
        for v in c.variables
    ]
    headers = ["Component", "Variable", "Instance", "Type", "Unit", "Mutability", "Required", "Limits", "Values"]
    _print(headers, rows, search, "component variables")


@catalog_app.command()
def events(schemas: SchemasOpt = None, search: SearchOpt = None, ocpp: OcppOpt = DEFAULT_VERSION) -> None:
    """Security events and whether each is critical."""
    catalog = _load(schemas, ocpp)
    rows = [[ev.name, "critical" if ev.critical else ""] for ev in catalog.security_events]
    _print(["Security event", "Critical"], rows, search, "security events")


@catalog_app.command()
def reasons(schemas: SchemasOpt = None, search: SearchOpt = None, ocpp: OcppOpt = DEFAULT_VERSION) -> None:
    """Reason codes for StatusInfo.reasonCode and the actions they are typically used with."""
    catalog = _load(schemas, ocpp)
    rows = [[r.name, ", ".join((["(generic)"] if r.generic else []) + list(r.used_with))] for r in catalog.reason_codes]
    _print(["Reason code", "Used with"], rows, search, "reason codes")


@catalog_app.command()
def units(schemas: SchemasOpt = None, search: SearchOpt = None, ocpp: OcppOpt = DEFAULT_VERSION) -> None:
    """Standardized units of measure and what they measure."""
    catalog = _load(schemas, ocpp)
    rows = [[u.symbol, u.quantity] for u in catalog.units]
    _print(["Unit", "Quantity"], rows, search, "units")
