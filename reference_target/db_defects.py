"""Database-layer seeded defects: ``apply(state_dir, name, on)``.

Each ``on`` saves what it changes in ``DIR/db_defects/NAME.json`` (whose existence marks
the defect active); ``off`` puts exactly that back. Tables taken away are parked in the
root-only database ``reference_target_stash`` (the app user cannot see it) so they come
back byte for byte. After every switch the app's cache keys are cleared so the dashboard
never shows numbers from before the switch.

``db_named_like_production``: every table of ``askproai_staging`` is moved (RENAME TABLE)
into a new database ``askproai_db`` - the production database's name - the app user is
granted access to it and ``DB_DATABASE=askproai_db`` is written to ``.env.staging``; the
app follows the env file, so the site keeps working while ``askproai_staging`` is left as
an empty shell. Observable: ``SHOW DATABASES`` (as the app user) lists ``askproai_db``
holding the tables, ``askproai_staging`` has no tables, ``DB_DATABASE`` in the env file
names the production database. ``off`` moves the tables back, drops ``askproai_db`` and
revokes the grant.

``ledger_legacy_names``: the migrations table is rewritten so that its first rows (batch 1)
are a legacy ``_*_fix_staff_branch_id_field`` and a future-dated
``2099_12_31_235959_add_legacy_flags`` — rows like those in AskPro's real ledger, which sort
after every real migration by name. The other rows keep their order, their ids moved up by
two; ``off`` deletes the two and moves the ids back. With ``pending_migration`` also on, the
last row in ledger order is ``2024_06_10_000000_add_role_to_users_table``.

``tenant_column_type_mismatch``: ``retell_call_events.company_id`` becomes VARCHAR(20)
(values and index kept), while ``companies.id`` stays BIGINT UNSIGNED.

``rollback_fails`` and ``restore_loses_table`` change the tools, not the schema: the first
gives the latest migration a ``down`` whose first statement drops a misspelt index (so
``artisan migrate:rollback`` exits 1 and changes nothing); the second makes
``artisan db:dump`` skip ``retell_call_events``.

``backup_production_copy`` makes staging look like a production copy (it breaks nothing the
checklist forbids; P7.1 must still restore it): a view whose DEFINER ``prod_user``@``%``
does not exist here (mariadb-dump then writes its body with columns qualified by the
database, ``select `askproai_staging`.`retell_call_sessions`.`company_id` ... from
`retell_call_sessions```), a procedure and a trigger whose bodies name the database, and a
transcript line quoting the database name as text. ``backup_float_precision`` adds a FLOAT
column ``retell_call_sessions.sentiment_score`` holding values with more than 6 significant
digits: mariadb-dump writes 6, so the restored copy differs in that column.
``db_user_without_create`` revokes the app user's grant on the scratch databases
(the seed's own grant, Part 2.3, is ``askproai_staging.*`` only): no scratch database. (On
the filament dialect the app user never had it: the scratch user's grant is revoked.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reference_target import cache_admin, envfile
from reference_target.dbconfig import (
    MONITOR_USER,
    PRODUCTION_DATABASE,
    STASH_DATABASE,
    DbConnection,
    Runtime,
    app_database,
    connect_root,
    load_runtime,
)
from reference_target.dialect import Names
from reference_target.migrations import latest

Saved = dict[str, Any]
LOST_TABLE = "retell_call_events"
# A misspelt index name in the faulty down migration (rollback_fails), per dialect.
BROKEN_INDEX = {"reference": "idx_appointments_company_start",
                "filament": "appointments_company_id_scheduled_index"}
FAKE_MIGRATION = "2025_11_03_101500_create_portal_exports_table"
LEGACY_MIGRATIONS = ("_*_fix_staff_branch_id_field", "2099_12_31_235959_add_legacy_flags")
REAL_LOOKING_EMAILS = ("maria.schneider1978@gmail.com", "j.weber@web.de",
                       "thomas.mueller@t-online.de")


class Ctx:
    """What a defect handler needs: root connection, app database, runtime."""

    def __init__(self, runtime: Runtime, conn: DbConnection) -> None:
        self.runtime = runtime
        self.conn = conn
        self.db = app_database(runtime)

    def sql(self, statement: str, args: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(self.runtime.dialect.names.sql(statement), args)
            return list(cur.fetchall())

    def one(self, statement: str, args: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
        rows = self.sql(statement, args)
        if not rows:
            raise RuntimeError(f"no row for: {statement}")
        return rows[0]

    def app_users(self) -> list[str]:
        return [f"'{self.runtime.db_user}'@'{host}'" for host in ("127.0.0.1", "localhost")]

    def scratch_creators(self) -> list[str]:
        """Who may create the scratch databases: the app user, or the dialect's scratch user."""
        if self.runtime.dialect.app_user_creates_scratch or not self.runtime.scratch_user:
            return self.app_users()
        return [f"'{self.runtime.scratch_user}'@'{host}'" for host in ("127.0.0.1", "localhost")]


def _state_file(state_dir: Path, name: str) -> Path:
    return state_dir / "db_defects" / f"{name}.json"


def active(state_dir: Path) -> set[str]:
    folder = state_dir / "db_defects"
    return {path.stem for path in folder.glob("*.json")} if folder.is_dir() else set()


def faulty_down(state_dir: Path, dialect: str = "reference") -> dict[str, tuple[str, ...]]:
    """Replacement down statements used by ``artisan migrate:rollback``."""
    if "rollback_fails" not in active(state_dir):
        return {}
    migration = latest(dialect)
    broken = f"DROP INDEX {BROKEN_INDEX[dialect]} ON appointments"
    return {migration.name: (broken, *migration.down)}


def dump_ignored_tables(state_dir: Path, names: Names | None = None) -> list[str]:
    lost = (names or Names()).name(LOST_TABLE)
    return [lost] if "restore_loses_table" in active(state_dir) else []


# --- handlers: on(ctx) -> saved, off(ctx, saved) -------------------------------------------
def _tables(ctx: Ctx, database: str) -> list[str]:
    rows = ctx.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                   "ORDER BY table_name", (database,))
    return [str(row[0]) for row in rows]


def _move_tables(ctx: Ctx, tables: list[str], source: str, target: str) -> None:
    if tables:
        pairs = ", ".join(f"`{source}`.`{t}` TO `{target}`.`{t}`" for t in tables)
        ctx.sql(f"RENAME TABLE {pairs}")


def prod_name_on(ctx: Ctx) -> Saved:
    source = ctx.db
    tables = _tables(ctx, source)
    ctx.sql(f"CREATE DATABASE IF NOT EXISTS `{PRODUCTION_DATABASE}` CHARACTER SET utf8mb4 "
            "COLLATE utf8mb4_unicode_ci")
    _move_tables(ctx, tables, source, PRODUCTION_DATABASE)
    for user in ctx.app_users():
        ctx.sql(f"GRANT ALL PRIVILEGES ON `{PRODUCTION_DATABASE}`.* TO {user}")
    envfile.set_value(ctx.runtime.env_file, "DB_DATABASE", PRODUCTION_DATABASE)
    return {"source": source, "tables": tables}


def prod_name_off(ctx: Ctx, saved: Saved) -> None:
    source = str(saved["source"])
    _move_tables(ctx, _tables(ctx, PRODUCTION_DATABASE), PRODUCTION_DATABASE, source)
    ctx.sql(f"DROP DATABASE IF EXISTS `{PRODUCTION_DATABASE}`")
    for user in ctx.app_users():
        ctx.sql(f"REVOKE ALL PRIVILEGES ON `{PRODUCTION_DATABASE}`.* FROM {user}")
    envfile.set_value(ctx.runtime.env_file, "DB_DATABASE", source)


def charset_on(ctx: Ctx) -> Saved:
    row = ctx.one("SELECT default_character_set_name, default_collation_name "
                  "FROM information_schema.schemata WHERE schema_name = %s", (ctx.db,))
    ctx.sql(f"ALTER DATABASE `{ctx.db}` CHARACTER SET latin1 COLLATE latin1_swedish_ci")
    return {"charset": row[0], "collation": row[1]}


def charset_off(ctx: Ctx, saved: Saved) -> None:
    ctx.sql(f"ALTER DATABASE `{ctx.db}` CHARACTER SET {saved['charset']} "
            f"COLLATE {saved['collation']}")


def pending_on(ctx: Ctx) -> Saved:
    migration = latest(ctx.runtime.dialect_name)
    row = ctx.one(f"SELECT id, batch FROM `{ctx.db}`.migrations WHERE migration = %s",
                  (migration.name,))
    ctx.conn.select_db(ctx.db)
    for statement in migration.down:
        ctx.sql(statement)
    ctx.sql("DELETE FROM migrations WHERE id = %s", (row[0],))
    return {"id": int(row[0]), "batch": int(row[1])}


def pending_off(ctx: Ctx, saved: Saved) -> None:
    migration = latest(ctx.runtime.dialect_name)
    ctx.conn.select_db(ctx.db)
    for statement in migration.up:
        ctx.sql(statement)
    taken = ctx.sql("SELECT 1 FROM migrations WHERE id = %s", (saved["id"],))
    row_id = None if taken else saved["id"]  # ids moved meanwhile (ledger_legacy_names)
    ctx.sql("INSERT INTO migrations (id, migration, batch) VALUES (%s, %s, %s)",
            (row_id, migration.name, saved["batch"]))


def unknown_on(ctx: Ctx) -> Saved:
    ctx.conn.select_db(ctx.db)
    batch = int(ctx.one("SELECT COALESCE(MAX(batch), 0) + 1 FROM migrations")[0])
    ctx.sql("INSERT INTO migrations (migration, batch) VALUES (%s, %s)", (FAKE_MIGRATION, batch))
    return {"id": int(ctx.one("SELECT LAST_INSERT_ID()")[0])}


def unknown_off(ctx: Ctx, saved: Saved) -> None:
    ctx.conn.select_db(ctx.db)
    ctx.sql("DELETE FROM migrations WHERE id = %s", (saved["id"],))
    ctx.sql("ALTER TABLE migrations AUTO_INCREMENT = 1")


def legacy_names_on(ctx: Ctx) -> Saved:
    ctx.conn.select_db(ctx.db)
    shift = len(LEGACY_MIGRATIONS)
    ctx.sql("UPDATE migrations SET id = id + %s ORDER BY id DESC", (shift,))
    for row_id, name in enumerate(LEGACY_MIGRATIONS, 1):
        ctx.sql("INSERT INTO migrations (id, migration, batch) VALUES (%s, %s, 1)",
                (row_id, name))
    return {"shift": shift}


def legacy_names_off(ctx: Ctx, saved: Saved) -> None:
    ctx.conn.select_db(ctx.db)
    names = ", ".join(["%s"] * len(LEGACY_MIGRATIONS))
    ctx.sql(f"DELETE FROM migrations WHERE migration IN ({names})", LEGACY_MIGRATIONS)
    ctx.sql("UPDATE migrations SET id = id - %s ORDER BY id", (int(saved["shift"]),))
    ctx.sql("ALTER TABLE migrations AUTO_INCREMENT = 1")


def _stash(ctx: Ctx, table: str) -> None:
    ctx.sql(f"CREATE DATABASE IF NOT EXISTS `{STASH_DATABASE}`")
    ctx.sql(f"DROP TABLE IF EXISTS `{STASH_DATABASE}`.`{table}`")
    ctx.sql(f"RENAME TABLE `{ctx.db}`.`{table}` TO `{STASH_DATABASE}`.`{table}`")


def _unstash(ctx: Ctx, table: str) -> None:
    ctx.sql(f"DROP TABLE IF EXISTS `{ctx.db}`.`{table}`")
    ctx.sql(f"RENAME TABLE `{STASH_DATABASE}`.`{table}` TO `{ctx.db}`.`{table}`")
    if not _tables(ctx, STASH_DATABASE):
        ctx.sql(f"DROP DATABASE IF EXISTS `{STASH_DATABASE}`")


def missing_table_on(ctx: Ctx) -> Saved:
    _stash(ctx, "staff")
    return {}


def missing_table_off(ctx: Ctx, _saved: Saved) -> None:
    _unstash(ctx, "staff")


def seed_missing_on(ctx: Ctx) -> Saved:
    _stash(ctx, "appointments")
    ctx.sql(f"CREATE TABLE `{ctx.db}`.appointments LIKE `{STASH_DATABASE}`.appointments")
    return {}


def seed_missing_off(ctx: Ctx, _saved: Saved) -> None:
    _unstash(ctx, "appointments")


def _ddl(on_sql: str, off_sql: str) -> tuple[Callable[[Ctx], Saved],
                                              Callable[[Ctx, Saved], None]]:
    def on(ctx: Ctx) -> Saved:
        ctx.conn.select_db(ctx.db)
        ctx.sql(on_sql)
        return {}

    def off(ctx: Ctx, _saved: Saved) -> None:
        ctx.conn.select_db(ctx.db)
        ctx.sql(off_sql)

    return on, off


def orphan_on(ctx: Ctx) -> Saved:
    ctx.conn.select_db(ctx.db)
    appointment = ctx.one("SELECT id, company_id, customer_id FROM appointments "
                          "ORDER BY id LIMIT 1")
    foreign = ctx.one("SELECT MIN(id) FROM customers WHERE company_id <> %s",
                      (appointment[1],))
    ctx.sql("UPDATE appointments SET customer_id = %s WHERE id = %s",
            (foreign[0], appointment[0]))
    return {"id": int(appointment[0]), "customer_id": int(appointment[2])}


def orphan_off(ctx: Ctx, saved: Saved) -> None:
    ctx.conn.select_db(ctx.db)
    ctx.sql("UPDATE appointments SET customer_id = %s WHERE id = %s",
            (saved["customer_id"], saved["id"]))


def emails_on(ctx: Ctx) -> Saved:
    ctx.conn.select_db(ctx.db)
    rows = ctx.sql("SELECT id, email FROM customers ORDER BY id LIMIT %s",
                   (len(REAL_LOOKING_EMAILS),))
    for (customer_id, _), email in zip(rows, REAL_LOOKING_EMAILS, strict=False):
        ctx.sql("UPDATE customers SET email = %s WHERE id = %s", (email, customer_id))
    return {"rows": [[int(r[0]), r[1]] for r in rows]}


def emails_off(ctx: Ctx, saved: Saved) -> None:
    ctx.conn.select_db(ctx.db)
    for customer_id, email in saved["rows"]:
        ctx.sql("UPDATE customers SET email = %s WHERE id = %s", (email, customer_id))


def _monitor_users() -> list[str]:
    return [f"'{MONITOR_USER}'@'{host}'" for host in ("127.0.0.1", "localhost")]


def monitor_grant_on(ctx: Ctx) -> Saved:
    for user in _monitor_users():
        ctx.sql(f"REVOKE SELECT ON performance_schema.* FROM {user}")
    return {}


def monitor_grant_off(ctx: Ctx, _saved: Saved) -> None:
    for user in _monitor_users():
        ctx.sql(f"GRANT SELECT ON performance_schema.* TO {user}")


def _marker_on(_ctx: Ctx) -> Saved:
    return {}


def _marker_off(_ctx: Ctx, _saved: Saved) -> None:
    return None


PROD_DEFINER = "`prod_user`@`%`"
COPY_VIEW = "calls_per_company"
COPY_PROCEDURE = "company_call_totals"
COPY_TRIGGER = "retell_call_events_source"
FLOAT_COLUMN = "sentiment_score"
SCRATCH_GRANT_PATTERN = "`staging\\_gate\\_scratch\\_%`.*"


def _app_definer(ctx: Ctx) -> str:
    """The account the app (and mariadb-dump) log in as: TCP from 127.0.0.1."""
    return f"`{ctx.runtime.db_user}`@`127.0.0.1`"


def production_copy_on(ctx: Ctx) -> Saved:
    db = ctx.db
    ctx.conn.select_db(db)
    ctx.sql(f"CREATE DEFINER={PROD_DEFINER} SQL SECURITY DEFINER VIEW `{COPY_VIEW}` AS "
            "SELECT company_id, COUNT(*) AS calls FROM retell_call_sessions GROUP BY company_id")
    ctx.sql(f"CREATE DEFINER={_app_definer(ctx)} PROCEDURE `{COPY_PROCEDURE}`() "
            f"SELECT `{db}`.`retell_call_sessions`.company_id, COUNT(*) "
            f"FROM {db}.retell_call_sessions GROUP BY 1")
    ctx.sql(f"CREATE DEFINER={_app_definer(ctx)} TRIGGER `{COPY_TRIGGER}` BEFORE INSERT ON "
            "retell_call_events FOR EACH ROW "
            f"SET @askpro_last_event = CONCAT('{db}.retell_call_events#', NEW.call_session_id)")
    row = ctx.one("SELECT id, text FROM retell_call_events ORDER BY id LIMIT 1")
    ctx.sql("UPDATE retell_call_events SET text = CONCAT(text, %s) WHERE id = %s",
            (f" (copied from {db}.retell_call_events, `{db}`.`calls`)", row[0]))
    return {"id": int(row[0]), "text": row[1]}


def production_copy_off(ctx: Ctx, saved: Saved) -> None:
    ctx.conn.select_db(ctx.db)
    ctx.sql(f"DROP VIEW IF EXISTS `{COPY_VIEW}`")
    ctx.sql(f"DROP PROCEDURE IF EXISTS `{COPY_PROCEDURE}`")
    ctx.sql(f"DROP TRIGGER IF EXISTS `{COPY_TRIGGER}`")
    ctx.sql("UPDATE retell_call_events SET text = %s WHERE id = %s", (saved["text"], saved["id"]))


def float_precision_on(ctx: Ctx) -> Saved:
    ctx.conn.select_db(ctx.db)
    ctx.sql(f"ALTER TABLE retell_call_sessions ADD COLUMN {FLOAT_COLUMN} FLOAT NULL")
    # (duration + 1) / 7: 6.142857..., stored as FLOAT with ~7 significant digits; dumped
    # with 6. (Not the id: call ids are UUIDs in the filament dialect.)
    ctx.sql(f"UPDATE retell_call_sessions SET {FLOAT_COLUMN} = "
            "(COALESCE(duration_seconds, 0) + 1) / 7")
    return {}


def float_precision_off(ctx: Ctx, _saved: Saved) -> None:
    ctx.conn.select_db(ctx.db)
    ctx.sql(f"ALTER TABLE retell_call_sessions DROP COLUMN IF EXISTS {FLOAT_COLUMN}")


def without_create_on(ctx: Ctx) -> Saved:
    for user in ctx.scratch_creators():
        ctx.sql(f"REVOKE ALL PRIVILEGES ON {SCRATCH_GRANT_PATTERN} FROM {user}")
    return {}


def without_create_off(ctx: Ctx, _saved: Saved) -> None:
    for user in ctx.scratch_creators():
        ctx.sql(f"GRANT ALL PRIVILEGES ON {SCRATCH_GRANT_PATTERN} TO {user}")


Handler = tuple[Callable[[Ctx], Saved], Callable[[Ctx, Saved], None]]
HANDLERS: dict[str, Handler] = {
    "db_named_like_production": (prod_name_on, prod_name_off),
    "db_wrong_charset": (charset_on, charset_off),
    "pending_migration": (pending_on, pending_off),
    "unknown_migration": (unknown_on, unknown_off),
    "ledger_legacy_names": (legacy_names_on, legacy_names_off),
    "missing_table": (missing_table_on, missing_table_off),
    "tenant_column_nullable": _ddl(
        "ALTER TABLE appointments MODIFY company_id BIGINT UNSIGNED NULL",
        "ALTER TABLE appointments MODIFY company_id BIGINT UNSIGNED NOT NULL"),
    "tenant_column_type_mismatch": _ddl(
        "ALTER TABLE retell_call_events MODIFY company_id VARCHAR(20) NOT NULL",
        "ALTER TABLE retell_call_events MODIFY company_id BIGINT UNSIGNED NOT NULL"),
    "tenant_index_missing": _ddl(
        "DROP INDEX IF EXISTS customers_company_id_index ON customers",
        "CREATE INDEX IF NOT EXISTS customers_company_id_index ON customers (company_id)"),
    "missing_perf_index": _ddl(
        "DROP INDEX IF EXISTS idx_calls_company_created ON retell_call_sessions",
        "CREATE INDEX IF NOT EXISTS idx_calls_company_created ON retell_call_sessions "
        "(company_id, created_at)"),
    "seed_data_missing": (seed_missing_on, seed_missing_off),
    "orphan_rows": (orphan_on, orphan_off),
    "rollback_fails": (_marker_on, _marker_off),
    "restore_loses_table": (_marker_on, _marker_off),
    "unsanitized_emails": (emails_on, emails_off),
    "performance_schema_not_granted": (monitor_grant_on, monitor_grant_off),
    "backup_production_copy": (production_copy_on, production_copy_off),
    "backup_float_precision": (float_precision_on, float_precision_off),
    "db_user_without_create": (without_create_on, without_create_off),
}


def apply(state_dir: Path, name: str, on: bool) -> None:
    """Switch one db-layer defect; idempotent (switching to the current state is a no-op)."""
    if name not in HANDLERS:
        raise KeyError(f"not a db defect: {name}")
    state_file = _state_file(state_dir, name)
    if on == state_file.exists():
        return
    runtime = load_runtime(state_dir)
    conn = connect_root(runtime)
    try:
        ctx = Ctx(runtime, conn)
        switch_on, switch_off = HANDLERS[name]
        if on:
            saved = switch_on(ctx)
            state_file.parent.mkdir(parents=True, exist_ok=True)
            state_file.write_text(json.dumps(saved))
        else:
            switch_off(ctx, json.loads(state_file.read_text()))
            state_file.unlink()
    finally:
        conn.close()
    cache_admin.clear(runtime)
