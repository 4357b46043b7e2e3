"""The outbox's rows: messages written to the station database before they are sent.

A row is inserted in the same SQLite transaction that hands out its ``seqNo``, so after a crash
the queue and the per-transaction counters always agree: no number is used twice and none is
skipped. A transaction's counter is kept until its Ended event has been delivered, so
a restarted station resumes the numbering of an open transaction. Rows leave the table only when the CSMS answered them (or when they were dropped after
their last attempt, which the delivery loop logs and reports). Delivery order is the row id:
creation order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ocppwire.storage import StationStore

__all__ = ["DurableQueue", "QueuedMessage"]

_Builder = Callable[[int], bytes]
"""Encodes the message once its ``seqNo`` is known."""


@dataclass(frozen=True)
class QueuedMessage:
    """One stored CALL: its action, the encoded request, and how many CALLERRORs it received so far."""

    id: int
    action: str
    payload: bytes
    transaction_id: str | None
    created: float
    attempts: int


class DurableQueue:
    """First-in first-out queue of encoded requests in a :class:`~ocppwire.storage.StationStore`."""

    def __init__(self, store: StationStore) -> None:
        self.store = store

    def push(
        self,
        action: str,
        payload: bytes,
        *,
        transaction_id: str | None = None,
        ends_transaction: bool = False,
    ) -> int:
        """Store one message; returns its id. Committed (fsynced) when this returns."""
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO outbox (action, payload, transaction_id, created) VALUES (?, ?, ?, ?)",
                (action, payload, transaction_id, time.time()),
            )
            if ends_transaction and transaction_id is not None:
                db.execute("UPDATE transaction_seq SET ended = 1 WHERE transaction_id = ?", (transaction_id,))
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def push_sequenced(self, action: str, transaction_id: str, build: _Builder, *, ends_transaction: bool) -> int:
        """Take the next ``seqNo`` of ``transaction_id``, let ``build(seq_no)`` encode the message, store it.

        Counter update and insert are one transaction: a crash leaves either both or neither.
        """
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT next_seq FROM transaction_seq WHERE transaction_id = ?", (transaction_id,)
            ).fetchone()
            seq_no = 0 if row is None else int(row[0])
            payload = build(seq_no)
            db.execute(
                "INSERT INTO transaction_seq (transaction_id, next_seq) VALUES (?, ?) "
                "ON CONFLICT (transaction_id) DO UPDATE SET next_seq = excluded.next_seq",
                (transaction_id, seq_no + 1),
            )
            return self.push(action, payload, transaction_id=transaction_id, ends_transaction=ends_transaction)

    def head(self) -> QueuedMessage | None:
        """The oldest stored message, or ``None`` when the queue is empty."""
        rows = self.store.query(
            "SELECT id, action, payload, transaction_id, created, attempts FROM outbox ORDER BY id LIMIT 1"
        )
        if not rows:
            return None
        id_, action, payload, transaction_id, created, attempts = rows[0]
        return QueuedMessage(int(id_), str(action), bytes(payload), transaction_id, float(created), int(attempts))

    def record_attempt(self, message_id: int) -> int:
        """Count one more failed attempt (a CALLERROR answer); returns the new count."""
        with self.store.transaction() as db:
            db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (message_id,))
            row = db.execute("SELECT attempts FROM outbox WHERE id = ?", (message_id,)).fetchone()
        return 0 if row is None else int(row[0])

    def remove(self, message_id: int) -> None:
        """Delete a message that was answered (or dropped)."""
        with self.store.transaction() as db:
            row = db.execute("SELECT transaction_id FROM outbox WHERE id = ?", (message_id,)).fetchone()
            db.execute("DELETE FROM outbox WHERE id = ?", (message_id,))
            if row is not None and row[0] is not None:  # forget an ended transaction once all of it is out
                db.execute(
                    "DELETE FROM transaction_seq WHERE transaction_id = ? AND ended = 1 "
                    "AND NOT EXISTS (SELECT 1 FROM outbox WHERE transaction_id = ?)",
                    (row[0], row[0]),
                )

    def __len__(self) -> int:
        return int(self.store.query("SELECT COUNT(*) FROM outbox")[0][0])

    def next_seq_no(self, transaction_id: str) -> int:
        """The ``seqNo`` the next event of ``transaction_id`` will get (0 for a transaction not seen yet)."""
        rows = self.store.query("SELECT next_seq FROM transaction_seq WHERE transaction_id = ?", (transaction_id,))
        return 0 if not rows else int(rows[0][0])

    def transaction_ended(self, transaction_id: str) -> bool:
        """True when the Ended event of ``transaction_id`` is stored and not yet delivered."""
        rows = self.store.query("SELECT ended FROM transaction_seq WHERE transaction_id = ?", (transaction_id,))
        return bool(rows and rows[0][0])
