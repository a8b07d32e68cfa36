from collections.abc import Sequence

import pytest

from staging_gate.errors import CouldNotVerify
from staging_gate.probes import schema
from staging_gate.probes.schema import AppliedMigration, ColumnInfo, Row

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
    assert report.latest_applied == "2099_01_01_000000_hotfix"  # it was applied last


@pytest.mark.parametrize(
    "odd_name",
    ["_*_create_calendar_event_types_table", "2099_12_31_235959_future_dated", "zz_legacy"],
)
def test_latest_applied_is_the_last_ledger_row_not_the_alphabetically_last(odd_name):
    """AskPro's ledger: odd names applied early sort after the real last migration."""
    applied = [
        AppliedMigration(odd_name, 1, 1),
        AppliedMigration(EXPECTED[0], 1, 2),
        AppliedMigration(LATEST, 2, 3),
    ]
    report = schema.compare_migrations(applied, EXPECTED, LATEST)
    assert report.latest_applied == LATEST and report.latest_ok


def _ledger_query(rows: list[Row], exists: bool = True) -> schema.Query:
    def query(sql: str, args: Sequence[object]) -> list[Row]:
        if "information_schema.TABLES" in sql:
            return [{"n": 1 if exists else 0}]
        return rows

    return query


def test_ledger_is_read_in_batch_then_id_order():
    rows = [
        {"id": 3, "migration": "2025_08_14_000001_secure_api_keys_migration", "batch": 1035},
        {"id": 1, "migration": "*_fix_staff_branch_id_field", "batch": 1},
        {"id": 311, "migration": "_*_create_calendar_event_types_table", "batch": 35},
        {"id": 2, "migration": "2019_12_14_000001_create_personal_access_tokens_table", "batch": 1},
    ]
    applied = schema.applied_migrations(_ledger_query(rows), "migrations")
    assert [(m.batch, m.id) for m in applied] == [(1, 1), (1, 2), (35, 311), (1035, 3)]
    assert schema.compare_migrations(applied, (), applied[-1].name).latest_ok


def test_ledger_without_id_column_orders_a_batch_by_name_like_laravel():
    rows = [
        {"migration": "2014_10_12_100000_b", "batch": 2},
        {"migration": "2014_10_12_000000_a", "batch": 1},
        {"migration": "2014_10_12_000001_c", "batch": 2},
    ]
    applied = schema.applied_migrations(_ledger_query(rows), "migrations")
    assert [m.name for m in applied] == ["2014_10_12_000000_a", "2014_10_12_000001_c",
                                         "2014_10_12_100000_b"]
    assert applied[0].id is None


def test_missing_ledger_table_is_its_own_error():
    with pytest.raises(schema.LedgerMissing):
        schema.applied_migrations(_ledger_query([], exists=False), "migrations")


SQUASHED = ["*_fix_staff_branch_id_field", "2025_01_13_add_capacity_fields_to_staff",
            "_*_create_calendar_event_types_table", "2025_08_14_000001_secure_api_keys_migration"]
SHIPPED = ("2025_09_21_add_performance_indexes", "2025_09_22_112232_add_missing_fields")


def test_squashed_schema_rows_are_expected_not_unknown():
    applied = [AppliedMigration(name, 1, i) for i, name in enumerate(SQUASHED, 1)]
    applied += [AppliedMigration(name, 2, 10 + i) for i, name in enumerate(SHIPPED)]
    report = schema.compare_migrations(applied, SHIPPED, SHIPPED[-1], (), SQUASHED[-1])
    assert report.unknown == () and report.pending == () and report.latest_ok
    assert report.squashed == tuple(SQUASHED) and report.squash_missing is None


def test_rows_after_the_squash_point_are_still_judged():
    applied = [AppliedMigration(name, 1, i) for i, name in enumerate(SQUASHED, 1)]
    applied += [AppliedMigration("2025_09_30_000000_from_another_branch", 2, 9)]
    applied += [AppliedMigration(name, 2, 10 + i) for i, name in enumerate(SHIPPED)]
    report = schema.compare_migrations(applied, SHIPPED, SHIPPED[-1], (), SQUASHED[-1])
    assert report.unknown == ("2025_09_30_000000_from_another_branch",)


def test_squashed_dump_not_loaded_is_reported():
    applied = [AppliedMigration(name, 1, i) for i, name in enumerate(SHIPPED)]
    report = schema.compare_migrations(applied, SHIPPED, SHIPPED[-1], (), SQUASHED[-1])
    assert report.squash_missing == SQUASHED[-1]
    assert report.pending == ()


def test_without_squash_key_every_pruned_row_is_unknown():
    applied = [AppliedMigration(name, 1, i) for i, name in enumerate(SQUASHED, 1)]
    applied += [AppliedMigration(name, 2, 10 + i) for i, name in enumerate(SHIPPED)]
    report = schema.compare_migrations(applied, SHIPPED, SHIPPED[-1])
    assert report.unknown == tuple(SQUASHED)


def test_reported_pending_lines_are_added():
    applied = [AppliedMigration(name, 1) for name in EXPECTED]
    report = schema.compare_migrations(applied, EXPECTED, LATEST, ["2026_01_01_000000_x"])
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


def _key_query(fk_rows: list[Row]) -> schema.Query:
    def query(sql: str, args: Sequence[object]) -> list[Row]:
        assert "KEY_COLUMN_USAGE" in sql
        return fk_rows

    return query


def test_tenant_key_from_profile_wins():
    assert schema.tenant_key(_key_query([]), "db", "tenants.uuid", ["calls"], "tenant_id") == (
        "tenants.uuid"
    )


def test_tenant_key_read_from_foreign_keys_of_tenant_tables():
    rows = [
        {"tbl": "calls", "ref_table": "companies", "ref_column": "id"},
        {"tbl": "staff", "ref_table": "companies", "ref_column": "id"},
        {"tbl": "not_a_tenant_table", "ref_table": "legacy_companies", "ref_column": "id"},
    ]
    assert schema.tenant_key(_key_query(rows), "db", None, ["calls", "staff"], "company_id") == (
        "companies.id"
    )


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ([], "no foreign key names it"),
        (
            [
                {"tbl": "calls", "ref_table": "companies", "ref_column": "id"},
                {"tbl": "staff", "ref_table": "tenants", "ref_column": "id"},
            ],
            "foreign keys name companies.id, tenants.id",
        ),
    ],
)
def test_tenant_key_unknown_is_could_not_verify(rows, said):
    with pytest.raises(CouldNotVerify, match=said) as error:
        schema.tenant_key(_key_query(rows), "db", None, ["calls", "staff"], "company_id")
    assert error.value.fix.startswith("set database.tenant_key")


COMPANIES_ID = ColumnInfo("companies", False, "bigint(20) unsigned")


def test_tenant_column_stored_as_text_is_a_finding():
    """AskPro: nine tenant tables carry company_id as text, companies.id is an integer."""
    columns = {
        "audit_logs": ColumnInfo("audit_logs", False, "char(36)", "utf8mb4_unicode_ci"),
        "staff": ColumnInfo("staff", False, "bigint unsigned"),  # MySQL 8 drops the width
        "billing_periods": ColumnInfo("billing_periods", False, "char(36)", "utf8mb4_unicode_ci"),
        "usage": ColumnInfo("usage", True, "varchar(255)", "utf8mb4_unicode_ci"),
    }
    problems = schema.tenant_type_problems(
        columns, ["audit_logs", "staff", "billing_periods", "usage", "missing"], "companies.id",
        COMPANIES_ID, "company_id",
    )
    assert [p.split(": ")[0] for p in problems] == [
        "audit_logs.company_id, billing_periods.company_id are char(36), the tenant key "
        "companies.id is bigint(20) unsigned",
        "usage.company_id is varchar(255), the tenant key companies.id is bigint(20) unsigned",
    ]
    assert "converts one side silently (text '12abc' equals 12)" in problems[0]


def test_a_long_group_of_tables_is_cut_short():
    columns = {f"t{i}": ColumnInfo(f"t{i}", False, "char(36)") for i in range(14)}
    problems = schema.tenant_type_problems(
        columns, list(columns), "companies.id", COMPANIES_ID, "company_id", shown=3
    )
    assert problems[0].startswith(
        "t0.company_id, t1.company_id, t2.company_id and 11 more are char(36)"
    )
