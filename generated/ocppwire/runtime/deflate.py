"""permessage-deflate (RFC 7692) with no I/O: the handshake negotiation and the per-message codec.

The ``websockets`` transport has its own implementation; the ``picows`` transport has none, so it uses
this one on picows' frame API (the RSV1 bit marks a compressed message). Both are configured by the same
:class:`DeflateSettings` (``ServerOptions.compression`` / ``ClientOptions.compression``).

Negotiation (server side, RFC 7692 §7.1): the first offer this side can honour wins; an offer with an
unknown, repeated or malformed parameter is declined (the next one is tried, and without any the
connection runs uncompressed). The window the *peer* compresses with is what we must be able to
inflate, so the inflater always uses the window agreed for the peer's direction.

Memory: zlib state is allocated when the first message needs it. With context takeover off for a
direction (``*_no_context_takeover``), its state is released after every message, so an idle connection
holds no zlib memory for that direction — what lets a CSMS keep tens of thousands of idle stations small.

Decompression bombs: a message is inflated with ``max_length``; anything that would exceed
``max_size`` stops inflating at once and raises :class:`MessageTooBigError` (close code 1009).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

__all__ = [
    "DEFLATE_TAIL",
    "DeflateSettings",
    "ExtensionRefusedError",
    "MessageTooBigError",
    "PerMessageDeflate",
    "accept_response",
    "client_offer",
    "deflate_settings",
    "negotiate",
]

EXTENSION = "permessage-deflate"
DEFLATE_TAIL = b"\x00\x00\xff\xff"
"""What a sync flush ends with; RFC 7692 §7.2.1 removes it from each message and the receiver puts it back."""
_MIN_BITS, _MAX_BITS = 9, 15  # zlib cannot make an 8-bit raw deflate stream (it silently uses 9)


class MessageTooBigError(ValueError):
    """A compressed message inflates beyond the size limit (close the connection with 1009)."""


class ExtensionRefusedError(ValueError):
    """The peer's permessage-deflate answer is not one this side offered or can honour (fail the connection)."""


@dataclass(frozen=True, kw_only=True)
class DeflateSettings:
    """permessage-deflate parameters this side offers or accepts (both transports).

    The defaults are websockets' (12-bit windows, memLevel 5, context takeover on). A CSMS with many
    mostly idle stations can trade compression ratio for memory with smaller windows, a lower
    ``mem_level``, or no context takeover (docs/benchmarks.md, "Memory per connection").
    """

    server_max_window_bits: int = 12
    """Window the server compresses with (at most what the client allows)."""
    client_max_window_bits: int = 12
    """Window the server asks the client to compress with (when the client offers to accept a limit)."""
    server_no_context_takeover: bool = False
    """The server compresses every message on its own (no state kept between messages)."""
    client_no_context_takeover: bool = False
    """Ask the client to compress every message on its own (then the server keeps no inflate state either)."""
    mem_level: int = 5
    """zlib memLevel of our compressor (1-9): lower uses less memory, compresses a little worse."""
    compress_threshold: int = 0
    """Messages shorter than this many bytes are sent uncompressed (RFC 7692 allows it per message)."""

    def __post_init__(self) -> None:
        for name in ("server_max_window_bits", "client_max_window_bits"):
            value = getattr(self, name)
            if not _MIN_BITS <= value <= _MAX_BITS:
                raise ValueError(f"DeflateSettings.{name} must be {_MIN_BITS}..{_MAX_BITS}, got {value!r}")
        if not 1 <= self.mem_level <= 9:
            raise ValueError(f"DeflateSettings.mem_level must be 1..9, got {self.mem_level!r}")
        if self.compress_threshold < 0:
            raise ValueError(f"DeflateSettings.compress_threshold must not be negative, got {self.compress_threshold!r}")


def deflate_settings(compression: object) -> DeflateSettings | None:
    """What a ``compression`` option asks this module for: ``None`` when off (``False``), the object itself when
    it is a :class:`DeflateSettings`, else (``True``) the defaults."""
    if not compression:
        return None
    return compression if isinstance(compression, DeflateSettings) else DeflateSettings()


class PerMessageDeflate:
    """The agreed extension of one connection: compress what we send, inflate what we receive."""

    __slots__ = (
        "_deflater",
        "_inflater",
        "local_bits",
        "local_reset",
        "mem_level",
        "remote_bits",
        "remote_reset",
        "threshold",
    )

    def __init__(
        self,
        *,
        local_bits: int,
        remote_bits: int,
        local_no_context_takeover: bool,
        remote_no_context_takeover: bool,
        mem_level: int = 5,
        threshold: int = 0,
    ) -> None:
        self.local_bits = max(local_bits, _MIN_BITS)
        self.remote_bits = max(remote_bits, _MIN_BITS)  # inflating with a wider window than the sender's is fine
        self.local_reset = local_no_context_takeover
        self.remote_reset = remote_no_context_takeover
        self.mem_level = mem_level
        self.threshold = threshold
        self._deflater: zlib._Compress | None = None
        self._inflater: zlib._Decompress | None = None

    def compress(self, data: bytes) -> bytes | None:
        """The payload of a compressed message (to send with RSV1 set), or ``None`` to send ``data`` as is."""
        if len(data) < self.threshold:
            return None
        deflater = self._deflater
        if deflater is None:
            deflater = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -self.local_bits, self.mem_level)
            if not self.local_reset:
                self._deflater = deflater
        payload = deflater.compress(data) + deflater.flush(zlib.Z_SYNC_FLUSH)
        if payload.endswith(DEFLATE_TAIL):
            payload = payload[:-4]
        return payload

    def decompress(self, payload: bytes, max_size: int) -> bytes:
        """Inflate one whole message (its frames' payloads joined); :class:`MessageTooBigError` past
        ``max_size`` bytes, ``zlib.error`` for a corrupt stream."""
        inflater = self._inflater
        if inflater is None:
            inflater = zlib.decompressobj(-self.remote_bits)
            if not self.remote_reset:
                self._inflater = inflater
        data = inflater.decompress(payload + DEFLATE_TAIL, max_size + 1)
        if len(data) > max_size or inflater.unconsumed_tail:
            self._inflater = None  # its state is useless now: the connection is closing
            raise MessageTooBigError(f"message inflates beyond {max_size} bytes")
        return data


# ---- negotiation ------------------------------------------------------------------------------------
def _parse(header: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The extensions of ``Sec-WebSocket-Extensions`` values: ``[(name, [(param, value or None)])]``."""
    offers: list[tuple[str, list[tuple[str, str | None]]]] = []
    for item in header.split(","):
        parts = [part.strip() for part in item.split(";")]
        if not parts[0]:
            continue
        params: list[tuple[str, str | None]] = []
        for part in parts[1:]:
            if not part:
                continue
            key, sep, value = part.partition("=")
            params.append((key.strip().lower(), value.strip().strip('"') if sep else None))
        offers.append((parts[0].lower(), params))
    return offers


def _bits(value: str | None, *, optional: bool) -> int | None:
    if value is None:
        if optional:
            return None
        raise ValueError("window bits without a value")
    if not value.isdigit() or len(value) > 2:
        raise ValueError(f"window bits {value!r}")
    bits = int(value)
    if not 8 <= bits <= 15:
        raise ValueError(f"window bits {bits}")
    return bits


def _offer_params(params: list[tuple[str, str | None]]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for key, value in params:
        if key in found:
            raise ValueError(f"repeated parameter {key}")
        if key not in (
            "server_no_context_takeover",
            "client_no_context_takeover",
            "server_max_window_bits",
            "client_max_window_bits",
        ):
            raise ValueError(f"unknown parameter {key}")
        if key.endswith("takeover") and value is not None:
            raise ValueError(f"{key} takes no value")
        found[key] = value
    return found


def negotiate(header: str | None, settings: DeflateSettings) -> tuple[str, PerMessageDeflate] | None:
    """Server side: the ``Sec-WebSocket-Extensions`` answer and the agreed extension for a client's offer,
    or ``None`` (no acceptable offer: the connection runs uncompressed)."""
    if not header:
        return None
    for name, params in _parse(header):
        if name != EXTENSION:
            continue
        try:
            offered = _offer_params(params)
            server_limit = _bits(offered.get("server_max_window_bits"), optional=False) if (
                "server_max_window_bits" in offered
            ) else None
            client_limit = _bits(offered["client_max_window_bits"], optional=True) if (
                "client_max_window_bits" in offered
            ) else None
        except ValueError:
            continue
        if server_limit is not None and server_limit < _MIN_BITS:
            continue  # we cannot compress with an 8-bit window
        answer = [EXTENSION]
        server_reset = settings.server_no_context_takeover or "server_no_context_takeover" in offered
        if server_reset:
            answer.append("server_no_context_takeover")
        client_reset = settings.client_no_context_takeover
        if client_reset:
            answer.append("client_no_context_takeover")
        server_bits = min(settings.server_max_window_bits, server_limit or _MAX_BITS)
        if server_bits < _MAX_BITS or server_limit is not None:
            answer.append(f"server_max_window_bits={server_bits}")
        if "client_max_window_bits" in offered:  # only then may we limit the client's window
            client_bits = min(settings.client_max_window_bits, client_limit or _MAX_BITS)
            answer.append(f"client_max_window_bits={client_bits}")
        else:
            client_bits = _MAX_BITS
        extension = PerMessageDeflate(
            local_bits=server_bits,
            remote_bits=client_bits,
            local_no_context_takeover=server_reset,
            remote_no_context_takeover=client_reset,
            mem_level=settings.mem_level,
            threshold=settings.compress_threshold,
        )
        return "; ".join(answer), extension
    return None


def client_offer(settings: DeflateSettings) -> str:
    """Client side: the ``Sec-WebSocket-Extensions`` offer (we accept any window the server asks us to use)."""
    offer = [EXTENSION, "client_max_window_bits"]
    if settings.server_max_window_bits < _MAX_BITS:
        offer.append(f"server_max_window_bits={settings.server_max_window_bits}")
    if settings.client_no_context_takeover:
        offer.append("client_no_context_takeover")
    if settings.server_no_context_takeover:
        offer.append("server_no_context_takeover")
    return "; ".join(offer)


def accept_response(header: str | None, settings: DeflateSettings) -> PerMessageDeflate | None:
    """Client side: the agreed extension from the server's answer to :func:`client_offer` (``None``: the
    server declined); :class:`ExtensionRefusedError` for an answer we did not allow."""
    if not header:
        return None
    answers = _parse(header)
    if len(answers) != 1 or answers[0][0] != EXTENSION:
        raise ExtensionRefusedError(f"unexpected extensions in the answer: {header!r}")
    try:
        params = _offer_params(answers[0][1])
        server_bits = _bits(params.get("server_max_window_bits"), optional=False) if (
            "server_max_window_bits" in params
        ) else _MAX_BITS
        client_bits = _bits(params.get("client_max_window_bits"), optional=False) if (
            "client_max_window_bits" in params
        ) else _MAX_BITS
    except ValueError as exc:
        raise ExtensionRefusedError(f"invalid permessage-deflate answer: {exc}") from None
    assert server_bits is not None and client_bits is not None
    if client_bits < _MIN_BITS:
        raise ExtensionRefusedError("the server asks for an 8-bit window, which zlib cannot produce")
    if settings.server_max_window_bits < _MAX_BITS and server_bits > settings.server_max_window_bits:
        raise ExtensionRefusedError("the server's window is larger than we allowed")
    if settings.server_no_context_takeover and "server_no_context_takeover" not in params:
        raise ExtensionRefusedError("the server did not agree to server_no_context_takeover")
    return PerMessageDeflate(
        local_bits=client_bits,
        remote_bits=server_bits,
        local_no_context_takeover=settings.client_no_context_takeover or "client_no_context_takeover" in params,
        remote_no_context_takeover="server_no_context_takeover" in params,
        mem_level=settings.mem_level,
        threshold=settings.compress_threshold,
    )
