"""The device-model catalogue read back from an installed ``ocppwire`` version package.

``ocppgen catalog`` prints the catalogue tables. In a clone of the repository it can read the
source files (``--schemas schemas/v21``); anywhere else the generated module
``ocppwire.v<version>.catalog`` (``ocppwire.v201.catalog``, ``ocppwire.v21.catalog``) holds the same
data, so without ``--schemas`` the tables come from there and the command works from any folder of
any machine where ocppwire is installed. OCPP 1.6 has no device model, hence no catalogue module.
"""

from __future__ import annotations

import importlib
from typing import Any

from .catalog import (
    Catalog,
    CatalogComponent,
    CatalogVariable,
    GenericVariable,
    ReasonCodeDef,
    SecurityEventDef,
    UnitDef,
)
from .errors import GeneratorError

__all__ = ["DEFAULT_MODULE", "DEFAULT_VERSION", "catalog_from_package", "catalog_module"]

DEFAULT_VERSION = "2.0.1"
DEFAULT_MODULE = "ocppwire.v201.catalog"


def catalog_module(ocpp_version: str) -> str:
    """``2.1`` -> ``ocppwire.v21.catalog``: where the generated catalogue of an OCPP version lives."""
    digits = ocpp_version.replace(".", "")
    if not digits.isdigit():
        raise GeneratorError(f"not an OCPP version: {ocpp_version!r} (expected e.g. 2.0.1 or 2.1)")
    return f"ocppwire.v{digits}.catalog"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _variable(spec: Any) -> CatalogVariable:
    return CatalogVariable(
        name=spec.variable,
        data_type=str(spec.data_type),
        instance=spec.instance,
        units=tuple(spec.units),
        mutability=_text(spec.mutability),
        required=spec.required,
        min_limit=spec.min_limit,
        max_limit=spec.max_limit,
        values_list=tuple(spec.values_list),
        known_values=tuple(spec.known_values),
    )


def catalog_from_package(module_name: str = DEFAULT_MODULE) -> Catalog:
    """The :class:`~ocppgen.catalog.Catalog` a generated catalogue module holds."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        package = module_name.rpartition(".")[0]
        try:
            importlib.import_module(package)
        except ImportError:
            pass
        else:
            raise GeneratorError(
                f"{package} has no device-model catalogue ({module_name} does not exist); "
                "catalogues exist for OCPP 2.0.1 and 2.1"
            ) from None
        raise GeneratorError(
            f"{module_name} is not installed: install ocppwire, or pass --schemas DIR (a schema folder with catalog/)"
        ) from None
    usage = module.REASON_CODE_USAGE
    return Catalog(
        components=tuple(
            CatalogComponent(c.name, str(c.kind), tuple(_variable(v) for v in c.variables)) for c in module.COMPONENTS
        ),
        generic_variables=tuple(
            GenericVariable(g.name, str(g.data_type), tuple(g.units)) for g in module.GENERIC_VARIABLES
        ),
        security_events=tuple(SecurityEventDef(str(e.value), bool(e.critical)) for e in module.SecurityEvent),
        reason_codes=tuple(
            ReasonCodeDef(str(r.value), tuple(usage.get(r, ())), r in module.GENERIC_REASON_CODES)
            for r in module.ReasonCode
        ),
        units=tuple(UnitDef(str(u.value), str(module.UNIT_QUANTITIES[u])) for u in module.UnitOfMeasure),
    )
