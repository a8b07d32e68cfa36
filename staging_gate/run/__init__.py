"""The run (CLI, pytest plugin, Locust, reference launcher): may import every room of the gate.

Nothing else imports this room, except `staging_gate.__main__` and the entry points
(`staging-gate` → `run.cli:main`, `pytest11` → `run.plugin`). Rules: ARCHITECTURE.md.
"""
