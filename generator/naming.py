"""Wire names to Python names: snake_case fields, UPPER_CASE enum members, safe identifiers.

OCPP wire names are camelCase with a few acronym-shaped exceptions (``responderURL``, ``fullSoC``,
``evseId``). Python names are derived here and nowhere else, so the mapping is one rule that tests
can check for every field: wire names themselves are never derived back from Python names, the
generated code carries each wire name verbatim.
"""

from __future__ import annotations

import keyword
import re

# Tokens that the plain camel-case split would cut in an unhelpful place.
_TOKEN_OVERRIDES: dict[str, str] = {
    "SoC": "Soc",
    "V2G": "V2g",
    "IKEv2": "Ikev2",
    "KWh": "Kwh",
}

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IDENT = re.compile(r"[^0-9A-Za-z]+")

# Names a msgspec Struct field must not take, besides Python keywords.
_RESERVED_FIELDS = frozenset({"self", "cls"})


def split_words(name: str) -> list[str]:
    """Split a camelCase, PascalCase, dotted or dashed name into its words."""
    for token, replacement in _TOKEN_OVERRIDES.items():
        name = name.replace(token, replacement)
    words: list[str] = []
    for chunk in _NOT_IDENT.split(name):
        if chunk:
            words.extend(w for w in _CAMEL_BOUNDARY.split(chunk) if w)
    return words


def snake_case(wire_name: str) -> str:
    """``vendorName`` → ``vendor_name``, ``responderURL`` → ``responder_url``."""
    name = "_".join(w.lower() for w in split_words(wire_name))
    return safe_identifier(name)


def enum_member(value: str) -> str:
    """``Accepted`` → ``ACCEPTED``, ``Energy.Active.Import.Register`` → ``ENERGY_ACTIVE_IMPORT_REGISTER``."""
    name = "_".join(w.upper() for w in split_words(value))
    return safe_identifier(name or "EMPTY")


def method_name(action: str) -> str:
    """``BootNotification`` → ``boot_notification``; ``Get15118EVCertificate`` → ``get_15118_ev_certificate``."""
    spaced = re.sub(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])", "_", action)
    return snake_case(spaced)


def safe_identifier(name: str) -> str:
    """Make ``name`` a valid, non-reserved Python identifier by prefixing or suffixing ``_``."""
    if not name or name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name) or name in _RESERVED_FIELDS:
        name += "_"
    return name
