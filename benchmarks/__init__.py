"""Side-by-side benchmarks of ocppwire against the ``ocpp`` package (PyPI); run with ``make bench``.

Not part of the test suite: these are measurements, printed as tables, never assertions.
"""
