"""Durable station state on SQLite: the one database a Charging Station keeps what it must not lose in.

:class:`StationStore` (:mod:`.sqlite`) opens the file the application names (or an in-memory
database for tests) and is shared by the outbox (:mod:`ocppwire.outbox`) and the persisted device
model (:mod:`ocppwire.devicemodel.persistence`). Standard library only.
"""

from .sqlite import SCHEMA_VERSION, StationStore, StoreError

__all__ = ["SCHEMA_VERSION", "StationStore", "StoreError"]
