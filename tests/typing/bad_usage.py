"""Mistakes mypy --strict must report against the generated bindings (tests/typing)."""

from __future__ import annotations

from ocppwire.v201 import enums, messages

wrong_type = messages.HeartbeatResponse(current_time="2026-01-01T00:00:00Z")  # E: str is not datetime
missing = messages.BootNotificationResponse(interval=1, status=enums.RegistrationStatusEnumType.ACCEPTED)  # E: current_time missing
unknown = messages.HeartbeatRequest(vendor="x")  # E: unexpected keyword
bad_enum: enums.RegistrationStatusEnumType = "Accepted"  # E: str is not the enum
