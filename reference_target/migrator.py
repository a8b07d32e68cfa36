"""migrate, migrate:rollback and migrate:status against the ``migrations`` table."""

from __future__ import annotations

from dataclasses import dataclass

import pymysql

from reference_target.dbconfig import DbConnection
from reference_target.migrations import Migration, all_migrations

CREATE_MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS migrations ("
    " id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " migration VARCHAR(255) NOT NULL,"
    " batch INT NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
)



class MigrationError(RuntimeError):
    """A migration statement failed; the message names the migration and the SQL error."""


@dataclass(frozen=True)
class Applied:
    migration: str
    batch: int


def ensure_table(conn: DbConnection) -> None:
    with conn.cursor() as cur:
        cur.execute(CREATE_MIGRATIONS_TABLE)


def applied(conn: DbConnection) -> list[Applied]:
    ensure_table(conn)
    with conn.cursor() as cur:
        cur.execute("SELECT migration, batch FROM migrations ORDER BY batch, id")
        return [Applied(str(row[0]), int(row[1])) for row in cur.fetchall()]


def _run(conn: DbConnection, migration: Migration, statements: tuple[str, ...]) -> None:
    with conn.cursor() as cur:
        for statement in statements:
            try:
                cur.execute(statement)
            except pymysql.MySQLError as exc:
                raise MigrationError(f"{migration.name}: {exc.args[-1]}") from exc


def migrate(conn: DbConnection, limit: int | None = None, dialect: str = "reference") -> list[str]:
    """Apply pending migrations (at most ``limit``) in one new batch; returns their names."""
    done = {row.migration for row in applied(conn)}
    pending = [m for m in all_migrations(dialect) if m.name not in done][:limit]
    if not pending:
        return []
    batch = max((row.batch for row in applied(conn)), default=0) + 1
    for migration in pending:
        _run(conn, migration, migration.up)
        with conn.cursor() as cur:
            cur.execute("INSERT INTO migrations (migration, batch) VALUES (%s, %s)",
                        (migration.name, batch))
    return [m.name for m in pending]


def rollback(conn: DbConnection, steps: int | None = None,
             faulty_down: dict[str, tuple[str, ...]] | None = None,
             dialect: str = "reference") -> list[str]:
    """Roll back the last batch, or the last ``steps`` migrations; newest first.

    ``faulty_down`` replaces the down statements of named migrations (seeded defect).
    """
    rows = applied(conn)
    if steps is None:
        last_batch = max((row.batch for row in rows), default=0)
        targets = [row for row in rows if row.batch == last_batch]
    else:
        targets = rows[-steps:] if steps > 0 else []
    known = {m.name: m for m in all_migrations(dialect)}
    rolled: list[str] = []
    for row in reversed(targets):
        migration = known.get(row.migration)
        if migration is None:
            raise MigrationError(f"Migration not found: {row.migration}")
        down = (faulty_down or {}).get(migration.name, migration.down)
        _run(conn, migration, down)
        with conn.cursor() as cur:
            cur.execute("DELETE FROM migrations WHERE migration = %s", (migration.name,))
        rolled.append(migration.name)
    return rolled


def status(conn: DbConnection, dialect: str = "reference") -> list[tuple[str, str]]:
    """(migration, "[N] Ran" | "Pending") for every migration of the app, oldest first;
    like Laravel, recorded migrations the app has no file for are not listed."""
    rows = {row.migration: row.batch for row in applied(conn)}
    return [
        (m.name, "Pending" if m.name not in rows else f"[{rows[m.name]}] Ran")
        for m in all_migrations(dialect)
    ]
