"""Differential conformance harness: ocppwire's payload decoder against the official OCPP schemas.

The official 2.0.1 JSON schemas are the oracle. For every schema file the harness generates valid
payloads and payloads broken by one deliberate mutation, feeds the same JSON bytes to
``ocppwire.runtime.payload.decode`` and to the ``jsonschema`` Draft 6 validator, and checks that

- both accept or both reject every case, and
- every rejection by our decoder maps (``error_for_validation``) to the CALLERROR code the
  mutation implies under the project's policy table.

Modules: :mod:`.schemas` (the schema files), :mod:`.datetimes` (RFC 3339 checker and samples),
:mod:`.oracle` and :mod:`.subject` (the two judges), :mod:`.instances` (valid payloads),
:mod:`.mutations` (one-fault payloads), :mod:`.probes` (edge cases aimed at known differences),
:mod:`.deviations` (the documented, deliberate differences), :mod:`.cases` (the case stream),
:mod:`.run` and :mod:`.report` (running and the agreement table). ``python -m conformance`` is
the standalone runner; ``tests/conformance`` runs a bounded slice under pytest.
"""
