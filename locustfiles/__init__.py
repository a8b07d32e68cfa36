"""Locustfiles shipped with the gate (found through `staging_gate.resources.locustfile`)."""
