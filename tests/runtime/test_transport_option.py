"""The transport option: its values, its default from the environment, and a clear error without the extra."""

from __future__ import annotations

import importlib.util

import pytest

from ocppwire.runtime.options import ClientOptions, ServerOptions


def test_unknown_transport_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="ServerOptions.transport must be one of websockets, picows"):
        ServerOptions(transport="tornado")


def test_the_default_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCPPWIRE_TRANSPORT", raising=False)
    assert ServerOptions().transport == "websockets"
    monkeypatch.setenv("OCPPWIRE_TRANSPORT", "picows")
    assert ClientOptions().transport == "picows"


def test_picows_without_the_extra_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "picows" else real(name, *a))
    with pytest.raises(ImportError, match=r"pip install 'ocppwire\[fast\]'"):
        ClientOptions(transport="picows")
