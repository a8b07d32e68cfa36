"""Probes: the typed logic behind the checks in `suites/`.

Each module measures one part of the target from the outside (DNS, TLS, HTTP, health,
schema, cache) and returns plain values or lists of problems; the suites only wire and assert.
"""
