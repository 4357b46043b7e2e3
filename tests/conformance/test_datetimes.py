"""The oracle's RFC 3339 date-time checker, against hand-picked strings and the harness's samples."""

from __future__ import annotations

import random

import pytest

from conformance.datetimes import MALFORMED, is_rfc3339_datetime, naive_variant, valid_datetime

GOOD = [
    "2020-01-01T00:00:00Z",
    "2020-01-01t00:00:00z",  # RFC 3339 §5.6: T and Z may be lower case
    "2020-02-29T23:59:59.123456789+05:45",
    "2016-12-31T23:59:60Z",  # leap second
    "0000-02-29T00:00:00Z",  # year 0 is a leap year
    "9999-12-31T23:59:59-00:00",
    "2020-06-30T12:00:00.5-23:59",
]
BAD = [
    "2020-01-01T00:00:00",  # no offset
    "2020-01-01 00:00:00Z",  # space separator: not in the RFC 3339 grammar
    "2020-01-01T00:00:00+0100",  # offset without colon
    "2021-02-29T00:00:00Z",
    "2020-01-01T00:00:00.Z",
]


@pytest.mark.parametrize("value", GOOD)
def test_accepts(value: str) -> None:
    assert is_rfc3339_datetime(value)


@pytest.mark.parametrize("value", BAD + list(MALFORMED))
def test_rejects(value: str) -> None:
    assert not is_rfc3339_datetime(value)


def test_non_strings_are_left_to_the_type_keyword() -> None:
    assert is_rfc3339_datetime(5) and is_rfc3339_datetime(None)


def test_generated_samples_are_valid_and_their_naive_variants_are_not() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        value = valid_datetime(rng)
        assert is_rfc3339_datetime(value), value
        assert not is_rfc3339_datetime(naive_variant(value)), value
