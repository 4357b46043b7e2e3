"""A CSMS in a process of its own, for measurements the test process would distort (its RSS).

``python -m tests.reliability.csms_process [--max-size N]`` prints ``PORT <n>`` once listening,
logs at WARNING to stderr, and serves until its stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys

from ocppwire.v201 import csms
from ocppwire.v201 import messages as m


class HeartbeatCsms(csms.CsmsHandler):
    async def heartbeat(self, station: csms.ChargingStationClient, req: m.HeartbeatRequest) -> m.HeartbeatResponse:
        return m.HeartbeatResponse(current_time=dt.datetime.now(dt.timezone.utc))


async def main(max_size: int) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    options = csms.ServerOptions(max_message_size=max_size, ping_interval=0)
    async with csms.serve(HeartbeatCsms(), "127.0.0.1", 0, options=options) as server:
        print(f"PORT {server.port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-size", type=int, default=2**20)
    asyncio.run(main(parser.parse_args().max_size))
