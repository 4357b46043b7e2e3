"""logsafe: peer text is escaped before it is logged; repeated records are rate-limited with a summary."""

from __future__ import annotations

import logging

import pytest

from ocppwire.runtime.logsafe import LogLimiter, escape


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        ("CS1", "CS1"),
        ("a b", "a b"),
        ("evil\r\nINFO forged line", "evil\\x0d\\x0aINFO forged line"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("nul\x00", "nul\\x00"),
        ("abc\u202edef", "abc\\u202edef"),
        ("tab\there", "tab\\x09here"),
        ("été", "été"),
        ("\U000e0041tag", "\\U000e0041tag"),
    ],
)
def test_escape_makes_one_printable_line(text: str, logged: str) -> None:
    assert escape(text) == logged
    assert escape(text).isprintable()


def test_escape_cuts_long_text_and_reads_bytes() -> None:
    assert escape("x" * 500, 10) == "x" * 10 + "… (500 characters)"
    assert escape("x" * 500, None) == "x" * 500
    assert escape(b"\xffok\n") == "\ufffdok\\x0a"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_limiter_passes_a_burst_then_summarises(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.logsafe.limiter")
    clock = FakeClock()
    limiter = LogLimiter(logger, burst=3, rate=1.0, prefix="CS1: ", clock=clock)
    with caplog.at_level(logging.INFO, logger=logger.name):
        written = [limiter.log(logging.WARNING, "bad frame %d", i) for i in range(1000)]
        assert written.count(True) == 3 and limiter.suppressed == 997
        clock.now = 1.0  # one token refilled
        assert limiter.log(logging.INFO, "bad frame again")
        limiter.log(logging.INFO, "dropped")
        limiter.flush()
        limiter.flush()  # nothing more to report
    messages = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert messages == [
        (logging.WARNING, "bad frame 0"),
        (logging.WARNING, "bad frame 1"),
        (logging.WARNING, "bad frame 2"),
        (logging.WARNING, "CS1: 997 similar messages suppressed"),
        (logging.INFO, "bad frame again"),
        (logging.INFO, "CS1: 1 similar messages suppressed"),
    ]
    assert limiter.suppressed_total == 998


def test_limiter_ignores_disabled_levels_and_checks_its_arguments() -> None:
    logger = logging.getLogger("test.logsafe.quiet")
    logger.setLevel(logging.ERROR)
    limiter = LogLimiter(logger, burst=1)
    assert not limiter.log(logging.INFO, "not enabled")
    assert limiter.suppressed == 0  # a disabled level costs no token
    with pytest.raises(ValueError):
        LogLimiter(logger, burst=0)
    with pytest.raises(ValueError):
        LogLimiter(logger, rate=0)
