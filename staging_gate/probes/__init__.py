"""Probes (the checks' logic): may import the foundation and the deployment room, never pytest.

Each module measures one part of the target from the outside (DNS, TLS, HTTP, health,
schema, cache) and returns plain values or lists of problems; the suites only wire and assert.
"""
