"""The run (CLI, pytest plugin, Locust, reference launcher): may import every room of the gate.

No other room of `staging_gate` imports it; fixtures, suites and the locustfile may (the
plugin's options, the load runner). Entry points: `staging-gate` → `run.cli:main`,
`pytest11` → `run.plugin`. Rules: ARCHITECTURE.md.
"""
