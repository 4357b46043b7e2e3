"""RFC 3339 ``date-time`` for the oracle: a strict checker, valid samples, and broken ones.

JSON Schema's ``format: date-time`` means RFC 3339 §5.6 ``date-time``, which always carries an
offset (``Z`` or ``±hh:mm``). ``jsonschema``'s built-in check needs optional packages and is off by
default, so the oracle uses :func:`is_rfc3339_datetime`, written from the RFC's grammar:

    date-time = full-date "T" full-time            ; "T" and "Z" may be lower case (§5.6 note)
    full-date = 4DIGIT "-" 2DIGIT "-" 2DIGIT      ; month 01-12, day per month and leap year
    full-time = 2DIGIT ":" 2DIGIT ":" 2DIGIT ["." 1*DIGIT] ("Z" / ("+" / "-") 2DIGIT ":" 2DIGIT)
                                                  ; hour 00-23, minute 00-59, second 00-60

Second 60 (a leap second) is grammatical; the RFC leaves its placement to the leap-second table,
which a syntax check cannot know, so it is accepted anywhere. Year 0000 is grammatical too.
"""

from __future__ import annotations

import calendar
import random
import re

__all__ = [
    "MALFORMED",
    "is_rfc3339_datetime",
    "naive_variant",
    "valid_datetime",
]

_DATE_TIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"[Tt]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-](?P<oh>[0-9]{2}):(?P<om>[0-9]{2}))"
)


def is_rfc3339_datetime(value: object) -> bool:
    """True when ``value`` is an RFC 3339 ``date-time`` (with offset); non-strings pass (format only
    applies to strings, the ``type`` keyword judges the rest)."""
    if not isinstance(value, str):
        return True
    # re.fullmatch with [0-9] (not \d): Unicode digits such as '２' are not ASCII DIGIT.
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
        # Year 0000 is a leap year in the proleptic Gregorian calendar, like 2000.
        return False
    if int(match["hour"]) > 23 or int(match["minute"]) > 59 or int(match["second"]) > 60:
        return False
    if match["oh"] is not None and (int(match["oh"]) > 23 or int(match["om"]) > 59):
        return False
    return True


def valid_datetime(rng: random.Random) -> str:
    """A random RFC 3339 date-time that every reasonable parser accepts.

    Varies what a parser could get wrong - offsets (``Z``, ``+hh:mm``, ``-hh:mm``, ``-00:00``),
    0 to 9 fractional digits, Feb 29 of leap years, month ends - and stays away from the edges
    handled as probes (leap second, year 0000, lowercase separators, the 9999-12-31 overflow).
    """
    year = rng.choice((1970, 2000, 2020, 2024, 2038, 2100)) if rng.random() < 0.5 else rng.randint(1, 9998)
    month = rng.randint(1, 12)
    last_day = calendar.monthrange(year, month)[1]
    day = last_day if rng.random() < 0.2 else rng.randint(1, last_day)
    hour, minute, second = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    digits = rng.choice((0, 0, 0, 1, 3, 3, 6, 9))
    fraction = "." + "".join(rng.choice("0123456789") for _ in range(digits)) if digits else ""
    roll = rng.random()
    if roll < 0.5:
        offset = "Z"
    elif roll < 0.55:
        offset = "-00:00"
    else:
        offset = f"{rng.choice('+-')}{rng.randint(0, 23):02d}:{rng.choice((0, 30, 45, rng.randint(0, 59))):02d}"
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}{offset}"


def naive_variant(value: str) -> str:
    """``value`` with its offset removed: a local time with no zone, which RFC 3339 does not allow."""
    match = re.search(r"([Zz]|[+-][0-9]{2}:[0-9]{2})$", value)
    return value[: match.start()] if match else value


MALFORMED: tuple[str, ...] = (
    "",
    "now",
    "2020-13-01T00:00:00Z",  # month 13
    "2020-00-10T00:00:00Z",  # month 0
    "2021-02-29T00:00:00Z",  # not a leap year
    "2020-04-31T00:00:00Z",  # April has 30 days
    "2020-01-00T00:00:00Z",  # day 0
    "2020-01-01T24:00:00Z",  # hour 24
    "2020-01-01T00:60:00Z",  # minute 60
    "2020-01-01T00:00:61Z",  # second 61
    "2020-01-01T00:00Z",  # no seconds
    "2020-01-01",  # date only
    "00:00:00Z",  # time only
    "2020-1-01T00:00:00Z",  # one-digit month
    "20200101T000000Z",  # ISO 8601 basic format
    "2020-01-01T00:00:00.Z",  # empty fraction
    "2020-01-01T00:00:00,5Z",  # comma fraction
    "2020-01-01T00:00:00+01",  # offset without minutes
    "2020-01-01T00:00:00+01:0",  # one-digit offset minute
    "2020-01-01T00:00:00+24:00",  # offset hour 24
    "2020-01-01T00:00:00+01:60",  # offset minute 60
    "2020-01-01T00:00:00UTC",  # zone name
    "2020-01-01T00:00:00 Z",  # space before Z
    " 2020-01-01T00:00:00Z",  # leading space
    "2020-01-01T00:00:00Z ",  # trailing space
    "+2020-01-01T00:00:00Z",  # signed year
    "2020-W01-1T00:00:00Z",  # week date
    "\uff12020-01-01T00:00:00Z",  # full-width digit
    "2020-01-01T00:00:00+01:00:00",  # offset with seconds
    "1577836800",  # Unix time as a string
)
"""Strings that are not RFC 3339 date-times and that our decoder is also expected to reject."""
