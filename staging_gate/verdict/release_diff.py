"""Release diff: what this release will do to production's schema, for the release manager.

Reads staging's migration ledger (the staging DSN) and production's (``release.
production_dsn_env``, a read-only account: only SELECTs on the ledger and
``information_schema.TABLES`` are issued, in a READ ONLY transaction), lists the migrations
production has not applied yet, and the risky statements their files show
(`staging_gate.probes.migration_risk`). Shown in ``signoff.md`` as information; it makes the
sign-off NO-GO only when ``release.blocks`` is true.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pymysql

from staging_gate.deployment.connections import TargetUnreachable, connect_db, parse_mysql_dsn
from staging_gate.errors import ConfigError
from staging_gate.probes import migration_risk, schema
from staging_gate.profile import Profile
from staging_gate.verdict.signoff_model import Signoff

SECTION_TITLE = "## Release diff (information for the release manager)"


@dataclass(frozen=True)
class ReleaseDiff:
    """Migrations production lacks, the risky statements among them, or why it is unknown."""

    unapplied: tuple[str, ...] = ()
    risky: tuple[migration_risk.RiskyStatement, ...] = ()
    unread: tuple[str, ...] = field(default=())  # migrations without a readable file
    error: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"unapplied": list(self.unapplied), "risky": [asdict(r) for r in self.risky],
                "unread": list(self.unread), "error": self.error}


def _ledger_and_rows(dsn_env: str, profile: Profile, with_rows: bool
                     ) -> tuple[list[str], dict[str, int]]:
    dsn = parse_mysql_dsn(profile.secret(dsn_env), dsn_env)
    connection = connect_db(dsn, profile.database.connect_timeout_seconds)
    try:
        query = schema.query_runner(connection)
        query("START TRANSACTION READ ONLY", ())
        ledger = [m.name for m in schema.applied_migrations(query,
                                                            profile.database.migrations_table)]
        rows: dict[str, int] = {}
        if with_rows:
            for row in query("SELECT TABLE_NAME AS name, TABLE_ROWS AS n FROM "
                             "information_schema.TABLES WHERE TABLE_SCHEMA = %s", (dsn.database,)):
                rows[str(row["name"])] = int(row["n"] or 0)
        query("ROLLBACK", ())
        return ledger, rows
    finally:
        connection.close()


def _read_file(folder: Path, name: str) -> str | None:
    for suffix in (".sql", ".php", ""):
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return None


def compute(profile: Profile) -> ReleaseDiff | None:
    """The release diff, None when the profile asks for none; database problems become the
    diff's `error` (never an exception: the diff is information)."""
    config = profile.release
    if not config.production_dsn_env:
        return None
    try:
        staging, _ = _ledger_and_rows(profile.database.dsn_env, profile, with_rows=False)
        production, rows = _ledger_and_rows(config.production_dsn_env, profile, with_rows=True)
    except (ConfigError, TargetUnreachable, pymysql.MySQLError, ValueError) as error:
        return ReleaseDiff(error=f"{type(error).__name__}: {error}")
    pending = migration_risk.unapplied(staging, production)
    folder = Path(config.migrations_path) if config.migrations_path else None
    found: list[migration_risk.RiskyStatement] = []
    unread: list[str] = []
    for name in pending:
        text = _read_file(folder, name) if folder else None
        if text is None:
            unread.append(name)
            continue
        found += migration_risk.scan(name, text, config.down_markers)
    risky = migration_risk.judge(found, rows, config.large_table_rows)
    return ReleaseDiff(tuple(pending), tuple(risky), tuple(unread))


def markdown(diff: ReleaseDiff, blocks: bool) -> str:
    """The signoff.md section: unapplied migrations, risky statements, what was not read."""
    lines = [SECTION_TITLE, ""]
    if diff.error:
        return "\n".join([*lines, f"Could not compute the release diff: {diff.error}", ""])
    effect = "blocks the sign-off (release.blocks)" if blocks else "does not block the sign-off"
    lines.append(f"{len(diff.unapplied)} migration(s) in staging's ledger are not applied on "
                 f"production yet; {len(diff.risky)} risky statement(s) — {effect}.")
    lines += ["", *(f"- `{name}`" for name in diff.unapplied)]
    if diff.risky:
        lines += ["", "Risky statements:", ""]
        lines += [f"- {r.describe().replace('|', '/')}" for r in diff.risky]
    if diff.unread:
        lines += ["", "No file found in release.migrations_path for: "
                  + ", ".join(f"`{name}`" for name in diff.unread)]
    return "\n".join([*lines, ""])


def apply(verdict: Signoff, diff: ReleaseDiff | None, profile: Profile) -> Signoff:
    """The verdict, NO-GO with a reason when `release.blocks` and the diff is risky or could
    not be computed; unchanged otherwise."""
    if diff is None or not profile.release.blocks:
        return verdict
    if diff.error:
        reason = f"release diff could not be computed (release.blocks): {diff.error}"
    elif diff.risky:
        reason = (f"release diff: {len(diff.risky)} risky statement(s) production would get "
                  f"(release.blocks): {diff.risky[0].describe()}")
    else:
        return verdict
    return replace(verdict, verdict="NO-GO", reasons=(*verdict.reasons, reason))


def write(diff: ReleaseDiff | None, profile: Profile, out_dir: Path) -> None:
    """Append the section to ``signoff.md`` and write ``release-diff.json`` (if any diff)."""
    if diff is None:
        return
    (out_dir / "release-diff.json").write_text(json.dumps(diff.to_dict(), indent=2) + "\n",
                                               encoding="utf-8")
    signoff_md = out_dir / "signoff.md"
    text = signoff_md.read_text(encoding="utf-8") if signoff_md.is_file() else ""
    signoff_md.write_text(text.rstrip("\n") + "\n\n" + markdown(diff, profile.release.blocks),
                          encoding="utf-8")
