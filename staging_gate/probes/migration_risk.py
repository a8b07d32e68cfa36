"""Release diff: which statements of the migrations a release will apply to production are
risky — read from the migration files themselves (SQL files or Laravel schema-builder PHP).

Risky (the release manager's list, e.g. GitHub's gh-ost / Laravel upgrade notes): dropping a
table or column (data gone, old code still reading it during the deploy), renaming a table
or column (old code breaks until the new code is live), changing a column's type (MySQL
rebuilds the table and locks writes for the duration — only flagged on large tables).
Only the *up* part of a migration counts: text after a down marker is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["drop", "rename", "type change"]

#: Text from the first of these on is the migration's *down* part (SQL convention, Laravel).
DEFAULT_DOWN_MARKERS: tuple[str, ...] = ("-- @down", "function down(")

_RAW_PATTERNS: tuple[tuple[Kind, str], ...] = (
    ("drop", r"\bDROP\s+TABLE\b"),
    ("drop", r"\bDROP\s+COLUMN\b"),
    ("drop", r"\bALTER\s+TABLE\s+\S+\s+DROP\s+(?!INDEX\b|KEY\b|FOREIGN\b|PRIMARY\b|"
             r"CONSTRAINT\b|CHECK\b)`?\w"),
    ("drop", r"Schema::drop(?:IfExists)?\s*\("),
    ("drop", r"->dropColumn\s*\("),
    ("drop", r"->drop(?:Timestamps|SoftDeletes|RememberToken|Morphs)\w*\s*\("),
    ("rename", r"\bRENAME\s+(?:TABLE|COLUMN|TO)\b"),
    ("rename", r"Schema::rename\s*\("),
    ("rename", r"->renameColumn\s*\("),
    ("type change", r"\bMODIFY\s+(?:COLUMN\s+)?`?\w"),
    ("type change", r"\bCHANGE\s+(?:COLUMN\s+)?`?\w+`?\s+`?\w"),
    ("type change", r"\bALTER\s+COLUMN\s+\S+\s+(?:SET\s+DATA\s+)?TYPE\b"),
    ("type change", r"->change\s*\(\s*\)"),
)
_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _RAW_PATTERNS
)
_SQL_TABLE = re.compile(
    r"\b(?:ALTER\s+TABLE|DROP\s+TABLE(?:\s+IF\s+EXISTS)?|RENAME\s+TABLE)\s+`?(\w+)`?",
    re.IGNORECASE,
)
_LARAVEL_TABLE = re.compile(r"Schema::(?:table|create|drop(?:IfExists)?|rename)\s*\(\s*['\"](\w+)")


@dataclass(frozen=True)
class RiskyStatement:
    """One risky statement: its migration, kind, table (if known) and the statement text."""

    migration: str
    kind: Kind
    table: str | None
    statement: str
    rows: int | None = None  # production's row estimate of `table`, when known

    def describe(self) -> str:
        where = f" on {self.table}" if self.table else ""
        size = f" (~{self.rows:,} rows)" if self.rows is not None else ""
        return f"{self.migration}: {self.kind}{where}{size}: {self.statement}"


def up_part(text: str, down_markers: Sequence[str] = DEFAULT_DOWN_MARKERS) -> str:
    """The text before the first down marker (the whole text when there is none)."""
    cut = min((i for m in down_markers if (i := text.find(m)) >= 0), default=len(text))
    return text[:cut]


def _statements(text: str) -> list[str]:
    without_comments = re.sub(r"(?m)^\s*(--|#|//).*$", "", text)
    return [" ".join(part.split()) for part in without_comments.split(";") if part.strip()]


def scan(migration: str, text: str,
         down_markers: Sequence[str] = DEFAULT_DOWN_MARKERS) -> list[RiskyStatement]:
    """Every risky statement of a migration's up part, in file order (one per statement: the
    first matching kind). The table is the statement's own (SQL) or the enclosing
    ``Schema::table('…')`` (Laravel)."""
    found: list[RiskyStatement] = []
    current_table: str | None = None
    for statement in _statements(up_part(text, down_markers)):
        laravel = _LARAVEL_TABLE.search(statement)
        if laravel:
            current_table = laravel.group(1)
        sql = _SQL_TABLE.search(statement)
        table = sql.group(1) if sql else current_table
        kind = next((k for k, pattern in _PATTERNS if pattern.search(statement)), None)
        if kind is not None:
            short = statement if len(statement) <= 160 else statement[:159] + "…"
            found.append(RiskyStatement(migration, kind, table, short))
    return found


def judge(statements: Iterable[RiskyStatement], rows: Mapping[str, int],
          large_table_rows: int) -> list[RiskyStatement]:
    """The statements a release manager must see: every drop and rename; a type change only
    on a table whose production row estimate reaches `large_table_rows` (or is unknown)."""
    kept = []
    for statement in statements:
        estimate = rows.get(statement.table) if statement.table else None
        with_rows = RiskyStatement(statement.migration, statement.kind, statement.table,
                                   statement.statement, estimate)
        if statement.kind != "type change" or estimate is None or estimate >= large_table_rows:
            kept.append(with_rows)
    return kept


def unapplied(staging: Sequence[str], production: Iterable[str]) -> list[str]:
    """Migrations in staging's ledger and not in production's, in staging's order."""
    done = set(production)
    return [name for name in staging if name not in done]
