"""The header of every benchmark table: which machine and which library versions produced it."""

from __future__ import annotations

import os
import platform
from importlib import metadata

__all__ = ["describe", "header_lines"]

_PACKAGES = ("ocppwire", "msgspec", "websockets", "ocpp", "orjson", "jsonschema")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> dict[str, str]:
    """Machine, interpreter and package versions as a flat mapping (also written to JSON results)."""
    facts = {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count() or "?"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{platform.system()} {platform.release()}",
    }
    facts.update({name: _version(name) for name in _PACKAGES})
    return facts


def header_lines() -> list[str]:
    """Two lines for the top of a report: machine, then versions."""
    facts = describe()
    machine = f"machine: {facts['cpu']}, {facts['cores']} cores, {facts['python']}, {facts['os']}"
    versions = "versions: " + ", ".join(f"{name} {facts[name]}" for name in _PACKAGES)
    return [machine, versions]
