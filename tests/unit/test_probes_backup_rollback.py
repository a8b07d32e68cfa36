"""P7.2 logic: schema snapshots, their diff, and what one rollback step must have done."""

from staging_gate.probes import rollback
from staging_gate.probes.schema import AppliedMigration as M
from staging_gate.probes.schema import Query

LATEST = "2025_10_26_115644_add_customer_portal_performance_indexes"


def fake_query(columns: list[dict[str, object]], indexes: list[dict[str, object]]) -> Query:
    def query(sql: str, args: object) -> list[dict[str, object]]:
        return columns if "COLUMNS" in sql else indexes

    return query


COLUMN = {"tbl": "appointments", "col": "company_id", "pos": 2, "type": "bigint(20) unsigned",
          "nullable": "NO", "dflt": None, "extra": "", "coll": None}
INDEX = [
    {"tbl": "appointments", "idx": "idx_appointments_company_starts", "non_unique": 1,
     "col": "company_id", "sub": None},
    {"tbl": "appointments", "idx": "idx_appointments_company_starts", "non_unique": 1,
     "col": "starts_at", "sub": None},
    {"tbl": "appointments", "idx": "PRIMARY", "non_unique": 0, "col": "id", "sub": None},
]


def test_snapshot_normalizes_columns_and_indexes():
    snap = rollback.snapshot(fake_query([COLUMN], INDEX), "s")
    wanted = "index appointments.idx_appointments_company_starts (company_id, starts_at)"
    assert wanted in snap.lines
    assert "index appointments.PRIMARY UNIQUE (id)" in snap.lines
    assert any(line.startswith("column appointments.company_id #2 bigint") for line in snap.lines)
    assert snap.has_index("appointments", "idx_appointments_company_starts")


def test_equal_schemas_have_no_diff_and_changes_read_as_diff():
    before = rollback.snapshot(fake_query([COLUMN], INDEX), "s")
    assert rollback.diff(before, before) == []
    after = rollback.snapshot(fake_query([{**COLUMN, "nullable": "YES"}], INDEX[2:]), "s")
    lines = rollback.diff(before, after)
    assert "- index appointments.idx_appointments_company_starts (company_id, starts_at)" in lines
    assert any(line.startswith("+ column appointments.company_id") and " NULL " in line
               for line in lines)
    gone = [("appointments", "idx_appointments_company_starts")]
    assert rollback.lingering_indexes(after, gone) == []


def test_rollback_of_the_latest_migration_is_fine():
    step = rollback.RollbackStep((M("a", 1), M(LATEST, 2)), (M("a", 1),))
    assert step.rolled_back == [LATEST]
    assert step.problems(LATEST) == []


def test_rollback_that_changed_nothing_is_named():
    step = rollback.RollbackStep((M("a", 1), M(LATEST, 2)), (M("a", 1), M(LATEST, 2)))
    assert "nothing was rolled back" in step.problems(LATEST)[0]


def test_rollback_of_more_than_one_step_is_named():
    step = rollback.RollbackStep((M("a", 1), M(LATEST, 2)), ())
    assert step.problems(LATEST) == [f"rolled back a, {LATEST}; expected exactly {LATEST}"]
