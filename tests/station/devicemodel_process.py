"""A Charging Station process whose device model lives in a SQLite file, for the restart tests.

``python devicemodel_process.py DB URL IDENTITY``: connects, answers the device-model requests, prints
``ready`` and runs until killed. Variables: HeartbeatInterval (persistent), AcmeCtrlr.FanMode
(persistent, RebootRequired) and SampledDataCtrlr.TxUpdatedInterval (not persistent).
"""

from __future__ import annotations

import asyncio
import sys

from ocppwire.devicemodel import DataType, DeviceModel, DeviceModelHandlers, VariableSpec
from ocppwire.storage import StationStore
from ocppwire.v201 import catalog, station

FAN_MODE = VariableSpec(
    component="AcmeCtrlr", variable="FanMode", data_type=DataType.OPTION_LIST, values_list=("auto", "on", "off")
)


def build_model(store: StationStore) -> DeviceModel:
    model = DeviceModel(store=store)
    model.add(catalog.OCPPCommCtrlr.HeartbeatInterval, 300, persistent=True)
    model.add(FAN_MODE, "auto", persistent=True, reboot_required=True)
    model.add(catalog.SampledDataCtrlr.TxUpdatedInterval, 60)
    return model


class Station(DeviceModelHandlers, station.ChargingStationHandler):
    def __init__(self, model: DeviceModel) -> None:
        self.device_model = model


async def main(db: str, url: str, identity: str) -> None:
    store = StationStore(db)
    async with station.connect(url, identity=identity, handler=Station(build_model(store))):
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
