"""Root conftest: nothing to wire. The gate's fixtures (`fixtures/`) are registered by the
plugin (`staging_gate.run.plugin`, entry point ``pytest11``), so an installed gate has them too;
all logic lives in `staging_gate/`."""
