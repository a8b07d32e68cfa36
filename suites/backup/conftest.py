"""Phase 7 wiring: SQL through one query function (the same helper phase 2 reads with)."""

import pytest

from staging_gate.probes import schema


@pytest.fixture
def query(db) -> schema.Query:
    return schema.query_runner(db)
