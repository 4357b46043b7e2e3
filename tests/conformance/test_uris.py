"""The oracle's RFC 3986 checker for ``format: uri`` (OCPP 1.6), and the URI samples the harness uses."""

from __future__ import annotations

import random
import re

import pytest

from conformance.uris import LOOSE_URIS, MALFORMED_URIS, is_rfc3986_uri, valid_uri
from ocppgen.model import URI_PATTERN


def test_generated_uris_are_uris_to_both_checkers() -> None:
    rng = random.Random(7)
    for _ in range(500):
        uri = valid_uri(rng)
        assert is_rfc3986_uri(uri), uri
        assert re.search(URI_PATTERN, uri), uri


@pytest.mark.parametrize("uri", MALFORMED_URIS)
def test_malformed_uris_are_refused_by_the_oracle(uri: str) -> None:
    assert not is_rfc3986_uri(uri)


@pytest.mark.parametrize("uri", [u for u in MALFORMED_URIS if not u.endswith("\n")])
def test_malformed_uris_are_refused_by_ocppwire_too(uri: str) -> None:
    """(The one ending in a newline is bug B2: tests/conformance/test_known_bugs.py.)"""
    assert re.search(URI_PATTERN, uri) is None


@pytest.mark.parametrize("uri", LOOSE_URIS)
def test_loose_uris_split_the_two_checkers_as_d9_says(uri: str) -> None:
    assert not is_rfc3986_uri(uri)
    assert re.search(URI_PATTERN, uri)


def test_non_strings_are_left_to_the_type_keyword() -> None:
    assert is_rfc3986_uri(5) and is_rfc3986_uri(None)
