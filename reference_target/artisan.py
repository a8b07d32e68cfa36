"""``artisan``: bootstrap, migrate, migrate:rollback, migrate:status, db:seed, db:dump, db:restore.

Called by the orchestrator as ``python -m reference_target artisan --state-dir DIR ...``;
``main(state_dir, argv)`` returns the exit code.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pymysql

from reference_target import cache_admin, db_defects, migrator, seeder
from reference_target.dbconfig import (
    MONITOR_USER,
    PRODUCTION_DATABASE,
    STAGING_DATABASE,
    Runtime,
    app_database,
    connect_app,
    connect_root,
    load_runtime,
    monitor_password,
)
from reference_target.migrations import all_migrations, latest

ENV_TEMPLATE = """\
APP_NAME="{app_name}"
APP_ENV=staging
APP_DEBUG=true
APP_TIMEZONE=Europe/Berlin
APP_URL=https://localhost:{https_port}
APP_LOCALE=de
APP_FALLBACK_LOCALE=de
APP_VERSION=1.0.0

DB_CONNECTION=mysql
DB_HOST={db_host}
DB_PORT={db_port}
DB_DATABASE={database}
DB_USERNAME={db_user}
DB_PASSWORD={db_password}

CACHE_STORE=redis
CACHE_PREFIX=askpro_staging_
REDIS_HOST={redis_host}
REDIS_PORT={redis_port}

SESSION_DRIVER=database
SESSION_COOKIE={session_cookie}
SESSION_SECURE_COOKIE=true
LOG_CHANNEL=single

# Feature Flags - STAGING TESTING
FEATURE_CUSTOMER_PORTAL={portal}
FEATURE_CUSTOMER_PORTAL_CALLS={portal}
FEATURE_CUSTOMER_PORTAL_APPOINTMENTS={portal}
FEATURE_CUSTOMER_PORTAL_CRM=false
FEATURE_CUSTOMER_PORTAL_SERVICES=false
FEATURE_CUSTOMER_PORTAL_STAFF=false
# Pilot companies (comma-separated ids); empty = every company while the portal is on
FEATURE_CUSTOMER_PORTAL_TEST_COMPANIES=

# All other flags same as production
FEATURE_PHONETIC_MATCHING_ENABLED=false
"""


def write_env(runtime: Runtime) -> Path:
    """Write .env.staging (seed 2.5) with this deployment's ports and password.

    While ``db_named_like_production`` is on, the data lives in askproai_db, so the file
    keeps pointing there (a restart must not strand the defect's tables). The portal flags
    start on in the reference dialect (seed 2.5) and off in the filament one (production's
    default).
    """
    path = runtime.env_file
    dialect = runtime.dialect
    database = runtime.database
    if "db_named_like_production" in db_defects.active(runtime.state_dir):
        database = PRODUCTION_DATABASE
    path.parent.mkdir(parents=True, exist_ok=True)
    (runtime.state_dir / "app" / "storage" / "logs").mkdir(parents=True, exist_ok=True)
    path.write_text(ENV_TEMPLATE.format(
        https_port=runtime.https_port, db_host=runtime.db_host, db_port=runtime.db_port,
        database=database, db_user=runtime.db_user, db_password=runtime.db_password,
        redis_host=runtime.redis_host, redis_port=runtime.redis_port,
        app_name=dialect.app_name, session_cookie=dialect.session_cookie,
        portal="true" if dialect.flags_on_at_start else "false"))
    path.chmod(0o600)
    return path


SCRATCH_PATTERN = "`staging\\_gate\\_scratch\\_%`.*"


def _create_user(cur: Any, name: str, password: str) -> list[str]:
    users = [f"'{name}'@'{host}'" for host in ("127.0.0.1", "localhost")]
    for user in users:
        cur.execute(f"CREATE USER IF NOT EXISTS {user} IDENTIFIED BY %s", (password,))
        cur.execute(f"ALTER USER {user} IDENTIFIED BY %s", (password,))
    return users


def create_database(runtime: Runtime) -> None:
    """As root: the staging database, the app user and its grants (seed 2.3 step 1).

    Reference dialect: the app user may also create ``staging_gate_scratch_%`` databases.
    Other dialects grant exactly the strategy's ``GRANT ALL ON askproai_staging.*``; a
    separate scratch user (read access to the staging DB, all on the scratch pattern) does
    dumps and restores.
    """
    db = runtime.database
    conn = connect_root(runtime)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE IF NOT EXISTS `{db}` "
                        "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            for user in _create_user(cur, runtime.db_user, runtime.db_password):
                cur.execute(f"GRANT ALL PRIVILEGES ON `{db}`.* TO {user}")
                if runtime.dialect.app_user_creates_scratch:
                    cur.execute(f"GRANT ALL PRIVILEGES ON {SCRATCH_PATTERN} TO {user}")
            for monitor in _create_user(cur, MONITOR_USER, monitor_password(runtime.db_password)):
                cur.execute(f"GRANT SELECT ON performance_schema.* TO {monitor}")
            if not runtime.dialect.app_user_creates_scratch:
                for user in _create_user(cur, runtime.scratch_user, runtime.scratch_password):
                    cur.execute(f"GRANT SELECT, LOCK TABLES, SHOW VIEW ON `{db}`.* TO {user}")
                    cur.execute(f"GRANT ALL PRIVILEGES ON {SCRATCH_PATTERN} TO {user}")
            cur.execute("FLUSH PRIVILEGES")
    finally:
        conn.close()


def cmd_migrate(runtime: Runtime) -> int:
    conn = connect_app(runtime)
    try:
        names = migrator.migrate(conn, dialect=runtime.dialect_name)
    finally:
        conn.close()
    if not names:
        print("Nothing to migrate.")
    for name in names:
        print(f"Migrated: {name}")
    return 0


def cmd_rollback(runtime: Runtime, steps: int | None) -> int:
    faulty = db_defects.faulty_down(runtime.state_dir, runtime.dialect_name)
    conn = connect_app(runtime)
    try:
        names = migrator.rollback(conn, steps, faulty, dialect=runtime.dialect_name)
    finally:
        conn.close()
    if not names:
        print("Nothing to rollback.")
    for name in names:
        print(f"Rolled back: {name}")
    return 0


def _two_columns(first: str, second: str) -> str:
    """One line as Laravel 9.x+'s ``components->twoColumnDetail`` prints it without a TTY:
    two spaces of margin, dots filling an 80-column (``COLUMNS``) line."""
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() else 80
    dots = "." * max(width - len(first) - len(second) - 6, 0)
    return f"  {first} {dots} {second}  "


def cmd_status(runtime: Runtime, pending: int | None = None) -> int:
    """``migrate:status [--pending[=N]]`` as Laravel 11 prints it: the app's migration files
    with ``[batch] Ran`` or ``Pending`` (recorded migrations without a file are not listed);
    ``--pending`` lists only pending ones, or says "No pending migrations.";
    ``--pending=N`` exits N when some are pending."""
    pending_only = pending is not None
    conn = connect_app(runtime)
    try:
        lines = migrator.status(conn, runtime.dialect_name)
    finally:
        conn.close()
    if pending_only:
        lines = [(name, state) for name, state in lines if state == "Pending"]
    if not lines:
        print("\n   INFO  No pending migrations.\n" if pending_only else
              "\n   INFO  No migrations found.\n")
        return 0
    print()
    print(_two_columns("Migration name", "Batch / Status"))
    for name, state in lines:
        print(_two_columns(name, state))
    print()
    return pending or 0


def cmd_seed(runtime: Runtime, scale: int) -> int:
    started = time.monotonic()
    conn = connect_app(runtime)
    try:
        seeder.seed(conn, runtime.credentials_file, scale, dialect=runtime.dialect)
    finally:
        conn.close()
    cache_admin.clear(runtime)
    print(f"Database seeding completed successfully (scale {scale}, "
          f"{time.monotonic() - started:.1f}s).")
    return 0


def _is_seeded(runtime: Runtime) -> bool:
    conn = connect_app(runtime)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM companies")
            row = cur.fetchone()
    finally:
        conn.close()
    return bool(row and row[0]) and runtime.credentials_file.exists()


def _first_deploy(runtime: Runtime) -> None:
    """A new database gets the schema in two batches, like a deployment history: batch 1
    everything before the portal release, batch 2 its performance-index migration. So a
    plain ``migrate:rollback`` undoes only the latest deployment."""
    conn = connect_app(runtime)
    try:
        if not migrator.applied(conn):
            names = migrator.migrate(conn, limit=len(all_migrations(runtime.dialect_name)) - 1,
                                     dialect=runtime.dialect_name)
            for name in names:
                print(f"Migrated: {name}")
    finally:
        conn.close()


def cmd_bootstrap(runtime: Runtime, scale: int, fresh: bool) -> int:
    create_database(runtime)
    write_env(runtime)
    _first_deploy(runtime)
    cmd_migrate(runtime)
    if fresh or not _is_seeded(runtime):
        return cmd_seed(runtime, scale)
    print("Already seeded; use --fresh to reseed.")
    return 0


def _ops_user(runtime: Runtime) -> tuple[str, str]:
    """Who runs dumps and restores: the app user, or the dialect's scratch user."""
    if runtime.dialect.app_user_creates_scratch:
        return runtime.db_user, runtime.db_password
    return runtime.scratch_user, runtime.scratch_password


def _client_env(runtime: Runtime) -> dict[str, str]:
    return {**os.environ, "MYSQL_PWD": _ops_user(runtime)[1]}


def _client_args(runtime: Runtime) -> list[str]:
    return ["--host", runtime.db_host, "--port", str(runtime.db_port),
            "--user", _ops_user(runtime)[0], "--protocol", "TCP",
            "--default-character-set", "utf8mb4"]


def cmd_dump(runtime: Runtime, target: str) -> int:
    """mariadb-dump of the app database to FILE ('-' = stdout)."""
    database = app_database(runtime)
    args = ["mariadb-dump", *_client_args(runtime), "--single-transaction",
            "--no-tablespaces", "--skip-dump-date", "--routines"]
    for table in db_defects.dump_ignored_tables(runtime.state_dir, runtime.dialect.names):
        args.append(f"--ignore-table={database}.{table}")
    args.append(database)
    if target == "-":
        return subprocess.run(args, env=_client_env(runtime), check=False).returncode
    with open(target, "wb") as out:
        return subprocess.run(args, env=_client_env(runtime), stdout=out,
                              check=False).returncode


def cmd_restore(runtime: Runtime, source: str, database: str) -> int:
    """Load a dump into DATABASE (created if missing), e.g. a staging_gate_scratch_* one."""
    if database in (STAGING_DATABASE, app_database(runtime)):
        print(f"refusing to restore over the live database {database}", file=sys.stderr)
        return 2
    create = ["mariadb", *_client_args(runtime), "-e",
              f"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 "
              "COLLATE utf8mb4_unicode_ci"]
    done = subprocess.run(create, env=_client_env(runtime), check=False)
    if done.returncode:
        return done.returncode
    with open(source, "rb") as src:
        return subprocess.run(["mariadb", *_client_args(runtime), database], stdin=src,
                              env=_client_env(runtime), check=False).returncode


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="artisan")
    sub = parser.add_subparsers(dest="command", required=True)
    boot = sub.add_parser("bootstrap")
    boot.add_argument("--scale", type=int, default=1)
    boot.add_argument("--fresh", action="store_true")
    sub.add_parser("migrate").add_argument("--force", action="store_true")
    sub.add_parser("migrate:rollback").add_argument("--step", type=int, default=None)
    sub.add_parser("migrate:status").add_argument("--pending", nargs="?", type=int, const=0)
    sub.add_parser("db:seed").add_argument("--scale", type=int, default=1)
    sub.add_parser("db:dump").add_argument("file")
    restore = sub.add_parser("db:restore")
    restore.add_argument("file")
    restore.add_argument("--database", required=True)
    sub.add_parser("cache:clear")
    sub.add_parser("migrate:latest")
    return parser


def main(state_dir: Path, argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    runtime = load_runtime(state_dir)
    try:
        return _dispatch(runtime, args)
    except (pymysql.MySQLError, migrator.MigrationError, OSError) as exc:
        print(f"artisan {args.command} failed: {exc}", file=sys.stderr)
        return 1


def _dispatch(runtime: Runtime, args: argparse.Namespace) -> int:
    command: str = args.command
    if command == "bootstrap":
        return cmd_bootstrap(runtime, args.scale, args.fresh)
    if command == "migrate":
        return cmd_migrate(runtime)
    if command == "migrate:rollback":
        return cmd_rollback(runtime, args.step)
    if command == "migrate:status":
        return cmd_status(runtime, args.pending)
    if command == "db:seed":
        return cmd_seed(runtime, args.scale)
    if command == "db:dump":
        return cmd_dump(runtime, args.file)
    if command == "db:restore":
        return cmd_restore(runtime, args.file, args.database)
    if command == "cache:clear":
        print(f"Cleared {cache_admin.clear(runtime)} cache keys.")
        return 0
    if command == "migrate:latest":
        print(latest(runtime.dialect_name).name)
        return 0
    raise AssertionError(command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
