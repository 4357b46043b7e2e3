"""RFC 3986 ``URI`` for the oracle's ``format: uri`` (OCPP 1.6 GetDiagnostics / UpdateFirmware ``location``).

``jsonschema`` checks ``uri`` only with an optional package installed; the oracle uses
:func:`is_rfc3986_uri`, written from RFC 3986 §3 and Appendix A:

    URI        = scheme ":" hier-part [ "?" query ] [ "#" fragment ]
    scheme     = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    characters = unreserved / pct-encoded / sub-delims / ":" / "@" / "/" / "?" / "#" / "[" / "]"
    pct-encoded = "%" HEXDIG HEXDIG

It checks the scheme, the character repertoire (ASCII only; ``%`` only before two hex digits; ``#``
at most once) and nothing of the authority's inner structure (a host that is not a valid IP literal
still passes), which is the part a receiver parses anyway. ocppwire checks less (a scheme, a colon,
no white space: ``ocppgen.model.URI_PATTERN``); the difference is deviation D9.
"""

from __future__ import annotations

import random
import re

__all__ = ["LOOSE_URIS", "MALFORMED_URIS", "is_rfc3986_uri", "valid_uri"]

_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:"
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?\[\]]|%[0-9A-Fa-f]{2})*"
    r"(?:#(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?"
)


def is_rfc3986_uri(value: object) -> bool:
    """True when ``value`` is an absolute RFC 3986 URI; non-strings pass (``type`` judges them)."""
    if not isinstance(value, str):
        return True
    return _URI.fullmatch(value) is not None


_HOSTS = ("example.com", "10.0.0.1", "[2001:db8::1]", "logs.example.org:2121", "user:pw@files.example.net")
_PATHS = ("", "/", "/diag", "/a/b%20c/d.zip", "/upload?station=CP-1&x=1", "/f#part")


def valid_uri(rng: random.Random) -> str:
    """A URI every reasonable checker accepts: a scheme, ``//`` + host, a path; or an opaque ``urn:``."""
    if rng.random() < 0.15:
        return rng.choice(("urn:isbn:0451450523", "mailto:ops@example.com", "ftp:x", "a:"))
    scheme = rng.choice(("ftp", "ftps", "http", "https", "sftp", "s3", "x-vendor.v1+ftp"))
    return f"{scheme}://{rng.choice(_HOSTS)}{rng.choice(_PATHS)}"


MALFORMED_URIS: tuple[str, ...] = (
    "",
    "example.com/diag",  # no scheme
    "//example.com/diag",  # relative reference
    "/diag",
    "1ftp://example.com",  # scheme starts with a digit
    "ftp ://example.com",  # space in the scheme
    "ftp://example.com/a b",  # space
    "ftp://example.com/\tx",  # tab
    "ftp://example.com/x\n",  # trailing newline
    " ftp://example.com",  # leading space
    ":/example.com",  # empty scheme
    "ftp://exa\u2028mple.com",  # Unicode line separator (white space)
)
"""Not URIs under RFC 3986, and also refused by ocppwire's looser check (no scheme, or white space)."""

LOOSE_URIS: tuple[str, ...] = (
    "ftp://example.com/<x>",  # '<' and '>' are not URI characters
    'ftp://example.com/"q"',
    "ftp://example.com/a{b}",
    "ftp://exämple.com/",  # non-ASCII: an IRI, not a URI
    "ftp://example.com/%zz",  # '%' not followed by two hex digits
    "ftp://example.com/a#b#c",  # two fragments
    "ftp://example.com/a\\b",
    "ftp://example.com/a|b",
)
"""Not URIs under RFC 3986 but accepted by ocppwire (a scheme, a colon, no white space): deviation D9."""
