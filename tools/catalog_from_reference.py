"""Write ``schemas/v201/catalog/*.json`` from the shared reference facts (a one-off maintenance tool).

The project owns its catalogue files; this script is how they were first produced and how they can be
re-derived if the reference facts are corrected. It copies facts only (names, types, units,
mutability, required-ness, limits, value lists, criticality) — never description text — and applies
the project's decisions on the source disagreements (see ``schemas/v201/catalog/README.md``), each
one spelled out below so a reviewer can compare code and README.

Nothing at build, generation or test time runs this script or reads ``../shared``.

Usage: python tools/catalog_from_reference.py [REFERENCE_DIR] [OUT_DIR]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

REFERENCE = Path("../shared/reference")
OUT = Path("schemas/v201/catalog")

# ---- decisions on DISAGREEMENTS.md (one line each; README.md explains them) -------------------------
DATA_TYPE = {
    # Conflicts between sources.
    ("OCPPCommCtrlr", "ActiveNetworkProfile"): "integer",  # the value is a configuration slot number
    ("SecurityCtrlr", "BasicAuthPassword"): "string",  # passwordString is not a DataEnumType value
    ("SecurityCtrlr", "Identity"): "string",  # identifierString is not a DataEnumType value
    # Types no source states.
    ("CPPWMController", "Percentage"): "decimal",
    ("DistributionPanel", "InstanceName"): "string",
    ("ElectricalFeed", "PowerType"): "string",
    ("FiscalMetering", "OptionsSet"): "MemberList",
    ("LocalController", "Identity"): "string",
    ("LocalEnergyStorage", "Identity"): "string",
}
UNITS = {
    ("ConnectedEV", "Power"): ["W", "kW"],  # same as the generic Power variable
    ("CPPWMController", "Percentage"): ["Percent"],
}
VALUES_LIST = {
    # OCPP's own EnergyTransferModeEnumType rather than ISO 15118-2's names.
    ("ISO15118Ctrlr", "RequestedEnergyTransferMode"): ["DC", "AC_single_phase", "AC_two_phase", "AC_three_phase"],
}
# string variables whose appendix text names the usual values of an open set: kept as knownValues.
OPEN_SET = {("ChargingStation", "ChargeProtocol"), ("Connector", "ChargeProtocol"), ("EVSE", "ChargeProtocol"),
            ("Connector", "ConnectorType")}
GENERIC_DATA_TYPE = {"ChargeProtocol": "string"}

# Reason-code usage column: the non-action phrases mapped to actions.
REPORT_REQUESTS = ["GetBaseReport", "GetReport", "GetMonitoringReport"]

# Units of measure: what each measures, in this project's own words.
QUANTITY = {
    "A": "current", "ASU": "signal strength (arbitrary units)", "B": "data size", "Celsius": "temperature",
    "dB": "signal level ratio", "dBm": "power relative to 1 mW", "Deg": "angle", "Fahrenheit": "temperature",
    "Hz": "frequency", "K": "temperature", "lx": "illuminance", "m": "length", "ms2": "acceleration",
    "N": "force", "Ohm": "impedance", "kPa": "pressure", "Percent": "ratio", "RH": "relative humidity",
    "RPM": "rotational speed", "s": "time", "V": "voltage", "VA": "apparent power", "kVA": "apparent power",
    "VAh": "apparent energy", "kVAh": "apparent energy", "var": "reactive power", "kvar": "reactive power",
    "varh": "reactive energy", "kvarh": "reactive energy", "W": "active power", "kW": "active power",
    "Wh": "active energy", "kWh": "active energy",
}


def _units(text: str | None) -> list[str]:
    return [u.strip() for u in text.split(",")] if text else []


def components(facts: list[dict[str, Any]]) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    for row in facts:
        comp = by_name.get(row["component"])
        if comp is None:
            comp = by_name[row["component"]] = {"name": row["component"], "kind": row["component_kind"], "variables": []}
            out.append(comp)
        key = (row["component"], row["variable"])
        entry: dict[str, Any] = {"name": row["variable"]}
        if row["instance"] is not None:
            entry["instance"] = row["instance"]
        entry["dataType"] = DATA_TYPE.get(key, row["data_type"])
        units = UNITS.get(key, _units(row["unit"]))
        if units:
            entry["units"] = units
        if row["mutability"] is not None:
            entry["mutability"] = row["mutability"]
        if row["required"] is not None:
            entry["required"] = row["required"]
        if row["min"] is not None:
            entry["minLimit"] = row["min"]
        if row["max"] is not None:
            entry["maxLimit"] = row["max"]
        values = VALUES_LIST.get(key, row["values_list"])
        if values:
            entry["knownValues" if key in OPEN_SET else "valuesList"] = values
        if entry["dataType"] is None:
            raise SystemExit(f"no data type decided for {key}")
        comp["variables"].append(entry)
    return {"components": out}


def generic_variables(facts: list[dict[str, Any]]) -> dict[str, Any]:
    out = []
    for row in facts:
        entry: dict[str, Any] = {"name": row["name"], "dataType": GENERIC_DATA_TYPE.get(row["name"], row["data_type"])}
        if row["unit"]:
            entry["units"] = _units(row["unit"])
        out.append(entry)
    return {"variables": sorted(out, key=lambda e: e["name"].lower())}


def reason_codes(csv_path: Path) -> dict[str, Any]:
    out = []
    with csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    for row in rows[1:]:
        name, usage = row[0].strip(), row[-1].strip()
        used: list[str] = []
        for part in usage.replace(" and ", ", ").rstrip(".").split(","):
            part = part.strip()
            if part == "requests for reports":
                used += REPORT_REQUESTS
            elif part and part != "(generic)":
                used.append(part.split()[0])  # "SetChargingProfile with ISO15118" -> the action
        entry: dict[str, Any] = {"name": name}
        if used:
            entry["usedWith"] = used
        if "(generic)" in usage:
            entry["generic"] = True
        out.append(entry)
    return {"reasonCodes": out}


def security_events(facts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"securityEvents": [{"name": e["name"], "critical": e["critical"]} for e in facts]}


def units(csv_path: Path) -> dict[str, Any]:
    with csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    return {"units": [{"symbol": r[0].strip(), "quantity": QUANTITY[r[0].strip()]} for r in rows[1:]]}


def dump(doc: dict[str, Any]) -> str:
    """JSON with one catalogue entry per line: readable, and a change shows as a one-line diff."""

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    parts = ["{"]
    keys = list(doc)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        items = doc[key]
        parts.append(f'  "{key}": [')
        for j, item in enumerate(items):
            item_comma = "," if j < len(items) - 1 else ""
            if "variables" in item:
                head = {k: v for k, v in item.items() if k != "variables"}
                parts.append("    " + line(head)[:-1] + ', "variables": [')
                for k, var in enumerate(item["variables"]):
                    var_comma = "," if k < len(item["variables"]) - 1 else ""
                    parts.append("      " + line(var) + var_comma)
                parts.append("    ]}" + item_comma)
            else:
                parts.append("    " + line(item) + item_comma)
        parts.append("  ]" + comma)
    parts.append("}")
    text = "\n".join(parts) + "\n"
    assert json.loads(text) == doc
    return text


def main(argv: list[str]) -> None:
    ref = Path(argv[1]) if len(argv) > 1 else REFERENCE
    out = Path(argv[2]) if len(argv) > 2 else OUT
    facts = ref / "ocpp-2.0.1-catalog-facts"
    raw = ref / "ocpp-2.0.1-appendix-csv"
    load = lambda name: json.loads((facts / name).read_text(encoding="utf-8"))  # noqa: E731
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "components.json": components(load("components.json")),
        "variables.json": generic_variables(load("variables.json")),
        "security_events.json": security_events(load("security_events.json")),
        "reason_codes.json": reason_codes(raw / "reason_codes.csv"),
        "units.json": units(raw / "units_of_measure.csv"),
    }
    for name, doc in files.items():
        (out / name).write_text(dump(doc), encoding="utf-8", newline="\n")
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main(sys.argv)
