"""Valid payloads for a schema, drawn with a seeded ``random.Random`` straight from the schema text.

Why not hypothesis-jsonschema: it builds a strategy per schema that is slow on the big OCPP
schemas (TransactionEvent, NotifyReport, SetChargingProfile) and its examples depend on the
hypothesis database and health checks; a direct generator is ~100x faster and a seed reproduces it
exactly. It aims at what a decoder can get wrong rather than at uniform sampling:

- optional properties: each instance is *minimal* (none), *dense* (all) or *mixed* (half);
- strings: empty, one character, random, or exactly ``maxLength``, over an alphabet with JSON
  escapes, control characters, combining marks, non-BMP characters (one code point, two UTF-16
  units) and U+2028/U+2029;
- integers and numbers: small values, range bounds, 32/64-bit extremes, beyond 64 bits, ``-0.0``,
  subnormals, exponents;
- arrays: ``minItems``, random, and exactly ``maxItems`` lengths;
- customData at any depth, with a ``vendorId`` of 0 to 255 characters and arbitrary extra
  properties (the schema leaves customData open);
- key order shuffled now and then.

Everything it yields must be valid under the schema; the runner counts any instance the oracle
rejects as a harness bug ("intent miss"), so a generator mistake cannot pass silently.
"""

from __future__ import annotations

import math
import random
from typing import Any

from .datetimes import valid_datetime
from .schemas import MessageSchema
from .uris import valid_uri

__all__ = ["InstanceGenerator", "STRING_ALPHABET", "any_json", "random_string"]

_ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.:/"
_SPECIAL = '"\\/\b\f\n\r\t\x00\x1f\x7f'
_BMP = "éßЖ中\u00a0\u0301\u2028\u2029\ufeff\uffef"
_ASTRAL = "\U0001f600\U0001d11e\U00010000\U0010fffd"
STRING_ALPHABET = _ASCII * 4 + _SPECIAL + _BMP + _ASTRAL
"""Characters strings are drawn from: mostly ASCII, with every kind of character a JSON string
decoder treats specially mixed in."""

_INT_EXTREMES = (
    0,
    -1,
    1,
    2**31 - 1,
    -(2**31),
    2**53 + 1,
    2**63 - 1,
    -(2**63),
    2**64 - 1,
    10**30,
    -(10**30),
)
_FLOAT_EXTREMES = (0.0, -0.0, 1e-7, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1e308, 0.1, 1e22)


def random_string(rng: random.Random, length: int, alphabet: str = STRING_ALPHABET) -> str:
    """``length`` code points from ``alphabet`` (``maxLength`` counts code points, as Python does)."""
    return "".join(rng.choices(alphabet, k=length))


def any_json(rng: random.Random, depth: int = 0) -> Any:
    """An arbitrary JSON value (for customData extras and the untyped ``data`` fields)."""
    roll = rng.randrange(8 if depth < 2 else 6)
    if roll == 0:
        return None
    if roll == 1:
        return rng.random() < 0.5
    if roll == 2:
        return rng.choice(_INT_EXTREMES) if rng.random() < 0.3 else rng.randint(-1000, 1000)
    if roll == 3:
        return rng.choice(_FLOAT_EXTREMES) if rng.random() < 0.3 else rng.uniform(-1e6, 1e6)
    if roll in (4, 5):
        return random_string(rng, rng.randint(0, 12))
    if roll == 6:
        return [any_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {random_string(rng, rng.randint(0, 8)): any_json(rng, depth + 1) for _ in range(rng.randint(0, 3))}


class InstanceGenerator:
    """Draws valid payloads for one schema from one ``random.Random``."""

    OPTIONAL_DENSITIES = (0.0, 0.5, 1.0)
    VALUE_BUDGET = 3_000
    """Values per instance after which arrays shrink to ``minItems``: OCPP 2.1 nests arrays with
    large ``maxItems`` (tariffs, DER curves, schedules) three and four deep, and filling each one
    to its bound would make instances of millions of values, which neither judge needs to see."""

    def __init__(self, schema: MessageSchema, rng: random.Random) -> None:
        self.schema = schema
        self.rng = rng
        self.density = 0.5
        self.values = 0

    def generate(self) -> dict[str, Any]:
        """One valid payload (a JSON object) for the whole message."""
        self.density = self.rng.choice(self.OPTIONAL_DENSITIES)
        self.values = 0
        value = self.value(self.schema.document)
        assert isinstance(value, dict)
        return value

    def value(self, node: dict[str, Any]) -> Any:
        """A valid value for the (possibly ``$ref``) schema ``node``."""
        node = self.schema.resolve(node)
        self.values += 1
        kind = node.get("type")
        if kind is None:
            return any_json(self.rng)
        if kind == "object":
            return self.object(node)
        if kind == "array":
            return self.array(node)
        if kind == "string":
            return self.string(node)
        if kind == "integer":
            return self.integer(node)
        if kind == "number":
            return self.number(node)
        if kind == "boolean":
            return self.rng.random() < 0.5
        raise ValueError(f"{self.schema.name}: unsupported type {kind!r}")

    def object(self, node: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        properties: dict[str, Any] = node.get("properties", {})
        required = set(node.get("required", ()))
        result: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or rng.random() < self.density:
                if name == "customData":
                    result[name] = self.custom_data()
                else:
                    result[name] = self.value(sub)
        if len(result) > 1 and rng.random() < 0.3:
            items = list(result.items())
            rng.shuffle(items)
            result = dict(items)
        return result

    def custom_data(self) -> dict[str, Any]:
        """An open customData object: a vendorId plus 0-3 arbitrary extra properties."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            vendor_id = "com." + random_string(rng, rng.randint(1, 20), _ASCII) + ".ext"
        elif roll < 0.8:
            vendor_id = random_string(rng, 255)
        else:
            vendor_id = random_string(rng, rng.randint(0, 3))
        result: dict[str, Any] = {"vendorId": vendor_id}
        for _ in range(rng.randint(0, 3)):
            result[random_string(rng, rng.randint(1, 10), _ASCII)] = any_json(rng)
        if rng.random() < 0.2:
            result["vendorId"] = result.pop("vendorId")  # vendorId last
        return result

    def array(self, node: dict[str, Any]) -> list[Any]:
        rng = self.rng
        low = node.get("minItems", 0)
        high = node.get("maxItems")
        roll = rng.random()
        if self.values > self.VALUE_BUDGET:
            length = low
        elif high is not None and roll < 0.1:
            length = high  # the bound itself (up to 1024 items), if the items are small enough
        elif roll < 0.4:
            length = low
        else:
            length = rng.randint(low, min(low + 4, high if high is not None else low + 4))
        items = []
        before = self.values
        for index in range(length):
            items.append(self.value(node["items"]))
            if index == 0 and length > 8 and (self.values - before) * length > self.VALUE_BUDGET:
                length = max(low, min(8, length))  # big items: keep the array near its minimum
            if len(items) >= length:
                break
        return items

    def string(self, node: dict[str, Any]) -> str:
        rng = self.rng
        if "enum" in node:
            return str(rng.choice(node["enum"]))
        if node.get("format") == "date-time":
            return valid_datetime(rng)
        if node.get("format") == "uri":
            return valid_uri(rng)
        limit = node.get("maxLength", 64)
        roll = rng.random()
        if roll < 0.1:
            length = 0
        elif roll < 0.35:
            length = limit
        elif roll < 0.45:
            length = 1
        else:
            length = rng.randint(0, min(limit, 40))
        alphabet = _ASTRAL if rng.random() < 0.05 else STRING_ALPHABET
        return random_string(rng, length, alphabet)

    def integer(self, node: dict[str, Any]) -> int:
        rng = self.rng
        low: float | None = node.get("minimum")
        high: float | None = node.get("maximum")
        if low is not None or high is not None:
            lo = math.ceil(low) if low is not None else math.floor(high or 0) - 10**6
            hi = math.floor(high) if high is not None else lo + rng.choice((10, 10**3, 2**31))
            return rng.choice((lo, hi, rng.randint(lo, hi)))
        roll = rng.random()
        if roll < 0.15:
            return rng.choice(_INT_EXTREMES)
        if roll < 0.6:
            return rng.randint(0, 1000)
        return rng.randint(-(2**31), 2**31 - 1)

    def number(self, node: dict[str, Any]) -> int | float:
        rng = self.rng
        if "multipleOf" in node:
            return self.multiple(node)
        low: float | None = node.get("minimum")
        high: float | None = node.get("maximum")
        if low is not None or high is not None:
            lo: float = low if low is not None else (high or 0.0) - 1e6
            hi: float = high if high is not None else lo + 1e6
            integral = math.ceil(lo)  # a JSON integer in range, when there is one
            return rng.choice((lo, hi, rng.uniform(lo, hi), integral if integral <= hi else lo))
        roll = rng.random()
        if roll < 0.15:
            return rng.choice(_FLOAT_EXTREMES)
        if roll < 0.35:
            return rng.randint(-1000, 1000)  # a JSON integer is a valid number
        if roll < 0.7:
            return round(rng.uniform(-1000, 1000), rng.randint(0, 3))
        return rng.uniform(-1e9, 1e9)

    def multiple(self, node: dict[str, Any]) -> int | float:
        """A multiple of ``multipleOf`` (OCPP 1.6: 0.1) that both judges accept: an integer, an
        integral float, or ``k / 10`` whose binary quotient by 0.1 is integral too (``32.5``, but not
        ``0.3``, which jsonschema's float division refuses - probe ``decimal_multiple``, D7)."""
        rng = self.rng
        step = node["multipleOf"]
        roll = rng.random()
        if roll < 0.3:
            return rng.choice((0, 1, 6, 16, 32, 63, 1000, 22080))
        if roll < 0.5:
            return float(rng.randint(0, 1000))
        while True:
            k = rng.randint(-10_000, 10_000)
            value = k * step if isinstance(step, int) else k / round(1 / step)
            quotient = value / step
            if quotient == int(quotient):
                return value
