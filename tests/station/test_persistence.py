"""The persisted device model across real restarts of a station process, and its crash safety."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from pathlib import Path

from ocppwire.devicemodel import DeviceModel, set_variable_data
from ocppwire.devicemodel.parts import get_variable_data
from ocppwire.storage import StationStore
from ocppwire.v201 import catalog, csms
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

from .devicemodel_process import FAN_MODE, build_model
from .recording_csms import RecordingCsms

HERE = Path(__file__).resolve().parent
HEARTBEAT = catalog.OCPPCommCtrlr.HeartbeatInterval
TX_UPDATED = catalog.SampledDataCtrlr.TxUpdatedInterval


async def run_station(db: Path, server: csms.CsmsServer) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "devicemodel_process.py"), str(db), server.url, "CS7", stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    assert (await asyncio.wait_for(process.stdout.readline(), 30)).strip() == b"ready"
    for _ in range(100):  # the CSMS registers the station right after the handshake
        if "CS7" in server.stations:
            break
        await asyncio.sleep(0.05)
    return process


async def values(server: csms.CsmsServer) -> dict[str, str]:
    response = await server.stations["CS7"].get_variables(
        m.GetVariablesRequest(get_variable_data=[get_variable_data(s) for s in (HEARTBEAT, FAN_MODE, TX_UPDATED)])
    )
    return {r.variable.name: str(r.attribute_value) for r in response.get_variable_result}


async def test_set_variables_survive_a_restart_and_reboot_required_applies_after_it(tmp_path: Path) -> None:
    db = tmp_path / "station.db"
    async with csms.serve(RecordingCsms(), "127.0.0.1", 0) as server:
        process = await run_station(db, server)
        response = await server.stations["CS7"].set_variables(
            m.SetVariablesRequest(
                set_variable_data=[
                    set_variable_data(HEARTBEAT, 120),
                    set_variable_data(FAN_MODE, "on"),
                    set_variable_data(TX_UPDATED, 15),
                ]
            )
        )
        statuses = [r.attribute_status for r in response.set_variable_result]
        assert statuses == [
            e.SetVariableStatusEnumType.ACCEPTED,
            e.SetVariableStatusEnumType.REBOOT_REQUIRED,
            e.SetVariableStatusEnumType.ACCEPTED,
        ]
        assert await values(server) == {"HeartbeatInterval": "120", "FanMode": "auto", "TxUpdatedInterval": "15"}
        process.send_signal(signal.SIGKILL)  # a crash, not a clean shutdown
        await process.wait()

        process = await run_station(db, server)
        # persistent value kept, RebootRequired value now in force, non-persistent value back to its default
        assert await values(server) == {"HeartbeatInterval": "120", "FanMode": "on", "TxUpdatedInterval": "60"}
        process.send_signal(signal.SIGKILL)
        await process.wait()


def test_a_failed_request_saves_nothing_and_an_invalid_saved_value_is_ignored(tmp_path: Path) -> None:
    db = tmp_path / "station.db"
    with StationStore(db) as store:
        model = build_model(store)

        @model.on_change
        def explode(event: object) -> None:
            if model.get(HEARTBEAT) == 99:
                raise RuntimeError("power cut")

        request = m.SetVariablesRequest(
            set_variable_data=[set_variable_data(FAN_MODE, "off"), set_variable_data(HEARTBEAT, 99)]
        )
        try:
            model.set_variables(request)
        except RuntimeError:
            pass
    with StationStore(db) as store:
        model = build_model(store)
        assert model.get(HEARTBEAT) == 300 and model.get(FAN_MODE) == "auto"  # the whole request was rolled back
        model.set(HEARTBEAT, 7)
    with StationStore(db) as store:
        model = DeviceModel(store=store)
        model.add(HEARTBEAT, 300, persistent=True, min_limit=10)  # new firmware: 7 is no longer allowed
        assert model.get(HEARTBEAT) == 300


WRITER = """
import sys
sys.path.insert(0, sys.argv[2])
from devicemodel_process import build_model, FAN_MODE
from ocppwire.devicemodel import set_variable_data
from ocppwire.storage import StationStore
from ocppwire.v201 import catalog, messages as m
model = build_model(StationStore(sys.argv[1]))
modes = ["auto", "on", "off"]
n = 0
while True:
    n += 1
    model.set_variables(m.SetVariablesRequest(set_variable_data=[
        set_variable_data(catalog.OCPPCommCtrlr.HeartbeatInterval, n),
        set_variable_data(FAN_MODE, modes[n % 3]),
    ]))
    if n == 1:
        print("writing", flush=True)  # the first request is on disk: the kills may start
"""


async def test_power_cut_during_set_variables_keeps_each_request_whole(tmp_path: Path) -> None:
    db = tmp_path / "station.db"
    rng = random.Random(11)
    for _ in range(3):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", WRITER, str(db), str(HERE), stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None
        assert await asyncio.wait_for(process.stdout.readline(), 60) == b"writing\n"  # a loaded machine starts slowly
        await asyncio.sleep(rng.uniform(0.05, 0.6))
        process.send_signal(signal.SIGKILL)
        await process.wait()
        with StationStore(db) as store:
            assert store.check() == "ok"
            rows = store.query("SELECT variable, value, pending FROM variable_value")
            saved = {(variable, pending): value for variable, value, pending in rows}
            heartbeat = int(saved[("heartbeatinterval", 0)])
            fan_pending = saved.get(("fanmode", 1))
            # the pending FanMode (if still pending) belongs to the same request as the saved HeartbeatInterval
            assert fan_pending is None or fan_pending == ["auto", "on", "off"][heartbeat % 3]
