"""The rules of an OCPP-J opening handshake as pure functions: no sockets, no asyncio, no websockets.

Server and client both call these, so the two sides can never disagree on a rule, and any transport
(websockets today, another one tomorrow) applies the same ones.

**Identity.** OCPP-J: the connection URL is the CSMS endpoint URL + ``/`` + the percent-encoded
Charging Station identity; the identity is an *identifierString* of at most 48 characters, and it
must not contain ``:`` because it is also the HTTP Basic username. identifierString (OCPP 2.0.1
Part 2, primitive datatypes) allows only ``a-z A-Z 0-9`` and ``* - _ = + | @ .``. Anything else —
``/``, ``..`` paths, spaces, NUL, CR/LF, ESC, U+202E, any non-ASCII letter — is refused (HTTP 400).

*Case and normalisation:* the identity is taken exactly as sent — case-sensitive, never folded or
normalised. It is an identifier that the station, the CSMS database, certificates (profile 3: the
certificate's CN) and Basic auth compare byte for byte; folding ``cs1`` into ``CS1`` would let one
station be mistaken for another, and Unicode normalisation never arises because only ASCII is
allowed (precomposed ``Å`` and ``A`` + combining ring are both refused, so they cannot be two
spellings of one station).

**Basic credentials** (security profiles 1 and 2): username = identity, built once by
:func:`basic_authorization` and read by :func:`parse_basic_authorization`.

**Subprotocol:** :func:`choose_subprotocol` picks the server's most preferred version among those
the client offered (the server lists its versions newest first).

**Client certificate** (profile 3): OCPP 2.0.1 Part 2 (certificate properties) requires the
Charging Station certificate's subject commonName (CN) to be the station's serial number — which is
the identity it connects with — and its organizationName (O) to be the CSO's name; the CSMS must
check that the certificate it verified belongs to the connecting station. :func:`certificate_names_identity`
is that check (the CN, exactly, equals the identity); a CSMS with another naming scheme passes its own
rule (``ServerOptions.client_certificate_rule``).
"""

from __future__ import annotations

import base64
import binascii
import http
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .errors import OcppwireError

__all__ = [
    "AuthRequest",
    "CertificateRule",
    "HandshakeRejectedError",
    "IDENTITY_CHARACTERS",
    "MAX_IDENTITY_LENGTH",
    "PeerCertificate",
    "basic_authorization",
    "certificate_names_identity",
    "check_identity",
    "choose_subprotocol",
    "identity_from_path",
    "parse_basic_authorization",
    "station_url",
]

MAX_IDENTITY_LENGTH = 48
"""A Charging Station identity has at most 48 characters (OCPP-J, connection URL)."""

IDENTITY_CHARACTERS = "a-z A-Z 0-9 * - _ = + | @ ."
"""The identifierString characters, as the error messages name them."""

_IDENTITY = re.compile(r"[A-Za-z0-9*\-_=+|@.]+")


class HandshakeRejectedError(OcppwireError):
    """Refuses a connection attempt with a specific HTTP status (raised by an ``auth`` hook, or by the rules)."""

    def __init__(self, status: int, text: str = "") -> None:
        super().__init__(f"HTTP {status}: {text}" if text else f"HTTP {status}")
        self.status = http.HTTPStatus(status)
        self.text = text or self.status.phrase


def check_identity(identity: str) -> str:
    """``identity`` if it is a valid station identity, else ``ValueError`` saying why (usable as HTTP 400 text)."""
    if not identity:
        raise ValueError("the charging station identity must not be empty")
    if len(identity) > MAX_IDENTITY_LENGTH:
        raise ValueError(f"the charging station identity is longer than {MAX_IDENTITY_LENGTH} characters")
    if ":" in identity:
        raise ValueError("the charging station identity must not contain ':' (it is the Basic auth username)")
    if _IDENTITY.fullmatch(identity) is None:
        raise ValueError(f"the charging station identity may only contain {IDENTITY_CHARACTERS}")
    return identity


def identity_from_path(path: str, prefix: str | None = None) -> str:
    """The station identity in a request path (last segment, percent-decoded), checked by :func:`check_identity`.

    ``ValueError`` (HTTP 400) for a bad identity or bad percent-encoding. With ``prefix``, the path
    must be exactly ``<prefix>/<identity>``: ``LookupError`` (HTTP 404) otherwise.
    """
    route = urlsplit(path).path
    head, _, segment = route.rpartition("/")
    if prefix is not None and head != prefix.rstrip("/"):
        raise LookupError("no OCPP endpoint at this path")
    try:
        identity = unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("the charging station identity is not valid UTF-8") from None
    return check_identity(identity)


def station_url(url: str, identity: str) -> str:
    """``url`` + ``/`` + percent-encoded ``identity``; ``ValueError`` if the identity breaks the rules."""
    return url.rstrip("/") + "/" + quote(check_identity(identity), safe="")


# ---- Basic credentials ---------------------------------------------------------------------------------


def basic_authorization(identity: str, password: str) -> str:
    """The ``Authorization`` header value for HTTP Basic auth with username ``identity``."""
    token = base64.b64encode(f"{identity}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def parse_basic_authorization(value: str) -> tuple[str, str]:
    """``(username, password)`` from an ``Authorization`` header value; ``ValueError`` if it is not valid Basic."""
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic":
        raise ValueError("unsupported authorization scheme")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("malformed Basic credentials") from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise ValueError("malformed Basic credentials")
    return username, password


# ---- subprotocol ------------------------------------------------------------------------------------------


def choose_subprotocol(offered: Sequence[str], supported: Sequence[str]) -> str | None:
    """The first of ``supported`` (the server's preference order, newest first) that the client offered."""
    offered_set = set(offered)
    for subprotocol in supported:
        if subprotocol in offered_set:
            return subprotocol
    return None


# ---- client certificates (security profile 3) -------------------------------------------------------------


@dataclass(frozen=True)
class PeerCertificate:
    """A TLS client certificate the server's CA verified."""

    fields: Mapping[str, Any] = field(repr=False)
    """As decoded by :meth:`ssl.SSLSocket.getpeercert` (``subject``, ``issuer``, ``serialNumber`` ...)."""
    der: bytes = field(repr=False)
    """The certificate DER-encoded, for parsing with e.g. ``cryptography``."""

    @property
    def subject(self) -> dict[str, list[str]]:
        """Subject attributes by name (``commonName``, ``organizationName`` ...), each with all its values."""
        names: dict[str, list[str]] = {}
        for rdn in self.fields.get("subject", ()):
            for key, value in rdn:
                names.setdefault(key, []).append(value)
        return names

    @property
    def common_names(self) -> list[str]:
        """The subject's commonName values (normally exactly one)."""
        return self.subject.get("commonName", [])


CertificateRule = Callable[[str, PeerCertificate], bool]
"""Decides whether a verified client certificate may connect as an identity: ``rule(identity, certificate)``."""


def certificate_names_identity(identity: str, certificate: PeerCertificate) -> bool:
    """OCPP 2.0.1's rule: the certificate's subject has exactly one commonName, equal to the identity."""
    return certificate.common_names == [identity]


# ---- what an auth hook sees ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthRequest:
    """Everything a server's ``auth`` hook may base its decision on. Its repr never shows the password."""

    identity: str
    """The Charging Station identity from the URL (already checked by :func:`check_identity`)."""
    password: str | None = field(repr=False)
    """The HTTP Basic password (profiles 1 and 2); ``None`` when no Basic credentials were sent."""
    certificate: dict[str, Any] | None = field(repr=False)
    """The TLS client certificate, verified against the server's CA (profile 3), as decoded by :mod:`ssl`."""
    certificate_der: bytes | None = field(repr=False)
    """The same certificate DER-encoded."""
    remote_address: Any
    """The peer's socket address."""
    path: str
    """The request path."""
    headers: Mapping[str, str] = field(repr=False)
    """All handshake request headers (``Authorization`` included: never log them)."""
