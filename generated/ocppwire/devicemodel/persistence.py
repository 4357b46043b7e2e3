"""Device-model values on disk: what a CSMS set survives a restart, and RebootRequired values wait for one.

A :class:`~ocppwire.devicemodel.store.DeviceModel` built with ``store=StationStore(...)`` writes
through a :class:`ValueStore`:

- a value written to a *persistent* variable (``add(..., persistent=True)``) is saved; when the
  station starts again and adds that variable, the saved value replaces the default it passes;
- a value written to a variable flagged ``reboot_required`` is saved as *pending*: the running
  station keeps the old value, and the next start applies the pending one (B05: SetVariables
  answered ``RebootRequired``);
- every SetVariables request is saved in one SQLite transaction, so a crash mid-request leaves
  either all of its accepted values or none.

Rows are keyed by the case-folded names (OCPP names are case-insensitive) and the EVSE / connector
numbers (-1 for none). A saved value the variable no longer accepts (a firmware update changed its
limits) is ignored with a warning instead of stopping the start.
"""

from __future__ import annotations

import logging

from ocppwire.storage import StationStore
from ocppwire.v201 import enums as e

from .spec import VariableValueError
from .variable import StoredVariable

__all__ = ["ValueStore"]

log = logging.getLogger("ocppwire.devicemodel")

_KEY = (
    "component = ? AND component_instance = ? AND evse = ? AND connector = ? AND variable = ? AND variable_instance = ?"
)


def _key(stored: StoredVariable) -> tuple[str, str, int, int, str, str]:
    ref = stored.component
    return (
        ref.name.lower(),
        (ref.instance or "").lower(),
        -1 if ref.evse is None else ref.evse,
        -1 if ref.connector is None else ref.connector,
        stored.spec.variable.lower(),
        (stored.spec.instance or "").lower(),
    )


class ValueStore:
    """Saves and restores the attribute values of device-model variables in a station database."""

    def __init__(self, store: StationStore) -> None:
        self.store = store

    def save(self, stored: StoredVariable, attribute: e.AttributeEnumType, text: str, *, pending: bool) -> None:
        """Save one value (joins the caller's transaction, if any)."""
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO variable_value VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
                (*_key(stored), attribute.value, text, 1 if pending else 0),
            )

    def restore(self, stored: StoredVariable) -> None:
        """Load saved values into ``stored`` at start-up; pending (RebootRequired) values take effect now."""
        key = _key(stored)
        with self.store.transaction() as db:
            rows = db.execute(f"SELECT attribute, value, pending FROM variable_value WHERE {_KEY}", key).fetchall()
            for attribute_text, text, pending in sorted(rows, key=lambda row: row[2]):  # pending rows win
                attribute = e.AttributeEnumType(attribute_text)
                if attribute not in stored.values:
                    continue
                if not pending and not stored.persistent:
                    continue
                try:
                    stored.spec.parse(text)
                except VariableValueError as exc:
                    log.warning("device model: ignoring the saved value of %s: %s", stored.spec.path, exc)
                    continue
                stored.values[attribute] = text
                if pending:
                    db.execute(
                        f"DELETE FROM variable_value WHERE {_KEY} AND attribute = ? AND pending = 1",
                        (*key, attribute.value),
                    )
                    if stored.persistent:
                        db.execute(
                            "INSERT INTO variable_value VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) "
                            "ON CONFLICT DO UPDATE SET value = excluded.value",
                            (*key, attribute.value, text),
                        )

    def pending(self, stored: StoredVariable) -> dict[e.AttributeEnumType, str]:
        """The values waiting for the next start."""
        rows = self.store.query(
            f"SELECT attribute, value FROM variable_value WHERE {_KEY} AND pending = 1", _key(stored)
        )
        return {e.AttributeEnumType(attribute): str(value) for attribute, value in rows}
