"""msgspec ``dec_hook`` / ``enc_hook`` of the default customData registry.

Code that calls msgspec directly on generated types must pass these hooks (or use
:mod:`ocppwire.runtime.payload`); a codec with a registry of its own uses that registry's hook.
"""

from __future__ import annotations

from .customdata import DEFAULT_REGISTRY, enc_hook

__all__ = ["dec_hook", "enc_hook"]

dec_hook = DEFAULT_REGISTRY.dec_hook
"""Builds customData values through :data:`~ocppwire.runtime.customdata.DEFAULT_REGISTRY`."""
