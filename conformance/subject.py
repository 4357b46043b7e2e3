"""The judge under test: ``ocppwire.runtime.payload.decode`` plus the policy mapping of its errors.

A ``msgspec.ValidationError`` is mapped by ``error_for_validation`` to the CALLERROR code the
runtime would send. A ``msgspec.DecodeError`` (text msgspec cannot parse as JSON) never reaches
that mapping - the frame codec handles it - so it is reported as the pseudo-code ``DecodeError``.
Anything else escaping the decoder is a crash and reported as ``crash:<ExceptionType>``.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from ocppwire.runtime.errors import error_for_validation
from ocppwire.runtime.payload import decode

from .schemas import MessageSchema

__all__ = ["DECODE_ERROR", "SubjectVerdict", "judge"]

DECODE_ERROR = "DecodeError"


@dataclass(frozen=True, slots=True)
class SubjectVerdict:
    """Whether our decoder accepts the payload; for a rejection, the code and description."""

    accepted: bool
    code: str = ""
    description: str = ""


def judge(schema: MessageSchema, data: bytes) -> SubjectVerdict:
    """Decode ``data`` as the schema's generated payload type and report the outcome."""
    try:
        decode(schema.payload_type, data)
    except msgspec.ValidationError as exc:
        error = error_for_validation(exc)
        return SubjectVerdict(False, error.code.value, error.description)
    except msgspec.DecodeError as exc:
        return SubjectVerdict(False, DECODE_ERROR, str(exc))
    except Exception as exc:  # noqa: BLE001 - a crash is a finding, not a harness failure
        return SubjectVerdict(False, f"crash:{type(exc).__name__}", str(exc))
    return SubjectVerdict(True)
