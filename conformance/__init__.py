"""Differential conformance harness: ocppwire's payload decoder against the official OCPP schemas.

The official JSON schemas of each OCPP version (1.6, 2.0.1, 2.1: :data:`.schemas.VERSIONS`) are the
oracle. For every schema file the harness generates valid payloads and payloads broken by one
deliberate mutation, feeds the same JSON bytes to ``ocppwire.runtime.payload.decode`` (with the
generated type of that version) and to the ``jsonschema`` validator of the file's draft (Draft 4 for
the 1.6 core, Draft 6 for the rest), and checks that

- both accept or both reject every case, and
- every rejection by our decoder maps (``error_for_validation``) to the CALLERROR code the
  mutation implies under the project's policy table.

Modules: :mod:`.schemas` (the schema files), :mod:`.datetimes` (RFC 3339 checker and samples),
:mod:`.oracle` and :mod:`.subject` (the two judges), :mod:`.instances` (valid payloads),
:mod:`.mutations` (one-fault payloads), :mod:`.probes` (edge cases aimed at known differences),
:mod:`.deviations` (the documented, deliberate differences), :mod:`.known_bugs` (reported runtime
bugs, counted apart until fixed), :mod:`.uris` (RFC 3986 for ``format: uri``), :mod:`.cases` (the case stream),
:mod:`.run` and :mod:`.report` (running and the agreement table). ``python -m conformance`` is
the standalone runner; ``tests/conformance`` runs a bounded slice under pytest. The frame fuzzer
(:mod:`.framefuzz`, :mod:`.frames`) covers each version's codec, its frame types and code spellings.
"""
