import pytest

from staging_gate.probes import schema
from staging_gate.probes.schema import AppliedMigration, ColumnInfo

LATEST = "2025_10_26_115644_add_customer_portal_performance_indexes"
EXPECTED = ("2024_01_01_000000_create_companies_table", LATEST)


def test_quote_identifier_refuses_anything_but_plain_names():
    assert schema.quote_identifier("retell_call_sessions") == "`retell_call_sessions`"
    for bad in ("a`b", "a b", "x;DROP TABLE y", ""):
        with pytest.raises(ValueError):
            schema.quote_identifier(bad)


def test_all_expected_migrations_applied():
    applied = [AppliedMigration(name, 1) for name in EXPECTED]
    report = schema.compare_migrations(applied, EXPECTED, LATEST)
    assert report.pending == () and report.unknown == () and report.latest_ok


def test_latest_migration_missing_is_pending():
    report = schema.compare_migrations([AppliedMigration(EXPECTED[0], 1)], EXPECTED, LATEST)
    assert report.pending == (LATEST,)
    assert not report.latest_ok
    assert report.latest_applied == EXPECTED[0]


def test_recorded_migration_the_profile_does_not_know_is_unknown():
    applied = [AppliedMigration(n, 1) for n in (*EXPECTED, "2099_01_01_000000_hotfix")]
    report = schema.compare_migrations(applied, EXPECTED, LATEST)
    assert report.unknown == ("2099_01_01_000000_hotfix",)
    assert report.latest_applied == "2099_01_01_000000_hotfix"


def test_pending_parsed_from_laravel_migrate_status_table():
    output = (
        "Migration name                     Batch / Status\n"
        "2024_01_01_000000_create_companies_table   Ran [1]\n"
        f"{LATEST}  Pending\n"
        "2025_11_03_101500_create_portal_exports_table  Ran [2] (unknown to the app)\n"
    )
    assert schema.parse_pending_output(output) == [LATEST]


def test_reported_pending_lines_are_added():
    applied = [AppliedMigration(name, 1) for name in EXPECTED]
    pending = schema.parse_pending_output("\n# pending\n2026_01_01_000000_x\n\n")
    report = schema.compare_migrations(applied, EXPECTED, LATEST, pending)
    assert report.pending == ("2026_01_01_000000_x",)


def test_tenant_column_problems_name_missing_table_column_and_null():
    columns = {
        "calls": ColumnInfo("calls", False, "bigint unsigned"),
        "appointments": ColumnInfo("appointments", True, "bigint unsigned"),
    }
    problems = schema.tenant_column_problems(
        ["calls", "appointments", "staff", "customers"],
        {"calls", "appointments", "customers"},
        columns,
        "company_id",
    )
    assert problems == [
        "appointments.company_id allows NULL (bigint unsigned NULL)",
        "staff: table missing",
        "customers: no company_id column",
    ]


INDEXES = {
    ("calls", "PRIMARY"): ("id",),
    ("calls", "idx_calls_company_created"): ("company_id", "created_at"),
    ("customers", "idx_customers_email_company"): ("email", "company_id"),
}


def test_only_an_index_led_by_the_tenant_column_counts():
    assert schema.unindexed_tenant_tables(["calls", "customers"], INDEXES, "company_id") == [
        "customers"
    ]
    assert schema.missing_indexes(
        INDEXES, [("calls", "idx_calls_company_created"), ("a", "b")]
    ) == ["a.b"]


def test_row_minimums():
    assert schema.below_minimum(
        {"calls": 10, "appointments": 0}, {"calls": 5, "appointments": 1}
    ) == ["appointments: 0 rows, expected at least 1"]


def test_reference_breaches_run_orphan_and_cross_tenant_queries():
    issued: list[str] = []

    def query(sql, args):
        issued.append(sql)
        if "LEFT JOIN" in sql:
            return []
        return [{"id": 7, "tenant": 1, "ref": 9, "ref_tenant": 2}]

    breaches = schema.reference_breaches(
        query,
        [("appointments", "customer_id", "customers"), ("appointments", "company_id", "companies")],
        "company_id",
    )
    assert [b.kind for b in breaches] == ["cross-tenant"]
    assert "appointments.customer_id → customers.id" in breaches[0].describe()
    assert len(issued) == 3  # no cross-tenant query for the tenant column itself
    assert "<=>" in issued[1] and "LIMIT 20" in issued[1]


def test_query_runner_uses_a_cursor_context():
    class Cursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def execute(self, sql, args):
            self.seen = (sql, args)

        def fetchall(self):
            return ({"n": 1},)

    class Connection:
        def cursor(self):
            return Cursor()

    assert schema.query_runner(Connection())("SELECT 1 AS n", ()) == [{"n": 1}]
