"""The pure parts of the cluster: subject tokens, config checks, the routed-call wire format."""

from __future__ import annotations

import msgspec
import pytest

from ocppwire import CallTimeoutError, QueueFullError, RequestValidationError, SecurityError
from ocppwire.cluster import ClusterConfig, StationNotConnectedError
from ocppwire.cluster import rpc
from ocppwire.cluster.subjects import Names, identity_of, token_of
from ocppwire.runtime.errors import PropertyConstraintViolationError
from ocppwire.runtime.exceptions import ConnectionClosedError, InvalidResponseError
from ocppwire.v201 import actions


@pytest.mark.parametrize("identity", ["CS001", "a.b", "x*y+z|w@v", "=3D", "under_score-dash", "é", "€=41"])
def test_identity_tokens_round_trip_and_are_one_subject_token(identity: str) -> None:
    token = token_of(identity)
    assert identity_of(token) == identity
    assert all(c.isascii() and (c.isalnum() or c in "-_=") for c in token)


def test_names_and_config_are_checked() -> None:
    with pytest.raises(ValueError, match="cluster name"):
        Names("a.b")
    with pytest.raises(ValueError, match="node_ttl"):
        ClusterConfig(node_ttl=0)
    assert ClusterConfig(node_ttl=6).heartbeat_interval == 2
    names = Names("prod")
    assert names.call("n1", "CS.1") == "ocppwire.prod.call.n1.CS=2E1"


@pytest.mark.parametrize(
    "exc, expected",
    [
        (SecurityError("no", {"k": 1}), SecurityError),
        (CallTimeoutError("Reset", "id1", 3.0), CallTimeoutError),
        (QueueFullError("Reset", 100), QueueFullError),
        (ConnectionClosedError("gone"), ConnectionClosedError),
        (RequestValidationError("Reset", PropertyConstraintViolationError("bad", {"path": "type"})), RequestValidationError),
        (InvalidResponseError("Reset", "id2", PropertyConstraintViolationError("bad")), InvalidResponseError),
    ],
)
def test_errors_cross_the_wire_as_the_same_type(exc: Exception, expected: type[Exception]) -> None:
    headers, data = rpc.reply_for_error(exc)
    with pytest.raises(expected) as raised:
        rpc.raise_or_return(actions.RESET, "CS1", headers, data)
    if isinstance(exc, SecurityError):
        assert raised.value.details == {"k": 1}  # type: ignore[attr-defined]


def test_not_connected_and_ok_replies() -> None:
    with pytest.raises(StationNotConnectedError):
        rpc.raise_or_return(actions.RESET, "CS1", {rpc.STATUS: rpc.NOT_CONNECTED}, b"")
    res = rpc.raise_or_return(actions.RESET, "CS1", {rpc.STATUS: rpc.OK}, b'{"status":"Accepted"}')
    assert res.status == "Accepted"
    with pytest.raises(InvalidResponseError):
        rpc.raise_or_return(actions.RESET, "CS1", {rpc.STATUS: rpc.OK}, b'{"status":"Maybe"}')
    assert msgspec.json.decode(rpc.reply_for_error(SecurityError("x"))[1])["code"] == "SecurityError"


async def test_no_nats_server_fails_fast_without_showing_credentials() -> None:
    from ocppwire.cluster import ClusterUnavailableError, connect
    from ocppwire.v201 import csms

    config = ClusterConfig(servers=("nats://user:s3cret@127.0.0.1:1",), connect_timeout=0.5)
    assert "s3cret" not in repr(config) and "s3cret" not in config.server_hosts
    with pytest.raises(ClusterUnavailableError) as raised:
        await connect(config, csms.BINDING)
    assert "s3cret" not in str(raised.value)
