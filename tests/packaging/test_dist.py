"""Both distributions build as sdist + wheel, pass `twine check`, and the ocppwire wheel works alone.

The builds run on a copy of the sources (the worktree gets no build/ or egg-info folders) without build
isolation (setuptools is pinned in the [test] extra, so no download). The wheel goes into a fresh venv
whose only other packages are ocppwire's own dependencies, fetched by pip; a program run from an empty
folder imports ocppwire from that venv and runs a CSMS and a station over loopback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ..conftest import GENERATED, ROOT
from .versions import VERSION

IGNORE = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", ".*")

PROGRAM = """
import asyncio, datetime as dt, pathlib, sys
import ocppwire
from ocppwire.v201 import csms, station, enums as e, messages as m, types as t

assert pathlib.Path(ocppwire.__file__).is_relative_to(sys.prefix), ocppwire.__file__

class Csms(csms.CsmsHandler):
    async def boot_notification(self, station, req):
        return m.BootNotificationResponse(current_time=dt.datetime.now(dt.timezone.utc), interval=60,
                                          status=e.RegistrationStatusEnumType.ACCEPTED)

async def main():
    async with csms.serve(Csms(), "127.0.0.1", 0) as server:
        async with station.connect(server.url, identity="WHEEL1", handler=station.ChargingStationHandler()) as conn:
            res = await conn.peer.boot_notification(m.BootNotificationRequest(
                charging_station=t.ChargingStationType(model="M", vendor_name="V"), reason=e.BootReasonEnumType.POWER_UP))
            print(ocppwire.__version__, res.status, res.interval)

asyncio.run(main())
"""


def run(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel of ocppwire and of ocppgen, built from copies of the sources."""
    work = tmp_path_factory.mktemp("dist")
    out = work / "dist"
    shutil.copytree(GENERATED, work / "ocppwire-src", ignore=IGNORE)
    root = work / "ocppgen-src"
    root.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("generator", "templates"):
        shutil.copytree(ROOT / folder, root / folder, ignore=IGNORE)
    logs = []
    for source in ("ocppwire-src", "ocppgen-src"):
        result = run(
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--sdist",
            "--wheel",
            "--outdir",
            str(out),
            source,
            cwd=work,
        )
        logs.append(result.stdout + result.stderr)
    (work / "build.log").write_text("\n".join(logs))
    return out


def test_setuptools_has_no_warning_about_the_metadata(dist: Path) -> None:
    log = (dist.parent / "build.log").read_text()
    assert "adding license file 'LICENSE'" in log
    assert not [line for line in log.splitlines() if "deprecat" in line.lower() or "SetuptoolsWarning" in line], log


def test_both_distributions_build_and_pass_twine_check(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [
        f"{name}-{VERSION}{suffix}" for name in ("ocppgen", "ocppwire") for suffix in ("-py3-none-any.whl", ".tar.gz")
    ]
    result = run(
        str(Path(sys.executable).parent / "twine"), "check", "--strict", *sorted(map(str, dist.iterdir())), cwd=dist
    )
    assert result.stdout.count("PASSED") == 4, result.stdout


def test_the_wheel_ships_types_license_and_metadata(dist: Path) -> None:
    (wheel,) = dist.glob("ocppwire-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        files = set(archive.namelist())
        metadata = archive.read(next(f for f in files if f.endswith(".dist-info/METADATA"))).decode()
    assert {"ocppwire/py.typed", "ocppwire/v201/py.typed", "ocppwire/runtime/handler_check.py"} <= files
    assert any(f.endswith(".dist-info/licenses/LICENSE") for f in files)
    assert "License-Expression: MIT" in metadata and "Requires-Python: >=3.11" in metadata
    assert not any(f.startswith(("tests/", "examples/")) for f in files)


def test_the_wheel_installs_into_a_fresh_venv_and_runs_a_csms_and_a_station(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("ocppwire-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "-q",
        "--disable-pip-version-check",
        str(wheel),
        cwd=tmp_path,
        timeout=300,
    )
    user = tmp_path / "user"
    user.mkdir()
    (user / "main.py").write_text(PROGRAM)
    result = run(str(python), "main.py", cwd=user, timeout=60)
    assert result.stdout.split() == [VERSION, "Accepted", "60"]
    # the command line's typer comes with the [sim] extra; without it, one line says so
    sim = subprocess.run(
        [str(venv / "bin" / "ocppwire-sim"), "--help"], cwd=user, capture_output=True, text=True, timeout=60
    )
    assert (sim.returncode, sim.stderr) == (
        1,
        'ocppwire-sim: the command line needs typer: pip install "ocppwire[sim]"\n',
    )
