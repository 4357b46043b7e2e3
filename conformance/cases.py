"""The case stream: valid payloads, their one-fault mutants and a few probes, as exact JSON bytes.

Valid payloads come from two sources:

- :class:`~conformance.instances.InstanceGenerator` (fast; the bulk of every run), and
- ``hypothesis-jsonschema``'s ``from_schema`` (slow on the big schemas, so a few dozen per
  schema), an independent reading of the schemas that guards against the harness's own generator
  sharing a blind spot with the decoder.

Every valid payload, whatever its source, is then mutated and probed the same way.

Each schema draws from its own ``random.Random`` seeded with ``"<seed>:<schema name>"``, so a
schema's cases do not depend on which other schemas run, in what order or in how many processes,
and ``(seed, schema, budget)`` always reproduces the same bytes.
"""

from __future__ import annotations

import copy
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .instances import InstanceGenerator
from .mutations import CUSTOM_DATA_MUTATIONS, MUTATIONS, PROPERTY, Mutant
from .probes import PROBES, RAW_MARKER
from .schemas import MessageSchema
from .sites import collect, format_path, replaced

__all__ = ["Case", "PROBES_PER_INSTANCE", "cases_for", "hypothesis_instances", "render", "seed_for"]

PROBES_PER_INSTANCE = 3
"""Probes tried on each valid instance (every mutation is tried on every instance)."""


@dataclass(frozen=True, slots=True)
class Case:
    """One payload for both judges.

    ``kind`` is ``valid`` / ``valid:hypothesis``, a mutation name or ``probe:<name>``; ``intent`` is
    the CALLERROR code the schema violation implies (``None``: the payload is valid under the
    schema); ``probe`` names the probe for deviation lookup.
    """

    schema: str
    kind: str
    path: str
    intent: str | None
    data: bytes
    probe: str = ""


def render(instance: Any, rng: random.Random, raw: str | None = None) -> bytes:
    """The JSON text of ``instance``: ASCII-escaped or raw UTF-8, compact or spaced, at random;
    ``raw`` replaces the :data:`RAW_MARKER` string verbatim."""
    ensure_ascii = rng.random() < 0.3
    separators = (",", ":") if rng.random() < 0.5 else (", ", ": ")
    text = json.dumps(instance, ensure_ascii=ensure_ascii, separators=separators, allow_nan=False)
    if raw is not None:
        marker = json.dumps(RAW_MARKER, ensure_ascii=ensure_ascii)
        if text.count(marker) != 1:
            raise AssertionError("raw marker must occur exactly once")
        text = text.replace(marker, raw)
    return text.encode("utf-8")


def _case(schema: MessageSchema, mutant: Mutant, rng: random.Random) -> Case:
    data = render(mutant.instance, rng, mutant.raw)
    return Case(schema.name, mutant.kind, mutant.path, mutant.intent, data, mutant.probe)


def batch_for(
    schema: MessageSchema, instance: Any, generator: InstanceGenerator, rng: random.Random, valid_kind: str = "valid"
) -> list[Case]:
    """The cases built on one valid instance: itself, every applicable mutation (one random site
    each), one customData fault and :data:`PROBES_PER_INSTANCE` random probes."""
    sites = collect(schema, instance)
    cases = [Case(schema.name, valid_kind, "", None, render(instance, rng))]
    mutations = (*MUTATIONS, rng.choice(CUSTOM_DATA_MUTATIONS), *rng.sample(PROBES, PROBES_PER_INSTANCE))
    for mutation in mutations:
        mutant = mutation(sites, instance, generator, rng)
        if mutant is not None:
            cases.append(_case(schema, mutant, rng))
    return cases


def cases_for(schema: MessageSchema, seed: int, budget: int, hypothesis_examples: int = 0) -> Iterator[Case]:
    """``budget`` cases built on the harness's own instances, then the cases built on
    ``hypothesis_examples`` instances from hypothesis-jsonschema (all of their batches)."""
    rng = random.Random(seed_for(seed, schema))
    generator = InstanceGenerator(schema, rng)
    made = 0
    while made < budget:
        batch = batch_for(schema, generator.generate(), generator, rng)[: budget - made]
        yield from batch
        made += len(batch)
    if hypothesis_examples:
        for instance in hypothesis_instances(schema, seed, hypothesis_examples):
            off_grid = [s for s in collect(schema, instance) if s.present and _off_decimal_grid(s.node, s.value)]
            if off_grid:
                # hypothesis-jsonschema draws by jsonschema's float arithmetic, so a "valid" 1.6
                # decimal may be a binary product like 6.6000000000000005: that is deviation D8.
                # Report the instance as that probe, then build the batch with those values rounded to
                # integral floats (on both judges' grids: 6.6 itself fails jsonschema's division, D7).
                path = format_path(off_grid[0].path)
                yield Case(schema.name, "probe:float_multiple", path, PROPERTY, render(instance, rng), "float_multiple")
                for site in off_grid:
                    instance = replaced(instance, site.path, float(round(site.value)))
            yield from batch_for(schema, instance, generator, rng, "valid:hypothesis")


def _off_decimal_grid(node: dict[str, Any], value: Any) -> bool:
    """A number under ``multipleOf`` whose decimal text is no multiple of it (JSON Schema's definition)."""
    if "multipleOf" not in node or not isinstance(value, float) or not math.isfinite(value):
        return False
    return Decimal(repr(value)) % Decimal(repr(node["multipleOf"])) != 0


def seed_for(seed: int, schema: MessageSchema) -> str:
    """The seed string of one schema's stream: ``"<seed>:<name>"`` for 2.0.1 (the figures published
    before the other versions joined), ``"<seed>:<set>:<name>"`` for the others."""
    return f"{seed}:{schema.name}" if schema.version == "v201" else f"{seed}:{schema.version}:{schema.name}"


def hypothesis_instances(schema: MessageSchema, seed: int, examples: int) -> list[Any]:
    """Up to ``examples`` distinct payloads drawn by ``hypothesis_jsonschema.from_schema``.

    Deterministic: fixed seed, no example database, generation phase only (no shrinking, no
    replay). ``$id`` (draft-06) and ``id`` (draft-04) are dropped because hypothesis-jsonschema then refuses the local ``$ref``s
    ("does not fetch remote references"). The document is deep-copied: ``from_schema`` rewrites
    the schema it is given in place (``additionalProperties: false`` becomes ``not``/
    ``maxProperties`` constructs), which would corrupt the oracle's copy.
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis_jsonschema import from_schema

    document = copy.deepcopy({k: v for k, v in schema.document.items() if k not in ("$id", "id")})
    drawn: list[Any] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(from_schema(document))
    def draw(instance: Any) -> None:
        if instance not in drawn:
            drawn.append(instance)

    draw()
    return drawn
