"""What holds for every version's catalogue: the generated module and the source files agree, every
data type, unit and reason-code action is one the version defines, and names fit OCPP's limits."""

from __future__ import annotations

import importlib
import json
from types import ModuleType

import pytest

from ocppgen.catalog import read_catalog
from ocppgen.installed_catalog import catalog_from_package, catalog_module

from ..conftest import ROOT

VERSIONS = [("2.0.1", "v201"), ("2.1", "v21")]


def modules(folder: str) -> tuple[ModuleType, ModuleType]:
    return importlib.import_module(f"ocppwire.{folder}.catalog"), importlib.import_module(f"ocppwire.{folder}.enums")


@pytest.mark.parametrize(("version", "folder"), VERSIONS)
def test_installed_module_holds_the_source_files(version: str, folder: str) -> None:
    assert catalog_module(version) == f"ocppwire.{folder}.catalog"
    assert catalog_from_package(catalog_module(version)) == read_catalog(ROOT / "schemas" / folder)


@pytest.mark.parametrize(("version", "folder"), VERSIONS)
def test_types_units_and_names_are_the_versions_own(version: str, folder: str) -> None:
    catalog, enums = modules(folder)
    assert {s.data_type.value for s in catalog.CATALOG} <= {d.value for d in enums.DataEnumType}
    units = {u.value for u in catalog.UnitOfMeasure}
    assert {u for s in catalog.CATALOG for u in s.units} <= units
    assert {u for g in catalog.GENERIC_VARIABLES for u in g.units} <= units
    # StatusInfo.reasonCode has maxLength 20; component and variable names 50 (ComponentType/VariableType).
    assert max(len(r.value) for r in catalog.ReasonCode) <= 20
    assert max(len(s.component) for s in catalog.CATALOG) <= 50
    assert max(len(s.variable) for s in catalog.CATALOG) <= 50


@pytest.mark.parametrize(("version", "folder"), VERSIONS)
def test_reason_code_usage_names_actions_of_the_version(version: str, folder: str) -> None:
    catalog, _ = modules(folder)
    actions = set(json.loads((ROOT / "schemas" / folder / "actions.json").read_text(encoding="utf-8"))["actions"])
    used = {action for usage in catalog.REASON_CODE_USAGE.values() for action in usage}
    assert used and used <= actions


@pytest.mark.parametrize(("version", "folder"), VERSIONS)
def test_components_are_controllers_or_physical_and_lookups_fold_case(version: str, folder: str) -> None:
    catalog, _ = modules(folder)
    assert len(catalog.COMPONENTS) == len(catalog.ControllerComponent) + len(catalog.PhysicalComponent)
    assert all(str(c).endswith("Ctrlr") for c in catalog.ControllerComponent)
    spec = catalog.OCPPCommCtrlr.HeartbeatInterval
    assert catalog.CATALOG.lookup("ocppcommctrlr", "HEARTBEATINTERVAL") is spec
    assert spec.unit == "s" and spec.data_type.value == "integer"
    assert catalog.CustomizationCtrlr.CustomImplementationEnabled.instance_is_placeholder
    found = catalog.CATALOG.lookup("CustomizationCtrlr", "CustomImplementationEnabled", "org.acme")
    assert found is not None and found.instance == "org.acme"
