"""Root conftest: wires the fixture modules; all logic lives in `staging_gate/`."""

pytest_plugins = [
    "fixtures.target",
    "fixtures.http",
    "fixtures.db",
    "fixtures.cache",
    "fixtures.browser",
    "fixtures.tenants",
    "fixtures.flags",
    "fixtures.logs",
]
