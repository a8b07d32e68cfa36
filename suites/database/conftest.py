"""Phase 2 wiring: every check reads the schema through one read-only query function."""

import pytest

from staging_gate.probes import schema


@pytest.fixture
def query(db) -> schema.Query:
    return schema.query_runner(db)
