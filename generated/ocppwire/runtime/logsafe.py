"""Logging what a peer sent without letting the peer write the log.

Two tools every module that logs peer data uses:

- :func:`escape` turns peer text (an identity, a path, a frame, a header) into one printable line:
  control characters (CR, LF, ESC, NUL ...), bidirectional overrides such as U+202E and every other
  non-printable code point become ``\\xNN`` / ``\\uNNNN`` escapes, and long text is cut with a note of
  its length. A peer can then neither forge a log line (CR/LF), drive a terminal (ESC), hide text
  (U+202E), nor fill the disk with one record.
- :class:`LogLimiter` rate-limits one source of log records (one connection's frame faults, one
  server's accept errors): a token bucket lets ``burst`` records through at once and ``rate`` per second
  after that; the records it drops are counted and reported in one summary line,
  ``"<N> similar messages suppressed"``, before the next record that passes (or on :meth:`LogLimiter.flush`).
  40,000 junk frames then cost a few dozen log lines instead of 40,000.

:class:`TransportLogger` is the logger ocppwire hands to the WebSocket library: its DEBUG handshake
trace would otherwise print ``Authorization: Basic <password>`` and the first bytes of every frame
(a SetVariables of ``BasicAuthPassword`` included). It redacts credential headers, shows frames as
their type and length only (the frame log, :mod:`ocppwire.runtime.framelog`, shows their content,
redacted), escapes every other argument, and rate-limits records at WARNING and above, so a failure
repeated per connection (descriptors exhausted, handshakes failing) cannot become a traceback storm.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["DEFAULT_MAX_CHARS", "REDACTED", "LogLimiter", "SECRET_HEADERS", "TransportLogger", "escape"]

DEFAULT_MAX_CHARS = 200
"""Characters of peer text kept by :func:`escape` unless told otherwise."""


def _escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape(text: str | bytes, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
    """``text`` as one printable line, safe to log; bytes are read as UTF-8 (bad bytes become U+FFFD).

    Every character ``str.isprintable()`` refuses is replaced by its ``\\x``/``\\u``/``\\U`` escape,
    except the ordinary space. Text longer than ``max_chars`` (``None``: no limit) is cut and ends in
    ``"… (<n> characters)"``.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    cut = max_chars is not None and len(text) > max_chars
    kept = text[:max_chars] if cut else text
    if not kept.isprintable():
        kept = "".join(c if c.isprintable() else _escape_char(c) for c in kept)
    if cut:
        kept += f"… ({len(text)} characters)"
    return kept


class LogLimiter:
    """Rate-limited logging for one source of records, with a summary of what it dropped.

    ``burst`` records pass at once; after that one record per ``1 / rate`` seconds. A dropped record
    is counted; the next record that passes is preceded by ``"<N> similar messages suppressed"``
    (logged at the highest level among the dropped ones). Call :meth:`flush` when the source ends
    (a connection closes) so the last count is not lost.
    """

    __slots__ = (
        "_clock",
        "_stamp",
        "_suppressed_level",
        "_tokens",
        "burst",
        "extra",
        "logger",
        "prefix",
        "rate",
        "suppressed",
        "suppressed_total",
    )

    def __init__(
        self,
        logger: logging.Logger | logging.LoggerAdapter[Any],
        *,
        burst: int = 10,
        rate: float = 1.0,
        prefix: str = "",
        extra: Mapping[str, object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if burst < 1:
            raise ValueError("LogLimiter burst must be at least 1")
        if rate <= 0:
            raise ValueError("LogLimiter rate must be positive")
        self.logger = logger
        self.burst = burst
        self.rate = rate
        self.prefix = prefix
        """Put before the summary line (e.g. ``"CS1: "``), like the records it summarises."""
        self.extra = dict(extra) if extra else None
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self.suppressed = 0
        """Records dropped since the last summary line."""
        self.suppressed_total = 0
        """Records dropped over the limiter's life."""
        self._suppressed_level = logging.NOTSET

    def allow(self, level: int = logging.INFO) -> bool:
        """Take a token for one record at ``level``; ``False`` (and counted) when the bucket is empty.

        Use it to skip formatting work: ``if limiter.allow(WARNING): logger.warning(expensive())``.
        A pending summary line is written before returning ``True``.
        """
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens < 1.0:
            self.suppressed += 1
            self.suppressed_total += 1
            self._suppressed_level = max(self._suppressed_level, level)
            return False
        self._tokens -= 1.0
        self.flush()
        return True

    def log(self, level: int, msg: str, *args: object, **kwargs: Any) -> bool:
        """Log like ``logger.log`` if the bucket allows; returns whether the record was written."""
        if not self.logger.isEnabledFor(level):
            return False
        if not self.allow(level):
            return False
        if self.extra is not None and "extra" not in kwargs:
            kwargs["extra"] = self.extra
        self.logger.log(level, msg, *args, **kwargs)
        return True

    def flush(self) -> None:
        """Write the ``"<N> similar messages suppressed"`` line now, if any record was dropped."""
        if not self.suppressed:
            return
        count, level = self.suppressed, self._suppressed_level
        self.suppressed, self._suppressed_level = 0, logging.NOTSET
        self.logger.log(level, "%s%d similar messages suppressed", self.prefix, count, extra=self.extra)


SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
"""HTTP headers whose values never reach a log."""

REDACTED = "<redacted>"


def _is_frame(value: object) -> bool:
    return hasattr(value, "opcode") and hasattr(value, "data") and hasattr(value, "fin")


def _frame_summary(frame: Any) -> str:
    name = getattr(frame.opcode, "name", str(frame.opcode))
    return f"{name} [{len(frame.data)} bytes]"


class TransportLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A logger for the WebSocket library that keeps secrets and peer control characters out of the log.

    Records at WARNING and above pass through one :class:`LogLimiter` (``burst`` then ``rate`` per
    second) shared by every connection that uses this logger.
    """

    def __init__(self, logger: logging.Logger, *, burst: int = 10, rate: float = 1.0) -> None:
        super().__init__(logger, {})
        self.limiter = LogLimiter(logger, burst=burst, rate=rate)

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        if level >= logging.WARNING and not self.limiter.allow(level):
            return
        if args:
            args = self._clean(msg, args)
        self.logger.log(level, msg, *args, **kwargs)

    @staticmethod
    def _clean(msg: object, args: tuple[object, ...]) -> tuple[object, ...]:
        # websockets logs each handshake header as ("< %s: %s", name, value) / ("> %s: %s", name, value)
        if len(args) == 2 and isinstance(args[0], str) and args[0].lower() in SECRET_HEADERS:
            return (escape(args[0]), REDACTED)
        return tuple(
            _frame_summary(arg) if _is_frame(arg) else escape(arg) if isinstance(arg, (str, bytes)) else arg
            for arg in args
        )
