"""The correlator over real connections: crossing calls, timeouts, late answers, queue order, disconnects."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
from typing import Any

import pytest

from ocppwire.runtime.errors import GenericError, PropertyConstraintViolationError, SecurityError
from ocppwire.runtime.exceptions import (
    CallTimeoutError,
    ConnectionClosedError,
    InvalidResponseError,
    RequestValidationError,
)
from ocppwire.runtime.protocol import uuid4_message_id
from ocppwire.v201 import csms, station
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m
from ocppwire.v201 import types as t

from ..loopback import RawConnect, RawStation, StartCsms, StartStation, eventually

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
BOOT_REQ = m.BootNotificationRequest(
    charging_station=t.ChargingStationType(model="m", vendor_name="v"), reason=e.BootReasonEnumType.POWER_UP
)
RESET = m.ResetRequest(type=e.ResetEnumType.IMMEDIATE)


async def connected(
    server: csms.CsmsServer, raw_connect: RawConnect, identity: str = "RAW1"
) -> tuple[RawStation, csms.ChargingStationClient]:
    raw = await raw_connect(server, identity)
    await eventually(lambda: identity in server.stations)
    return raw, server.stations[identity]


class CrossingCsms(csms.CsmsHandler):
    """Answers BootNotification only after asking the station for its variables (a nested call)."""

    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        result = await station.get_variables(
            m.GetVariablesRequest(
                get_variable_data=[
                    t.GetVariableDataType(component=t.ComponentType(name="C"), variable=t.VariableType(name="V"))
                ]
            )
        )
        interval = len(result.get_variable_result)
        return m.BootNotificationResponse(
            current_time=NOW, interval=interval, status=e.RegistrationStatusEnumType.ACCEPTED
        )

    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        await asyncio.sleep(0.05)
        return m.HeartbeatResponse(current_time=NOW)


class CrossingStation(station.ChargingStationHandler):
    async def get_variables(self, csms: station.CsmsClient, req: m.GetVariablesRequest) -> m.GetVariablesResponse:
        # the station's own BootNotification is still unanswered while this runs
        return m.GetVariablesResponse(
            get_variable_result=[
                t.GetVariableResultType(
                    attribute_status=e.GetVariableStatusEnumType.ACCEPTED,
                    component=d.component,
                    variable=d.variable,
                    attribute_value="42",
                )
                for d in req.get_variable_data
            ]
        )

    async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
        # and a handler may itself call the CSMS
        await csms.heartbeat(m.HeartbeatRequest())
        return m.ResetResponse(status=e.ResetStatusEnumType.ACCEPTED)


async def test_handler_awaits_a_call_to_the_peer(start_csms: StartCsms, start_station: StartStation) -> None:
    server = await start_csms(CrossingCsms())
    conn = await start_station(server, handler=CrossingStation())
    response = await asyncio.wait_for(conn.peer.boot_notification(BOOT_REQ), 5)
    assert response.interval == 1


async def test_crossing_calls_do_not_deadlock(start_csms: StartCsms, start_station: StartStation) -> None:
    """Both sides send a CALL at the same moment; each answers the other's while its own is outstanding."""
    overlaps: list[bool] = []

    class SlowCsms(csms.CsmsHandler):
        async def boot_notification(
            self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
        ) -> m.BootNotificationResponse:
            await asyncio.sleep(0.1)
            overlaps.append(station.session.in_flight is not None)  # our Reset is still unanswered
            return m.BootNotificationResponse(
                current_time=NOW, interval=1, status=e.RegistrationStatusEnumType.ACCEPTED
            )

    class SlowStation(station.ChargingStationHandler):
        async def reset(self, csms: station.CsmsClient, req: m.ResetRequest) -> m.ResetResponse:
            await asyncio.sleep(0.1)
            overlaps.append(csms.session.in_flight is not None)  # our BootNotification is still unanswered
            return m.ResetResponse(status=e.ResetStatusEnumType.ACCEPTED)

    server = await start_csms(SlowCsms())
    conn = await start_station(server, handler=SlowStation())
    await eventually(lambda: "CS1" in server.stations)
    on_csms = server.stations["CS1"]
    boot, reset = await asyncio.wait_for(asyncio.gather(conn.peer.boot_notification(BOOT_REQ), on_csms.reset(RESET)), 5)
    assert boot.status is e.RegistrationStatusEnumType.ACCEPTED
    assert reset.status is e.ResetStatusEnumType.ACCEPTED
    assert overlaps == [True, True]


async def test_handler_calling_back_while_peer_calls(start_csms: StartCsms, start_station: StartStation) -> None:
    """A station handler that calls the CSMS while the CSMS waits for that handler's answer."""
    server = await start_csms(CrossingCsms())
    await start_station(server, handler=CrossingStation())
    await eventually(lambda: "CS1" in server.stations)
    reset = await asyncio.wait_for(server.stations["CS1"].reset(RESET), 5)
    assert reset.status is e.ResetStatusEnumType.ACCEPTED


async def test_call_times_out_and_frees_the_slot(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms()
    raw, cs = await connected(server, raw_connect)
    with pytest.raises(CallTimeoutError) as info:
        await cs.reset(RESET, timeout=0.2)
    assert isinstance(info.value, TimeoutError)
    assert info.value.action == "Reset"
    first = await raw.recv()
    # the slot is free again: the next call goes out at once
    task = asyncio.create_task(cs.clear_cache(m.ClearCacheRequest()))
    second = await raw.recv()
    assert second[2] == "ClearCache" and second[1] != first[1]
    await raw.send(json.dumps([3, second[1], {"status": "Accepted"}]))
    assert (await task).status is e.ClearCacheStatusEnumType.ACCEPTED
    assert cs.stats.timeouts == 1


async def test_default_timeout_from_options(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms(call_timeout=0.1)
    _, cs = await connected(server, raw_connect)
    with pytest.raises(CallTimeoutError):
        await cs.clear_cache(m.ClearCacheRequest())


async def test_late_response_is_dropped_and_never_given_to_the_next_call(
    start_csms: StartCsms, raw_connect: RawConnect
) -> None:
    server = await start_csms()
    raw, cs = await connected(server, raw_connect)
    with pytest.raises(CallTimeoutError):
        await cs.reset(RESET, timeout=0.1)
    late = await raw.recv()
    task = asyncio.create_task(cs.reset(RESET))
    current = await raw.recv()
    # the answer to the timed-out call arrives first, with a status the next call must not see
    await raw.send(json.dumps([3, late[1], {"status": "Rejected"}]))
    await raw.send(json.dumps([3, current[1], {"status": "Scheduled"}]))
    assert (await task).status is e.ResetStatusEnumType.SCHEDULED
    assert cs.stats.late_responses == 1
    assert cs.stats.unknown_responses == 0


async def test_unknown_and_duplicate_responses_are_dropped(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms()
    raw, cs = await connected(server, raw_connect)
    task = asyncio.create_task(cs.reset(RESET))
    frame = await raw.recv()
    await raw.send(json.dumps([3, "never-sent", {"status": "Rejected"}]))
    await raw.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
    await raw.send(json.dumps([3, frame[1], {"status": "Rejected"}]))
    assert (await task).status is e.ResetStatusEnumType.ACCEPTED
    await eventually(lambda: cs.stats.unknown_responses == 2)
    assert cs.stats.results_received == 1


async def test_calls_are_queued_one_in_flight_in_call_order(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    ids = (f"id-{n}" for n in itertools.count())
    server = await start_csms(id_factory=lambda: next(ids))  # deterministic ids for the assertion
    raw, cs = await connected(server, raw_connect)
    requests = [m.ClearCacheRequest(), RESET, m.GetLocalListVersionRequest(), RESET, m.ClearCacheRequest()]
    methods = [cs.clear_cache, cs.reset, cs.get_local_list_version, cs.reset, cs.clear_cache]
    answers = {
        "ClearCache": {"status": "Accepted"},
        "Reset": {"status": "Accepted"},
        "GetLocalListVersion": {"versionNumber": 3},
    }
    tasks = [asyncio.create_task(method(req)) for method, req in zip(methods, requests)]  # type: ignore[operator]
    seen = []
    for _ in tasks:
        frame = await raw.recv()
        await raw.expect_silence(0.05)  # nothing else is sent while this CALL is unanswered
        assert cs.session.queued == len(tasks) - len(seen) - 1
        seen.append((frame[1], frame[2]))
        await raw.send(json.dumps([3, frame[1], answers[frame[2]]]))
    assert seen == [
        (f"id-{n}", a) for n, a in enumerate(["ClearCache", "Reset", "GetLocalListVersion", "Reset", "ClearCache"])
    ]
    results = await asyncio.gather(*tasks)
    assert results[2].version_number == 3


async def test_cancelled_queued_call_is_never_sent(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms()
    raw, cs = await connected(server, raw_connect)
    first = asyncio.create_task(cs.reset(RESET))
    second = asyncio.create_task(cs.clear_cache(m.ClearCacheRequest()))
    frame = await raw.recv()
    second.cancel()
    await raw.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
    await first
    await raw.expect_silence(0.1)
    assert cs.stats.calls_sent == 1


async def test_call_error_raises_the_typed_exception(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms()
    raw, cs = await connected(server, raw_connect)
    task = asyncio.create_task(cs.reset(RESET))
    frame = await raw.recv()
    await raw.send(json.dumps([4, frame[1], "SecurityError", "not you", {"hint": 1}]))
    with pytest.raises(SecurityError) as info:
        await task
    assert (info.value.code, info.value.description, info.value.details) == ("SecurityError", "not you", {"hint": 1})
    task = asyncio.create_task(cs.reset(RESET))
    frame = await raw.recv()
    await raw.send(json.dumps([4, frame[1], "VendorSpecific", "", {}]))
    with pytest.raises(GenericError) as generic:
        await task
    assert generic.value.details == {"errorCode": "VendorSpecific"}
    assert cs.stats.errors_received == 2


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ([3, "{id}", {"status": "Maybe"}], "PropertyConstraintViolation"),
        ([3, "{id}", {}], "OccurrenceConstraintViolation"),
        ([3, "{id}", []], "FormatViolation"),
        ([3, "{id}"], "RpcFrameworkError"),
        ([4, "{id}", "GenericError", 5, {}], "RpcFrameworkError"),
        ([4, "{id}", "GenericError", "", []], "RpcFrameworkError"),
    ],
)
async def test_invalid_response_fails_the_call_at_once(
    start_csms: StartCsms, raw_connect: RawConnect, answer: list[Any], code: str
) -> None:
    server = await start_csms()
    raw, cs = await connected(server, raw_connect)
    task = asyncio.create_task(cs.reset(RESET, timeout=20))
    frame = await raw.recv()
    await raw.send(json.dumps([frame[1] if part == "{id}" else part for part in answer]))
    with pytest.raises(InvalidResponseError) as info:
        await asyncio.wait_for(task, 2)  # far below the call's timeout
    assert info.value.error.code == code
    assert cs.stats.invalid_responses == 1
    await raw.expect_silence(0.05)  # a bad response is dropped, never answered


async def test_outgoing_request_is_validated_before_sending(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms()
    raw, cs = await connected(server, raw_connect)
    request = m.GetLogRequest(
        log=t.LogParametersType(remote_location="x" * 513), log_type=e.LogEnumType.DIAGNOSTICS_LOG, request_id=1
    )
    with pytest.raises(RequestValidationError) as info:
        await cs.get_log(request)
    assert isinstance(info.value.error, PropertyConstraintViolationError)
    assert "log.remoteLocation" in str(info.value)
    await raw.expect_silence(0.1)
    assert cs.stats.calls_sent == 0
    with pytest.raises(TypeError):
        await cs.reset(m.ClearCacheRequest())  # type: ignore[arg-type]


async def test_validation_can_be_switched_off(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    server = await start_csms(validate=False)
    raw, cs = await connected(server, raw_connect)
    request = m.GetLogRequest(
        log=t.LogParametersType(remote_location="x" * 513), log_type=e.LogEnumType.DIAGNOSTICS_LOG, request_id=1
    )
    task = asyncio.create_task(cs.get_log(request))
    frame = await raw.recv()
    assert frame[2] == "GetLog" and len(frame[3]["log"]["remoteLocation"]) == 513
    await raw.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
    assert (await task).status is e.LogStatusEnumType.ACCEPTED


async def test_pluggable_message_ids(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    counter = itertools.count(1)
    server = await start_csms(id_factory=lambda: f"csms-{next(counter)}")
    raw, cs = await connected(server, raw_connect)
    for expected in ("csms-1", "csms-2"):
        task = asyncio.create_task(cs.clear_cache(m.ClearCacheRequest()))
        frame = await raw.recv()
        assert frame[1] == expected
        await raw.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
        await task


async def test_default_message_ids_are_unique_uuids(start_csms: StartCsms, start_station: StartStation) -> None:
    seen: list[str] = []

    class Recorder(csms.CsmsHandler):
        async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
            return m.HeartbeatResponse(current_time=NOW)

    def recording() -> str:
        seen.append(uuid4_message_id())
        return seen[-1]

    server = await start_csms(Recorder())
    conn = await start_station(server, id_factory=recording)
    for _ in range(20):
        await conn.peer.heartbeat(m.HeartbeatRequest())
    assert len(set(seen)) == 20 and all(len(i) == 36 for i in seen)


async def test_disconnect_mid_call_fails_pending_calls_promptly(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    disconnected = asyncio.Event()

    class Watcher(csms.CsmsHandler):
        async def on_disconnect(self, peer: csms.ChargingStationClient) -> None:
            disconnected.set()

    server = await start_csms(Watcher())
    raw, cs = await connected(server, raw_connect)
    in_flight = asyncio.create_task(cs.reset(RESET))
    queued = asyncio.create_task(cs.clear_cache(m.ClearCacheRequest()))
    await raw.recv()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await raw.ws.close()
    for task in (in_flight, queued):
        with pytest.raises(ConnectionClosedError):
            await asyncio.wait_for(task, 2)
    assert loop.time() - started < 1.0  # not the 30 s call timeout
    await asyncio.wait_for(disconnected.wait(), 2)
    assert "RAW1" not in server.stations
    assert not cs.connected
    assert cs.session.in_flight is None and cs.session.queued == 0 and cs.session.handling == 0
    with pytest.raises(ConnectionClosedError):
        await cs.reset(RESET)


async def test_disconnect_cancels_running_handlers(start_csms: StartCsms, raw_connect: RawConnect) -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    class Slow(csms.CsmsHandler):
        async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
            started.set()
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return m.HeartbeatResponse(current_time=NOW)

    server = await start_csms(Slow())
    raw, cs = await connected(server, raw_connect)
    await raw.send('[2, "h1", "Heartbeat", {}]')
    await asyncio.wait_for(started.wait(), 2)
    await raw.ws.close()
    await asyncio.wait_for(cancelled.wait(), 2)
    await eventually(lambda: cs.session.handling == 0)


async def test_handler_exceptions_are_logged_locally(
    start_csms: StartCsms, raw_connect: RawConnect, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(csms.CsmsHandler):
        async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
            raise KeyError("boom")

    server = await start_csms(Broken())
    raw, cs = await connected(server, raw_connect)
    answer = await raw.exchange('[2, "h2", "Heartbeat", {}]')
    assert answer[2] == "InternalError"
    assert any("boom" in (r.exc_text or "") or "KeyError" in (r.exc_text or "") for r in caplog.records)
    assert cs.stats.handler_failures == 1


async def test_nothing_is_left_running_after_close(raw_connect: RawConnect) -> None:
    """After calls, a disconnect mid-call and a shutdown, no task of ours outlives the server."""
    before = asyncio.all_tasks()
    server = await csms.serve(CrossingCsms(), "127.0.0.1", 0)
    client = await station.connect(
        server.url, identity="CS1", handler=CrossingStation(), options=station.ClientOptions(reconnect=False)
    )
    await client.peer.boot_notification(BOOT_REQ)
    raw, cs = await connected(server, raw_connect)
    pending = asyncio.create_task(cs.reset(RESET))
    await raw.recv()
    await raw.ws.close()
    with pytest.raises(ConnectionClosedError):
        await pending
    await client.close(grace=1)
    await server.close(grace=1)
    await eventually(lambda: not (asyncio.all_tasks() - before - {asyncio.current_task()}))
