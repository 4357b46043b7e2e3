"""TLS contexts for the OCPP security profiles.

OCPP 2.0.1 Part 2 (security profiles) requires TLS 1.2 or newer for profiles 2 and 3; Python's defaults would
still negotiate whatever the OpenSSL build allows. These helpers build contexts with that floor and
with the certificate roles each profile needs:

- profile 2 — the CSMS presents a server certificate, the station verifies it and sends Basic auth:
  :func:`server_context` (no ``client_ca``) and :func:`client_context` (no client certificate);
- profile 3 — in addition the station presents a client certificate the CSMS verifies:
  :func:`server_context` with ``client_ca`` and :func:`client_context` with ``cert``/``key``.
"""

from __future__ import annotations

import os
import ssl

__all__ = ["client_context", "server_context"]

PathLike = str | os.PathLike[str]


def server_context(cert: PathLike, key: PathLike, *, client_ca: PathLike | None = None) -> ssl.SSLContext:
    """A CSMS context presenting ``cert``; with ``client_ca`` a client certificate is required (profile 3)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    if client_ca is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    return context


def client_context(
    ca: PathLike | None = None, *, cert: PathLike | None = None, key: PathLike | None = None
) -> ssl.SSLContext:
    """A station context trusting ``ca`` (system roots when ``None``); ``cert``/``key`` for profile 3."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=None if ca is None else os.fspath(ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert is not None:
        context.load_cert_chain(cert, key)
    return context
