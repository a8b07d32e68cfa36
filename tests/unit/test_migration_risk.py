"""Risky statements read from migration files: SQL and Laravel schema builder, up part only."""

from staging_gate.probes import migration_risk as risk

SQL = """-- @up
ALTER TABLE retell_call_sessions MODIFY COLUMN duration_sec BIGINT NOT NULL;
ALTER TABLE users DROP COLUMN legacy_pin;
RENAME TABLE calls_old TO calls_archive;
CREATE INDEX idx_x ON appointments (company_id, starts_at);
ALTER TABLE appointments DROP INDEX idx_old;
-- @down
DROP TABLE calls_archive;
"""

LARAVEL = """<?php
return new class extends Migration {
    public function up(): void
    {
        Schema::table('retell_call_sessions', function (Blueprint $table) {
            $table->string('status', 64)->change();
            $table->renameColumn('from_number', 'caller_number');
        });
        Schema::dropIfExists('portal_drafts');
        Schema::table('customers', function (Blueprint $table) {
            $table->index(['company_id', 'email']);
        });
    }

    public function down(): void
    {
        Schema::table('retell_call_sessions', function (Blueprint $table) {
            $table->dropColumn('status');
        });
    }
};
"""


def kinds(found: list[risk.RiskyStatement]) -> list[tuple[str, str | None]]:
    return [(r.kind, r.table) for r in found]


def test_sql_migration_up_part_only() -> None:
    found = risk.scan("2026_01_01_000000_x", SQL)
    assert kinds(found) == [("type change", "retell_call_sessions"), ("drop", "users"),
                            ("rename", "calls_old")]


def test_laravel_schema_builder_with_enclosing_table() -> None:
    found = risk.scan("2026_01_02_000000_y", LARAVEL)
    assert kinds(found) == [("type change", "retell_call_sessions"),
                            ("rename", "retell_call_sessions"), ("drop", "portal_drafts")]


def test_creating_tables_and_indexes_is_not_risky() -> None:
    text = "-- @up\nCREATE TABLE t (id INT);\nALTER TABLE users ADD COLUMN role VARCHAR(32);\n"
    assert risk.scan("m", text) == []


def test_type_changes_flagged_only_on_large_or_unknown_tables() -> None:
    found = risk.scan("m", SQL) + risk.scan("l", LARAVEL)
    kept = risk.judge(found, {"retell_call_sessions": 999, "users": 10}, large_table_rows=1000)
    assert ("type change", "retell_call_sessions") not in kinds(kept)
    assert ("drop", "users") in kinds(kept)
    big = risk.judge(found, {"retell_call_sessions": 5_000_000}, large_table_rows=1000)
    assert big[0].describe().startswith(
        "m: type change on retell_call_sessions (~5,000,000 rows): ALTER TABLE")


def test_unapplied_keeps_stagings_order() -> None:
    assert risk.unapplied(["a", "b", "c", "d"], ["c", "a"]) == ["b", "d"]
