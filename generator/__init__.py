"""ocppgen: generate typed msgspec bindings and role stubs from OCPP JSON schemas.

Modules, each importing only those listed before it (tests/generator/test_import_graph.py checks
that the import graph has no cycle):

- ``errors``, ``naming``, ``docstrings``: the one exception type; wire names to Python names; clean text.
- ``jsonfile``: load a JSON file, JSON pointers, hash input files.
- ``catalog``: read and validate the device-model catalogue files of a schema folder.
- ``model``: the intermediate model (enums, structs, fields, actions, the extension set).
- ``inline``: names for inline object and enum schemas (OCPP 1.6).
- ``reader``: one folder of schema files plus ``actions.json`` → a ``SchemaSet``.
- ``extensions``: a vendor extension folder (customData, DataTransfer, patches).
- ``schema``: the orchestrator, the only module that puts schemas, patches, extensions and
  catalogues together (``read_schema_set``).
- ``catalog_view``, ``render``, ``output``: model → template views → formatted files → disk.
- ``installed_catalog``, ``catalog_cli``, ``cli``: the ``ocppgen`` command line.
"""

__version__ = "0.1.0"
