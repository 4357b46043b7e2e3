"""Write ``schemas/v21/catalog/*.json`` from the OCA's CSV export of the OCPP 2.1 appendices (a maintenance tool).

The input is the folder ``Appendices_CSV_v2.1`` of the OCA's OCPP 2.1 document set (see
``schemas/v21/catalog/README.md`` for where it was found and its checksums). Nothing at build,
generation or test time runs this script or needs that folder; the raw CSV files are not kept in the
repository. Facts only are taken (names, data types, units, required-ness, criticality, usage),
never description text, and every normalisation of the export's spelling is one named rule below
that the README lists under "Decisions".

Usage: python tools/catalog21_from_csv.py APPENDICES_CSV_DIR [OUT_DIR]
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from typing import Any

from catalog_from_reference import dump  # same one-entry-per-line layout as the 2.0.1 files

OUT = Path("schemas/v21/catalog")
ACTIONS = Path("schemas/v21/actions.json")
GENERIC = "<generic>"

# ---- decisions (README.md "Decisions" explains each) -------------------------------------------------
COMPONENT_SPELLING = {"TxCtlrl": "TxCtrlr"}  # one row of the export misspells the controller
DATA_TYPE_SPELLING = {
    "DateTime": "dateTime",  # DataEnumType's spelling
    "passwordString": "string",  # not DataEnumType values: a station could not report them
    "identifierString": "string",
}
UNIT_SPELLING = {"%": "Percent", "Var": "var"}  # the symbols of the export's own units_of_measure.csv
# An instance the export writes as a range of numbers: a placeholder, like 2.0.1's Fuse[<n>].
INSTANCE_SPELLING = {"1, 2 .. 20": "<n>"}
# A row whose unit contradicts its own variable: DCCurrent is a current (its Min/MaxSet row and the generic
# DCCurrent say A); the export gives V for the Target row.
ROW_UNITS = {("ConnectedEV", "DCCurrent(Target)"): ["A"]}
REQUIRED = {"yes": True, "no": False}  # "V2X" (required when V2X is supported) and "" state no plain answer
# Reason-code usage column: the non-action phrases mapped to actions.
REPORT_REQUESTS = ["GetBaseReport", "GetReport", "GetMonitoringReport"]
# Units of measure: what each measures, in this project's own words.
QUANTITY = {
    "A": "current",
    "ASU": "signal strength (arbitrary units)",
    "B": "data size",
    "Celsius": "temperature",
    "dB": "signal level ratio",
    "dBm": "power relative to 1 mW",
    "Deg": "angle",
    "Fahrenheit": "temperature",
    "Hz": "frequency",
    "mHz": "frequency",
    "K": "temperature",
    "lx": "illuminance",
    "m": "length",
    "ms2": "acceleration",
    "N": "force",
    "Ohm": "impedance",
    "kPa": "pressure",
    "Percent": "ratio",
    "RH": "relative humidity",
    "RPM": "rotational speed",
    "s": "time",
    "V": "voltage",
    "VA": "apparent power",
    "kVA": "apparent power",
    "VAh": "apparent energy",
    "kVAh": "apparent energy",
    "var": "reactive power",
    "kvar": "reactive power",
    "varh": "reactive energy",
    "kvarh": "reactive energy",
    "W": "active power",
    "kW": "active power",
    "Wh": "active energy",
    "kWh": "active energy",
}
ATTRIBUTE_NOTATION = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_]*)\((?P<attributes>[A-Za-z/]+)\)$")


def read_csv(path: Path) -> list[list[str]]:
    """Rows of one export file without its header, cells stripped, blank rows dropped."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [[cell.strip() for cell in row] for row in csv.reader(fh, delimiter=";")]
    return [row for row in rows[1:] if any(row)]


def units_of(text: str) -> list[str]:
    return [UNIT_SPELLING.get(u.strip(), u.strip()) for u in text.split(",") if u.strip()]


def variable_name(text: str) -> str:
    """``ACCurrent(Min/MaxSet)`` -> ``ACCurrent``: the export notes the attributes used in the name cell."""
    match = ATTRIBUTE_NOTATION.match(text)
    return match["name"] if match else text


def kind_of(component: str) -> str:
    """Controller components are the logical ``...Ctrlr`` ones (as in 2.0.1's Appendix 3.1); the rest are physical."""
    return "controller" if component.endswith("Ctrlr") else "physical"


def name_types(variables_csv: list[list[str]]) -> dict[str, str]:
    """variables.csv: the type of each variable name listed once (used where a component row leaves it empty)."""
    seen: dict[str, set[str]] = {}
    for row in variables_csv:
        seen.setdefault(row[0], set()).add(DATA_TYPE_SPELLING.get(row[1], row[1]))
    return {name: types.pop() for name, types in seen.items() if len(types) == 1}


def variable_entry(row: list[str], fallback_types: dict[str, str]) -> dict[str, Any]:
    component, var, instance, required, data_type, unit = row[:6]
    name = variable_name(var)
    data_type = DATA_TYPE_SPELLING.get(data_type, data_type) or fallback_types.get(name, "")
    if not data_type:
        raise SystemExit(f"no data type for {component}.{var}")
    entry: dict[str, Any] = {"name": name}
    if instance:
        entry["instance"] = INSTANCE_SPELLING.get(instance, instance)
    entry["dataType"] = data_type
    units = ROW_UNITS.get((component, var), units_of(unit))
    if units:
        entry["units"] = units
    if required.lower() in REQUIRED:
        entry["required"] = REQUIRED[required.lower()]
    return entry


def merge(first: dict[str, Any], second: dict[str, Any], label: str) -> dict[str, Any]:
    """One variable listed once per attribute (``EnergyImport(MinSet)``, ``(MaxSet)``): one entry."""
    if first["dataType"] != second["dataType"] or first.get("units") != second.get("units"):
        raise SystemExit(f"{label}: rows disagree on type or units")
    merged = dict(first)
    if "required" in first or "required" in second:
        merged["required"] = bool(first.get("required")) or bool(second.get("required"))
    return merged


def components(dm_rows: list[list[str]], fallback_types: dict[str, str]) -> dict[str, Any]:
    by_name: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for row in dm_rows:
        component = COMPONENT_SPELLING.get(row[0], row[0])
        if component == GENERIC:
            continue
        entry = variable_entry(row, fallback_types)
        key = (entry["name"].lower(), entry.get("instance", "").lower())
        variables = by_name.setdefault(component, {})
        label = f"{component}.{entry['name']}"
        variables[key] = merge(variables[key], entry, label) if key in variables else entry
    return {
        "components": [
            {"name": name, "kind": kind_of(name), "variables": list(variables.values())}
            for name, variables in by_name.items()
        ]
    }


def generic_variables(dm_rows: list[list[str]], fallback_types: dict[str, str]) -> dict[str, Any]:
    out = []
    for row in dm_rows:
        if row[0] != GENERIC:
            continue
        entry = variable_entry(row, fallback_types)
        generic: dict[str, Any] = {"name": entry["name"], "dataType": entry["dataType"]}
        if "units" in entry:
            generic["units"] = entry["units"]
        out.append(generic)
    return {"variables": sorted(out, key=lambda e: e["name"].lower())}


def usage_actions(usage: str, actions: set[str]) -> tuple[list[str], bool, list[str]]:
    """(actions named, whether "(generic)" is named, phrases that name no 2.1 action)."""
    used: list[str] = []
    dropped: list[str] = []
    usage = usage.replace(" and requests for reports", ", requests for reports")
    for part in usage.rstrip(".").split(","):
        part = part.strip()
        if not part or part == "(generic)":
            continue
        if part == "requests for reports":
            candidates = REPORT_REQUESTS
        else:
            word = part.split()[0]  # "SetChargingProfile with ISO15118", "SetVariablesRequest of SecurityProfile"
            candidates = [word.removesuffix("Request") if word.endswith("Request") else word]
        for action in candidates:
            if action in actions:
                if action not in used:
                    used.append(action)
            else:
                dropped.append(part)
    return used, "(generic)" in usage, dropped


def reason_codes(rows: list[list[str]], actions: set[str]) -> dict[str, Any]:
    out = []
    for row in rows:
        name, usage = row[1], row[3] if len(row) > 3 else ""
        if not name:  # a group heading row ("Charging Profiles;;;")
            continue
        used, generic, dropped = usage_actions(usage, actions)
        for phrase in dropped:
            print(f"reason code {name}: usage {phrase!r} names no OCPP 2.1 action; left out", file=sys.stderr)
        entry: dict[str, Any] = {"name": name}
        if used:
            entry["usedWith"] = used
        if generic:
            entry["generic"] = True
        out.append(entry)
    return {"reasonCodes": out}


def security_events(rows: list[list[str]]) -> dict[str, Any]:
    return {"securityEvents": [{"name": r[0], "critical": r[-1].lower() == "yes"} for r in rows]}


def units(rows: list[list[str]]) -> dict[str, Any]:
    return {"units": [{"symbol": r[0], "quantity": QUANTITY[r[0]]} for r in rows]}


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit(__doc__)
    src = Path(argv[1])
    out = Path(argv[2]) if len(argv) > 2 else OUT
    actions = set(json.loads(ACTIONS.read_text(encoding="utf-8"))["actions"])
    dm_rows = read_csv(src / "dm_components_vars.csv")
    fallback = name_types(read_csv(src / "variables.csv"))
    files = {
        "components.json": components(dm_rows, fallback),
        "variables.json": generic_variables(dm_rows, fallback),
        "security_events.json": security_events(read_csv(src / "security_events.csv")),
        "reason_codes.json": reason_codes(read_csv(src / "reason_codes.csv"), actions),
        "units.json": units(read_csv(src / "units_of_measure.csv")),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, doc in files.items():
        (out / name).write_text(dump(doc), encoding="utf-8", newline="\n")
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main(sys.argv)
