"""One SQLite database per Charging Station, opened so that a crash or power cut never corrupts it.

Why SQLite: it is in the standard library, needs no server, and its transactions are atomic and
durable on a power cut when the journal is synced — exactly what a station's flash storage needs.
The file is opened in WAL mode with ``synchronous=FULL`` (every commit is fsynced before it returns),
so a message the outbox reported as stored is on disk, and a write interrupted half-way is rolled
back on the next open. Every multi-row change goes through :meth:`StationStore.transaction`.

The tables belong to their users (outbox rows, sequence numbers, device-model values, monitors);
they are all created here so that one schema version describes the whole file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ocppwire.runtime.errors import OcppwireError

__all__ = ["SCHEMA_VERSION", "StationStore", "StoreError"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,   -- creation order = delivery order
    action TEXT NOT NULL,
    payload BLOB NOT NULL,                  -- the encoded request, exactly as it will be sent
    transaction_id TEXT,
    created REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0     -- CALLERROR answers received so far
);
CREATE TABLE IF NOT EXISTS transaction_seq (
    transaction_id TEXT PRIMARY KEY,
    next_seq INTEGER NOT NULL,
    ended INTEGER NOT NULL DEFAULT 0        -- the Ended event is queued; the row goes once it is delivered
);
CREATE TABLE IF NOT EXISTS variable_value (
    component TEXT NOT NULL,
    component_instance TEXT NOT NULL,
    evse INTEGER NOT NULL,                  -- -1: not on an EVSE
    connector INTEGER NOT NULL,             -- -1: not on a connector
    variable TEXT NOT NULL,
    variable_instance TEXT NOT NULL,
    attribute TEXT NOT NULL,
    value TEXT NOT NULL,
    pending INTEGER NOT NULL,               -- 1: set with RebootRequired, applies at the next start
    PRIMARY KEY (component, component_instance, evse, connector, variable, variable_instance, attribute, pending)
);
CREATE TABLE IF NOT EXISTS monitor (
    id INTEGER PRIMARY KEY,
    data TEXT NOT NULL                      -- JSON of the monitor (see ocppwire.devicemodel.monitoring)
);
CREATE TABLE IF NOT EXISTS setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class StoreError(OcppwireError):
    """The station database cannot be used (a newer schema, or a file that is not a database)."""


class StationStore:
    """A station's SQLite database: ``StationStore("station.db")``, or ``StationStore.memory()`` for tests.

    One connection, used from the event loop's thread; a lock serializes access in case a
    station's own worker threads write too. Statements are short (single rows), so they run
    inline rather than in an executor.
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = None if path is None else os.fspath(path)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                ":memory:" if self.path is None else self.path, isolation_level=None, check_same_thread=False
            )
            if self.path is not None:
                mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StoreError(f"{self.path}: cannot switch the database to WAL mode (got {mode})")
            self._db.execute("PRAGMA synchronous=FULL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: schema version {version} is newer than this ocppwire ({SCHEMA_VERSION})"
                )
            self._db.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version={SCHEMA_VERSION};COMMIT;")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path or ':memory:'}: {exc}") from exc

    @classmethod
    def memory(cls) -> StationStore:
        """A store that lives as long as the object (tests, simulators without restarts)."""
        return cls(None)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``with store.transaction() as db:`` — everything inside commits together or not at all.

        ``BEGIN IMMEDIATE`` takes the write lock at once, so a second process opening the same file
        waits instead of failing half-way. Nested use joins the outer transaction.
        """
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read and return all rows."""
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def check(self) -> str:
        """SQLite's ``integrity_check`` result (``"ok"`` for a sound file)."""
        return str(self.query("PRAGMA integrity_check")[0][0])

    def close(self) -> None:
        """Close the database (later use raises)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> StationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<StationStore {self.path or ':memory:'}>"
