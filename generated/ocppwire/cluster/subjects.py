"""Every NATS name the cluster uses, derived from the cluster's name in one place.

Station identities may hold characters (``*``, ``+``, ``|``, ``@``, ``.``) that NATS subjects and KV keys
give a meaning to or refuse, so an identity appears in a subject or key as its *token*: letters, digits,
``-`` and ``_`` are kept, every other character is written ``=XX`` (its code in two hex digits; ``=`` itself
too; beyond U+00FF ``=uXXXXXX``).
The token is reversible and readable (``CS001`` stays ``CS001``, ``a.b`` becomes ``a=2Eb``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Names", "identity_of", "token_of"]

_KEEP = re.compile(r"[A-Za-z0-9_-]")
_ESCAPED = re.compile(r"=(?:u([0-9A-F]{6})|([0-9A-F]{2}))")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def token_of(identity: str) -> str:
    """The identity as one NATS subject token / KV key (reversible, see the module docs)."""
    return "".join(c if _KEEP.fullmatch(c) else f"={ord(c):02X}" if ord(c) < 256 else f"=u{ord(c):06X}" for c in identity)


def identity_of(token: str) -> str:
    """The identity a :func:`token_of` token stands for."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token)


@dataclass(frozen=True)
class Names:
    """Subjects, KV buckets and the stream of one cluster (several clusters may share a NATS server)."""

    cluster: str

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.cluster):
            raise ValueError(f"cluster name must be 1-32 of A-Z a-z 0-9 - _, got {self.cluster!r}")

    @property
    def presence_bucket(self) -> str:
        """KV bucket: station token -> the node holding it (JSON :class:`~.presence.PresenceEntry`)."""
        return f"ocppwire_{self.cluster}_presence"

    @property
    def nodes_bucket(self) -> str:
        """KV bucket: node id -> heartbeat (JSON); entries expire ``node_ttl`` after the last heartbeat."""
        return f"ocppwire_{self.cluster}_nodes"

    @property
    def events_stream(self) -> str:
        """JetStream stream of station->CSMS requests and their answers."""
        return f"ocppwire_{self.cluster}_events"

    def call(self, node: str, identity: str) -> str:
        """Request subject of a CSMS->station call routed to ``node``, which holds ``identity``."""
        return f"ocppwire.{self.cluster}.call.{node}.{token_of(identity)}"

    def calls_of(self, node: str) -> str:
        """The wildcard a node subscribes to for the calls routed to it."""
        return f"ocppwire.{self.cluster}.call.{node}.*"

    def ping(self, node: str) -> str:
        """Subject a node answers while it is alive (callers probe it during a long routed call)."""
        return f"ocppwire.{self.cluster}.ping.{node}"

    def handle(self, action: str) -> str:
        """Request subject of a station request forwarded to the handler workers."""
        return f"ocppwire.{self.cluster}.handle.{action}"

    @property
    def handle_all(self) -> str:
        """The wildcard handler workers subscribe to (in the :attr:`workers_queue` queue group)."""
        return f"ocppwire.{self.cluster}.handle.*"

    @property
    def workers_queue(self) -> str:
        """Queue group of the handler workers: each forwarded request goes to exactly one of them."""
        return "ocppwire-workers"

    def lifecycle(self, identity: str) -> str:
        """Subject on which a node announces a station's connect / disconnect to the workers."""
        return f"ocppwire.{self.cluster}.lifecycle.{token_of(identity)}"

    @property
    def lifecycle_all(self) -> str:
        return f"ocppwire.{self.cluster}.lifecycle.*"

    def event(self, identity: str, action: str) -> str:
        """Subject of one station's request/answer event (the stream keeps them in order per station)."""
        return f"ocppwire.{self.cluster}.events.{token_of(identity)}.{action}"

    @property
    def events_all(self) -> str:
        return f"ocppwire.{self.cluster}.events.>"
