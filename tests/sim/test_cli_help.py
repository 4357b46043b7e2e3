"""``ocppwire-sim`` is a typer command like ``ocppgen``: plain help without ``<bool>``, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ocppwire.sim.cli import SimArgs, build_parser, config_from_args


def sim(*args: str, python_code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", python_code] if python_code else [sys.executable, "-m", "ocppwire.sim", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env={"COLUMNS": "120", "PATH": ""})


def test_help_lists_flags_without_a_bool_type() -> None:
    result = sim("--help")
    assert result.returncode == 0, result.stderr
    assert "<bool>" not in result.stdout
    for flag in ("--no-boot", "--no-compression", "--json", "-n, --stations", "heartbeat|meter-values|transactions"):
        assert flag in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ws://h/ocpp", "-n", "0"], "Invalid value for '-n' / '--stations'"),
        (["ws://h/ocpp", "--scenario", "nope"], "Invalid value for '--scenario'"),
        (["ws://h/ocpp", "--duration", "0"], "duration must be positive"),
        ([], "Missing argument 'URL'"),
    ],
)
def test_bad_arguments_exit_2_with_a_usage_error(args: list[str], message: str) -> None:
    result = sim(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_without_typer_the_command_says_which_extra_to_install() -> None:
    code = "import sys; sys.modules['typer'] = None; from ocppwire.sim.cli import main; sys.exit(main(['--help']))"
    result = sim(python_code=code)
    assert result.returncode == 1
    assert result.stderr == 'ocppwire-sim: the command line needs typer: pip install "ocppwire[sim]"\n'


def test_parse_args_defaults() -> None:
    args = build_parser().parse_args(["ws://h/ocpp"])
    assert args == SimArgs(url="ws://h/ocpp")
    assert config_from_args(args).scenario.boot
