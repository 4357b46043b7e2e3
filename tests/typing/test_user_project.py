"""A user's own file, in a folder outside the repository, type-checks against the dev install.

Nothing but the venv: no MYPYPATH, no config file, the user's folder as working directory. This fails
when ocppwire is installed in an editable mode whose import hook type checkers cannot follow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

USER_FILE = """
import asyncio
import datetime as dt

from ocppwire.runtime.struct import value_or_default
from ocppwire.v201 import csms, station, enums as e, messages as m, types as t


class MyCsms(csms.CsmsHandler):
    async def boot_notification(
        self, station: csms.ChargingStationClient, req: m.BootNotificationRequest
    ) -> m.BootNotificationResponse:
        return m.BootNotificationResponse(
            current_time=dt.datetime.now(dt.timezone.utc), interval=300, status=e.RegistrationStatusEnumType.ACCEPTED
        )

    async def meter_values(self, station: csms.ChargingStationClient, req: m.MeterValuesRequest) -> m.MeterValuesResponse:
        for value in req.meter_value:
            for sample in value.sampled_value:
                measurand: e.MeasurandEnumType = value_or_default(sample, "measurand", e.MeasurandEnumType)
                print(measurand.value, sample.value)
        return m.MeterValuesResponse()


async def main() -> None:
    async with csms.serve(MyCsms(), host="127.0.0.1", port=0) as server:
        async with station.connect(server.url, identity="CS001", handler=station.ChargingStationHandler()) as conn:
            boot = await conn.peer.boot_notification(
                m.BootNotificationRequest(
                    charging_station=t.ChargingStationType(model="M", vendor_name="V"),
                    reason=e.BootReasonEnumType.POWER_UP,
                )
            )
            interval: int = boot.interval
            print(interval)


asyncio.run(main())
"""

MISUSE = """
from ocppwire.runtime.struct import value_or_default
from ocppwire.v201 import enums as e, types as t

sample = t.SampledValueType(value=1.0)
wrong: int = value_or_default(sample, "measurand", e.MeasurandEnumType)
untyped: str = value_or_default(sample, "measurand")
"""


def run_user_mypy(folder: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    (folder / name).write_text(text)
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    mypy = Path(sys.executable).parent / "mypy"
    return subprocess.run(
        [str(mypy), "--strict", "--no-error-summary", "--cache-dir", str(folder / ".cache"), name],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_users_file_outside_the_repository_is_strict_clean(tmp_path: Path) -> None:
    result = run_user_mypy(tmp_path, "my_csms.py", USER_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_users_mistakes_are_found(tmp_path: Path) -> None:
    result = run_user_mypy(tmp_path, "misuse.py", MISUSE)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["6", "7"], result.stdout + result.stderr
    assert 'has type "MeasurandEnumType", variable has type "int"' in errors[0]
    assert 'has type "object", variable has type "str"' in errors[1]
