"""The public surface: what ``import ocppwire`` offers is pinned, and every exception shares one root."""

from __future__ import annotations

import inspect
import subprocess
import sys

import ocppwire
import ocppwire.runtime.errors
import ocppwire.runtime.exceptions
import ocppwire.runtime.handshake

EXPORTED = {
    # payloads
    "decode",
    "encode",
    "convert",
    "to_builtins",
    "value_or_default",
    "schema_default",
    # vendor extensions
    "CustomData",
    "GenericCustomData",
    "CustomDataRegistry",
    "DataTransferRegistry",
    "call_data_transfer",
    # the error tree
    "OcppwireError",
    "OcppError",
    "ErrorCode",
    "FormatViolationError",
    "GenericError",
    "InternalError",
    "MessageTypeNotSupportedError",
    "NotImplementedOcppError",
    "NotSupportedError",
    "OccurrenceConstraintViolationError",
    "PropertyConstraintViolationError",
    "ProtocolError",
    "RpcFrameworkError",
    "SecurityError",
    "TypeConstraintViolationError",
    "CallTimeoutError",
    "ConnectionClosedError",
    "ConnectionRejectedError",
    "HandshakeRejectedError",
    "InvalidResponseError",
    "QueueFullError",
    "RequestValidationError",
    "__version__",
}


def test_exported_names_are_pinned() -> None:
    assert set(ocppwire.__all__) == EXPORTED
    assert all(hasattr(ocppwire, name) for name in ocppwire.__all__)


def test_every_exception_class_has_one_root_and_ends_in_error() -> None:
    classes = [
        obj
        for module in (ocppwire.runtime.errors, ocppwire.runtime.exceptions, ocppwire.runtime.handshake)
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__
    ]
    assert len(classes) >= 20
    for cls in classes:
        assert issubclass(cls, ocppwire.OcppwireError), cls
        assert cls.__name__.endswith("Error"), cls


def test_errors_that_travel_as_callerrors_are_ocpp_errors_and_local_ones_are_not() -> None:
    assert issubclass(ocppwire.SecurityError, ocppwire.OcppError)
    for local in (ocppwire.CallTimeoutError, ocppwire.ConnectionClosedError, ocppwire.QueueFullError):
        assert not issubclass(local, ocppwire.OcppError)
    assert issubclass(ocppwire.CallTimeoutError, TimeoutError)  # still catchable the standard way


def test_importing_ocppwire_does_not_load_the_websocket_stack() -> None:
    code = "import sys, ocppwire, ocppwire.v201.messages; print('websockets' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False"
