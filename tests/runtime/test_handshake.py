"""The handshake rules and the options object as pure functions: no sockets."""

from __future__ import annotations

import dataclasses
import http

import pytest

from ocppwire.runtime.admission import AdmissionGate
from ocppwire.runtime.errors import OcppwireError
from ocppwire.runtime.handshake import (
    AuthRequest,
    HandshakeRejectedError,
    PeerCertificate,
    basic_authorization,
    certificate_names_identity,
    check_identity,
    choose_subprotocol,
    identity_from_path,
    parse_basic_authorization,
    station_url,
)
from ocppwire.runtime.options import ClientOptions, ConnectionOptions, ServerOptions, option_names

# ---- identity ------------------------------------------------------------------------------------------

GOOD = ["CS1", "a", "x" * 48, "RDAM-123", "A*b-c_d=e+f|g@h.i", "cs1"]
BAD = ["", "x" * 49, "a:b", "a/b", "../../etc/passwd", "CS\x00", "CS\r\nX", "CS\x1b", "CS\u202e1", "\u00c5", "A\u030a"]


@pytest.mark.parametrize("identity", GOOD)
def test_identifier_string_identities_are_kept_exactly(identity: str) -> None:
    assert check_identity(identity) == identity
    assert identity_from_path(station_url("/ocpp", identity), "/ocpp") == identity


@pytest.mark.parametrize("identity", BAD)
def test_everything_else_is_refused_with_a_reason(identity: str) -> None:
    with pytest.raises(ValueError, match="identity"):
        check_identity(identity)
    with pytest.raises(ValueError):
        station_url("ws://csms/ocpp", identity)


def test_case_is_significant() -> None:
    assert identity_from_path("/CS1") != identity_from_path("/cs1")


def test_path_rules() -> None:
    assert identity_from_path("/ocpp/CS%2B1?x=1") == "CS+1"
    with pytest.raises(LookupError):
        identity_from_path("/other/CS1", "/ocpp")
    with pytest.raises(ValueError, match="UTF-8"):
        identity_from_path("/%FF")


# ---- Basic credentials -----------------------------------------------------------------------------------


def test_basic_credentials_round_trip() -> None:
    header = basic_authorization("CS1", "pa:ss wörd")
    assert header.startswith("Basic ")
    assert parse_basic_authorization(header) == ("CS1", "pa:ss wörd")
    assert parse_basic_authorization("basic " + header.split()[1]) == ("CS1", "pa:ss wörd")


@pytest.mark.parametrize("value", ["Bearer abc", "Basic !!!", "Basic " + "bm9jb2xvbg==", "Basic //79"])
def test_malformed_basic_credentials(value: str) -> None:
    with pytest.raises(ValueError):
        parse_basic_authorization(value)


# ---- subprotocol -----------------------------------------------------------------------------------------


def test_choose_subprotocol_follows_the_server_preference() -> None:
    supported = ["ocpp2.1", "ocpp2.0.1", "ocpp1.6"]
    assert choose_subprotocol(["ocpp1.6", "ocpp2.0.1"], supported) == "ocpp2.0.1"
    assert choose_subprotocol(["ocpp1.6"], supported) == "ocpp1.6"
    assert choose_subprotocol(["ocpp2.0"], supported) is None
    assert choose_subprotocol([], supported) is None


# ---- certificates, auth requests, errors -------------------------------------------------------------------


def _cert(*common_names: str) -> PeerCertificate:
    subject = tuple(((("commonName", cn),) for cn in common_names)) + ((("organizationName", "CSO"),),)
    return PeerCertificate({"subject": subject}, b"der")


def test_certificate_must_name_exactly_the_identity() -> None:
    assert _cert("CS1").subject == {"commonName": ["CS1"], "organizationName": ["CSO"]}
    assert certificate_names_identity("CS1", _cert("CS1"))
    assert not certificate_names_identity("CS2", _cert("CS1"))
    assert not certificate_names_identity("cs1", _cert("CS1"))
    assert not certificate_names_identity("CS1", _cert())
    assert not certificate_names_identity("CS1", _cert("CS1", "CS2"))


def test_auth_request_repr_hides_secrets() -> None:
    request = AuthRequest("CS1", "hunter2-secret", None, None, ("127.0.0.1", 1), "/CS1", {"Authorization": "x"})
    assert "hunter2" not in repr(request) and "Authorization" not in repr(request)
    assert "CS1" in repr(request)


def test_handshake_rejected_error_is_an_ocppwire_error() -> None:
    error = HandshakeRejectedError(404, "unknown station")
    assert isinstance(error, OcppwireError)
    assert error.status is http.HTTPStatus.NOT_FOUND and error.text == "unknown station"
    assert HandshakeRejectedError(403).text == "Forbidden"


# ---- options ---------------------------------------------------------------------------------------------


def test_options_are_frozen_keyword_only_and_checked() -> None:
    options = ServerOptions(call_timeout=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.call_timeout = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        ServerOptions(5)  # type: ignore[misc]
    with pytest.raises(TypeError):
        ServerOptions(no_such_option=1)  # type: ignore[call-arg]
    for name in ("call_timeout", "max_incoming_calls", "max_connections", "handshake_rate", "listen_backlog"):
        with pytest.raises(ValueError, match=f"ServerOptions.{name}"):
            ServerOptions(**{name: 0})
    with pytest.raises(ValueError, match="ClientOptions.first_connect_attempts"):
        ClientOptions(first_connect_attempts=0)
    with pytest.raises(ValueError, match="path_prefix"):
        ServerOptions(path_prefix="/ocpp?x")


def test_session_config_carries_the_connection_limits() -> None:
    options = ClientOptions(max_incoming_calls=2, max_queued_calls=7, send_timeout=3.0, max_bad_frames=9)
    config = options.session_config()
    assert (config.max_incoming_calls, config.max_queued_calls, config.send_timeout, config.max_bad_frames) == (
        2,
        7,
        3.0,
        9,
    )
    assert config.call_timeout == options.call_timeout == 30.0


def test_password_never_in_a_repr() -> None:
    assert "s3cret" not in repr(ClientOptions(password="s3cret"))


def test_every_connection_option_is_shared_by_both_sides() -> None:
    common = option_names(ConnectionOptions)
    assert common == option_names(ServerOptions)[: len(common)] == option_names(ClientOptions)[: len(common)]
    assert ServerOptions().route_prefix is None
    assert ServerOptions(path_prefix="ocpp/").route_prefix == "/ocpp"
    assert ServerOptions(path_prefix="/").route_prefix == ""


# ---- admission ------------------------------------------------------------------------------------------


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_admission_gate_limits() -> None:
    clock = Clock()
    gate = AdmissionGate(max_connections=4, max_per_address=2, max_pending=100, rate=1.0, burst=3, clock=clock)
    assert gate.admit("a") is None and gate.admit("a") is None
    third = gate.admit("a")
    assert third is not None and third.status == 429 and not third.abort
    gate.release("a")
    gate.release("a")
    assert gate.connections_from("a") == 1
    rate = gate.admit("a")  # a 4th handshake from "a" with a bucket of 3
    assert rate is not None and rate.status == 429 and "rate" in rate.text
    gate.release("a")
    clock.now = 1.0
    assert gate.admit("a") is None  # one token back after a second
    assert gate.admit("b") is None and gate.admit("c") is None
    full = gate.admit("d")
    assert full is not None and full.status == 503
    assert [gate.admit("e").abort for _ in range(4)] == [False, False, False, True]  # type: ignore[union-attr]
    assert gate.refused == 7
    pending = AdmissionGate(max_connections=9, max_per_address=9, max_pending=2, rate=1.0, burst=9, clock=clock)
    assert pending.admit("a") is None and pending.admit("b") is None
    dropped = pending.admit("c")
    assert dropped is not None and dropped.abort and dropped.status == 503
    pending.release("c", pending=True)
    pending.handshake_done()  # "a" finished its handshake: room for one more
    assert pending.admit("c") is None and (pending.open, pending.pending) == (3, 2)


# ---- layering --------------------------------------------------------------------------------------------


def test_rule_modules_do_no_io() -> None:
    import ast
    import inspect

    from ocppwire.runtime import admission, handshake, options

    for module in (handshake, admission):
        tree = ast.parse(inspect.getsource(module))
        imported = {
            alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0
        }
        assert not imported & {"asyncio", "socket", "ssl", "websockets"}, (module.__name__, imported)
    assert options.ServerOptions.__doc__


def test_client_does_not_import_the_server() -> None:
    import subprocess
    import sys

    probe = "import sys, ocppwire.runtime.client; print('ocppwire.runtime.server' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
