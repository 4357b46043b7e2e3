"""ocppgen: generate typed msgspec bindings and role stubs from OCPP JSON schemas."""

__version__ = "0.1.0"
