"""Every version has the same role modules and classes; 1.6 also speaks its own words (Central System, Charge Point)."""

from __future__ import annotations

import importlib

import pytest

from ocppgen.render import role_names
from ocppwire.v16 import central_system, charge_point
from ocppwire.v16 import csms as csms16
from ocppwire.v16 import station as station16


@pytest.mark.parametrize("version", ["v16", "v201", "v21"])
def test_the_api_has_the_same_shape_in_every_version(version: str) -> None:
    csms = importlib.import_module(f"ocppwire.{version}.csms")
    station = importlib.import_module(f"ocppwire.{version}.station")
    assert set(csms.__all__) == {"BINDING", "ChargingStationClient", "CsmsHandler", "CsmsServer", "ServerOptions", "serve"}
    assert set(station.__all__) == {
        "BINDING",
        "ChargingStationHandler",
        "ClientOptions",
        "CsmsClient",
        "StationConnection",
        "connect",
    }
    actions = importlib.import_module(f"ocppwire.{version}.actions")
    assert {"ACTIONS", "CSMS_SENDS", "STATION_SENDS", "OCPP_VERSION", "SUBPROTOCOL"} <= set(actions.__all__)


def test_16_alias_modules_export_the_same_objects() -> None:
    assert central_system.CentralSystemHandler is csms16.CsmsHandler
    assert central_system.ChargePointClient is csms16.ChargingStationClient
    assert central_system.serve is csms16.serve and central_system.BINDING is csms16.BINDING
    assert charge_point.ChargePointHandler is station16.ChargingStationHandler
    assert charge_point.CentralSystemClient is station16.CsmsClient
    assert charge_point.connect is station16.connect and charge_point.BINDING is station16.BINDING
    for name in ("v201", "v21"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"ocppwire.{name}.central_system")


def test_16_docstrings_use_16_words() -> None:
    assert role_names("1.6").csms == "Central System" and role_names("2.1").station == "Charging Station"
    assert "Central System" in (csms16.__doc__ or "") and "CSMS role" not in (csms16.__doc__ or "")
    doc = csms16.ChargingStationClient.reset.__doc__ or ""
    assert "Send Reset to the Charge Point" in doc
    from ocppwire.v16 import messages

    assert "(sent by the Charge Point to the Central System)" in " ".join(
        (messages.HeartbeatRequest.__doc__ or "").split()
    )
