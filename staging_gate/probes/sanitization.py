"""P7.3: the staging data is sanitized — e-mail addresses only in allowed (fake) domains,
phone numbers only in the fake range.

Read-only: the database groups addresses by domain and counts non-matching phone numbers,
so the gate never pulls a whole customer table; only a few samples leave the database, and
they are masked before they reach a message or the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from staging_gate.probes.schema import Query, quote_identifier

TEXT_TYPES = ("char", "varchar", "tinytext", "text", "mediumtext", "longtext")
MAX_DOMAINS = 1000


@dataclass(frozen=True)
class Column:
    table: str
    column: str

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"

    @property
    def sql(self) -> tuple[str, str]:
        return quote_identifier(self.table), quote_identifier(self.column)

    @classmethod
    def parse(cls, dotted: str) -> Column:
        table, dot, column = dotted.partition(".")
        if not dot or not table or not column:
            raise ValueError(f"expected table.column, got {dotted!r}")
        return cls(table, column)


@dataclass(frozen=True)
class ColumnFinding:
    column: Column
    checked: int
    offending: int
    samples: tuple[str, ...] = field(default=())
    detail: str = ""

    def describe(self) -> str:
        shown = ", ".join(self.samples)
        return (
            f"{self.column.name}: {self.offending} of {self.checked} {self.detail}"
            + (f" (e.g. {shown})" if shown else "")
        )


def discover_columns(query: Query, schema: str, name_part: str) -> list[Column]:
    """Text columns of base tables whose name contains `name_part` (e.g. ``email``)."""
    placeholders = ", ".join(["%s"] * len(TEXT_TYPES))
    rows = query(
        "SELECT c.TABLE_NAME AS tbl, c.COLUMN_NAME AS col FROM information_schema.COLUMNS c"
        " JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA"
        "  AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'"
        f" WHERE c.TABLE_SCHEMA = %s AND c.COLUMN_NAME LIKE %s AND c.DATA_TYPE IN ({placeholders})"
        " ORDER BY c.TABLE_NAME, c.COLUMN_NAME",
        (schema, f"%{name_part}%", *TEXT_TYPES),
    )
    return [Column(str(row["tbl"]), str(row["col"])) for row in rows]


def columns_to_check(
    discovered: Iterable[Column], configured: Sequence[str], replace: bool
) -> list[Column]:
    """Configured columns replace the discovered ones (`replace`) or add to them."""
    listed = [Column.parse(name) for name in configured]
    chosen = listed if (replace and listed) else [*discovered, *listed]
    return list(dict.fromkeys(chosen))


def domain_allowed(domain: str, allowed: Iterable[str]) -> bool:
    domain = domain.lower().strip(".")
    return any(
        domain == ok.lower().strip(".") or domain.endswith("." + ok.lower().strip("."))
        for ok in allowed
    )


def mask_email(address: str) -> str:
    """``maria.schneider@gmail.com`` → ``m***@gmail.com``: the domain is what matters."""
    local, at, domain = address.partition("@")
    if not at:
        return mask_text(address)
    return f"{local[:1]}***@{domain}"


def mask_text(value: str) -> str:
    """Keep the first three and last two characters: enough to recognize a range."""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def email_finding(
    query: Query, column: Column, allowed: Sequence[str], samples: int
) -> ColumnFinding:
    table, col = column.sql
    domain_sql = f"LOWER(SUBSTRING_INDEX({col}, '@', -1))"
    rows = query(
        f"SELECT {domain_sql} AS domain, COUNT(*) AS n FROM {table}"
        f" WHERE {col} IS NOT NULL AND {col} <> '' GROUP BY domain ORDER BY n DESC"
        f" LIMIT {MAX_DOMAINS}",
        (),
    )
    counts = {str(row["domain"]): int(row["n"]) for row in rows}
    bad = [domain for domain in counts if not domain_allowed(domain, allowed)]
    shown: list[str] = []
    for domain in bad:
        if len(shown) >= samples:
            break
        found = query(
            f"SELECT {col} AS v FROM {table} WHERE {domain_sql} = %s LIMIT {int(samples)}",
            (domain,),
        )
        shown += [mask_email(str(row["v"])) for row in found][: samples - len(shown)]
    return ColumnFinding(
        column,
        checked=sum(counts.values()),
        offending=sum(counts[domain] for domain in bad),
        samples=tuple(shown),
        detail=f"addresses outside {', '.join(allowed)} ({', '.join(sorted(bad)[:5])})"
        if bad
        else "addresses outside the allowed domains",
    )


def phone_regex(patterns: Sequence[str]) -> str:
    """One anchored alternation, for the database's REGEXP (PCRE in MariaDB, ICU in MySQL)."""
    for pattern in patterns:
        re.compile(pattern)
    return "^(?:" + "|".join(f"(?:{p})" for p in patterns) + ")$"


def phone_finding(
    query: Query, column: Column, patterns: Sequence[str], samples: int
) -> ColumnFinding:
    table, col = column.sql
    regex = phone_regex(patterns)
    where = f"{col} IS NOT NULL AND {col} <> ''"
    row = query(
        f"SELECT COUNT(*) AS total, COALESCE(SUM(NOT ({col} REGEXP %s)), 0) AS bad"
        f" FROM {table} WHERE {where}",
        (regex,),
    )[0]
    bad = int(row["bad"])
    shown: tuple[str, ...] = ()
    if bad and samples:
        found = query(
            f"SELECT {col} AS v FROM {table} WHERE {where} AND NOT ({col} REGEXP %s)"
            f" LIMIT {int(samples)}",
            (regex,),
        )
        shown = tuple(mask_text(str(r["v"])) for r in found)
    return ColumnFinding(
        column, checked=int(row["total"]), offending=bad, samples=shown,
        detail="numbers outside the fake range",
    )


def as_evidence(findings: Sequence[ColumnFinding]) -> list[dict[str, object]]:
    return [
        {"column": f.column.name, "checked": f.checked, "offending": f.offending,
         "masked_samples": list(f.samples)}
        for f in findings
    ]
