"""Phase 4: what the customer portal shows, judged against the database.

Pages are read in a real browser (`portal_pages`, through the profile's `[portal]` contract);
this module holds the pure judging logic and the `Oracle`, which runs the profile's own SQL
(read-only, named parameters) to say what a tenant should see. Ids are strings everywhere
(integers, UUIDs, ULIDs). A profile SQL that fails or is missing is "could not verify",
naming the profile key — never an application failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pymysql

from staging_gate.errors import CouldNotVerify

NONSENSE_TERM = "zq9xj-staging-gate-no-such-term"

Row = dict[str, Any]
NamedQuery = Callable[[str, Mapping[str, object]], list[Row]]

# Every named parameter a profile SQL may use; those a call does not set are NULL.
SQL_PARAMETERS = ("company_id", "today", "email", "status", "from", "to", "until", "search",
                  "ids", "id")


@dataclass(frozen=True)
class Pagination:
    """The list's page controls: the current page number (if shown) and prev/next."""

    page: int | None
    has_prev: bool
    has_next: bool


@dataclass(frozen=True)
class Listing:
    """One rendered list page: record ids in order, their cells (status/date/search), the
    total the page states (None: not shown), the page controls, and whether the page showed
    its empty-state marker."""

    ids: tuple[str, ...]
    cells: tuple[Mapping[str, str], ...]
    total: int | None = None
    pagination: Pagination | None = None
    empty: bool = False


def parse_int(raw: str | None) -> int | None:
    """'70', ' 1.234 ', '1,234', '1 234' → int; anything else → None."""
    if raw is None:
        return None
    digits = re.sub(r"[.,\s\u00a0\u202f']", "", raw)
    return int(digits) if digits.isdigit() else None


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def parse_total(text: str, patterns: Sequence[str]) -> int | None:
    """The total in a text like "Showing 1 to 25 of 70 results" or "Zeige 1 bis 25 von 70
    Ergebnissen": group 1 of the first pattern that matches, thousands separators removed."""
    for pattern in patterns:
        match = re.search(pattern, normalize(text))
        if match:
            return parse_int(match.group(1))
    return None


def extract_id(raw: str | None, pattern: str = "") -> str | None:
    """An id from an attribute value: all of it, or group 1 of `pattern`."""
    if raw is None:
        return None
    value = raw.strip()
    if pattern:
        match = re.search(pattern, value)
        value = match.group(1).strip() if match else ""
    return value or None


# --- judging ---------------------------------------------------------------------------------
def pagination_problems(first: Listing, second: Listing, what: str) -> list[str]:
    """Page 2 must exist, be marked page 2 (when pages are numbered), and show other records."""
    problems: list[str] = []
    nav = first.pagination
    if nav is None or not nav.has_next:
        problems.append(f"{what} page 1 offers no next-page control (total {first.total})")
    if second.pagination is not None and second.pagination.page not in (None, 2):
        problems.append(f"{what} page 2 is marked as page {second.pagination.page}")
    elif second.pagination is not None and not second.pagination.has_prev:
        problems.append(f"{what} page 2 offers no previous-page control")
    if not second.ids:
        problems.append(f"{what} page 2 shows no rows")
    repeated = [record_id for record_id in second.ids if record_id in set(first.ids)]
    if repeated:
        problems.append(
            f"{what} page 2 repeats page 1: {len(repeated)} of {len(second.ids)} ids the same "
            f"({', '.join(repeated[:5])}{'…' if len(repeated) > 5 else ''})"
        )
    return problems


def total_problem(listing: Listing, expected: int, what: str) -> str | None:
    """The list's total must equal the database's count for the tenant."""
    if listing.total == expected:
        return None
    return f"{what}: the page says {listing.total} in total, the database holds {expected}"


def foreign_ids(shown: Iterable[str], owned: Iterable[str]) -> list[str]:
    """Ids shown that the database does not list as the tenant's (first-seen order)."""
    mine = set(owned)
    return list(dict.fromkeys(record_id for record_id in shown if record_id not in mine))


def transcript_problems(shown: Sequence[str], expected: Sequence[str], call: str) -> list[str]:
    """The transcript lines must be the database's lines, in order (speaker labels aside)."""
    if not expected:
        return [f"call {call} has no transcript lines in the database to compare"]
    if not shown:
        return [f"call {call} shows no transcript lines, the database has {len(expected)}"]
    if len(shown) != len(expected):
        return [f"call {call} shows {len(shown)} transcript lines, the database has "
                f"{len(expected)}"]
    return [
        f"call {call} transcript line {n} reads {normalize(seen)!r}, "
        f"the database has {normalize(want)!r}"
        for n, (seen, want) in enumerate(zip(shown, expected, strict=True), start=1)
        if normalize(want) not in normalize(seen)
    ]


def search_problems(row: str, term: str, found: Listing, unfiltered: int | None,
                    nothing: Listing) -> list[str]:
    """A term from a real row finds that row and narrows the list; nonsense finds nothing."""
    problems = []
    if row not in found.ids:
        problems.append(f"search for {term!r} did not find call {row}, whose row shows it")
    total = found.total if found.total is not None else len(found.ids)
    if unfiltered is not None and total >= unfiltered:
        problems.append(f"search for {term!r} found {total} calls, as many as unfiltered "
                        f"({unfiltered}): the term was not applied")
    if nothing.ids:
        problems.append(f"search for nonsense {NONSENSE_TERM!r} found {len(nothing.ids)} calls "
                        "on its first page, expected none")
    return problems


def status_mismatches(listing: Listing, allowed: Iterable[str]) -> list[str]:
    """Rows whose status cell is not one of `allowed` (what a filter must have kept)."""
    keep = {normalize(value) for value in allowed}
    return [
        f"row {record_id} has status={cells.get('status')!r}"
        for record_id, cells in zip(listing.ids, listing.cells, strict=True)
        if normalize(cells.get("status", "")) not in keep
    ]


def dates_outside(listing: Listing, start: date, end: date) -> list[str]:
    """Rows whose date cell lies outside [start, end] (or shows no date)."""
    outside = []
    for record_id, cells in zip(listing.ids, listing.cells, strict=True):
        day = parse_day(cells.get("date", ""))
        if day is None or not start <= day <= end:
            outside.append(f"row {record_id} has date={cells.get('date')!r}")
    return outside


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DOTTED_DAY = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")


def parse_day(text: str) -> date | None:
    """The first day in `text`: ISO (2026-11-29) or German (29.11.2026)."""
    iso = _ISO_DAY.search(text)
    if iso:
        return _day(int(iso[1]), int(iso[2]), int(iso[3]))
    dotted = _DOTTED_DAY.search(text)
    return _day(int(dotted[3]), int(dotted[2]), int(dotted[1])) if dotted else None


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def stat_problems(shown: Mapping[str, str], expected: Mapping[str, int]) -> list[str]:
    """Each stat card must show exactly the database's number."""
    return [
        f"stat card {name} shows {shown[name].strip()!r}, the database counts {want}"
        for name, want in expected.items()
        if parse_int(shown[name]) != want
    ]


def calendar_problems(days: int, month_days: int, events: int, expected: int) -> list[str]:
    """A month grid with every day of the month, and entries when the month has any."""
    problems = []
    if days < month_days:
        problems.append(f"the month grid shows {days} of its {month_days} days")
    if expected and not events:
        problems.append(f"the calendar shows no appointments, the database has {expected} "
                        "this month")
    elif events > expected:
        problems.append(f"the calendar shows {events} appointments, the database has only "
                        f"{expected} this month")
    return problems


def chart_problems(chart: Mapping[str, object], per_day: Mapping[str, int]) -> list[str]:
    """The chart has a visible size, draws something when there are calls, and any bars
    carry the database's per-day counts."""
    width, height = float(str(chart.get("width", 0))), float(str(chart.get("height", 0)))
    if width <= 0 or height <= 0:
        return [f"the chart has no visible size ({width:.0f}x{height:.0f} px)"]
    problems = []
    calls = sum(per_day.values())
    if calls and not chart.get("drawn"):
        problems.append(f"the chart draws nothing, the database has {calls} calls in its days")
    bars = chart.get("bars")
    for day, raw in bars if isinstance(bars, list) else []:
        if parse_int(str(raw)) != per_day.get(str(day), 0):
            problems.append(f"the bar for {day} says {raw}, the database counts "
                            f"{per_day.get(str(day), 0)}")
    return problems


def activity_problems(entries: Sequence[tuple[str, str]], owned: Mapping[str, set[str]],
                      latest: tuple[str, str] | None) -> list[str]:
    """Entries are shown, all the tenant's own, and the latest (kind, id) is among them."""
    if not entries:
        return ["no recent activity entries shown"]
    problems = [
        f"{kind} {record_id} is not the tenant's (another company's or missing)"
        for kind, record_id in entries
        if kind in owned and record_id not in owned[kind]
    ]
    if latest is not None and latest not in entries:
        problems.append(f"the latest {latest[0]} ({latest[1]}) is not among the recent activity")
    return problems


def month_of(day: date) -> tuple[date, date]:
    """First and last day of `day`'s month."""
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


# --- what the database says the tenant should see ---------------------------------------------
class ProfileSqlError(Exception):
    """A profile SQL statement failed; the message is the database's one line."""


def read_only_runner(connection: Any) -> NamedQuery:
    """Run profile SQL with named parameters inside a READ ONLY transaction, rolled back
    afterwards (MySQL/MariaDB: START TRANSACTION READ ONLY rejects any write).

    Raises: ProfileSqlError for any database error or unknown parameter.
    """

    def run(sql: str, params: Mapping[str, object]) -> list[Row]:
        try:
            with connection.cursor() as cursor:
                cursor.execute("START TRANSACTION READ ONLY")
                try:
                    cursor.execute(sql, dict(params))
                    return list(cursor.fetchall())
                finally:
                    cursor.execute("ROLLBACK")
        except pymysql.MySQLError as error:
            raise ProfileSqlError(" ".join(str(part) for part in error.args)) from None
        except (KeyError, TypeError, ValueError) as error:
            raise ProfileSqlError(f"parameter problem: {error}") from None

    return run


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return int(value)
    return parse_int(None if value is None else str(value))


def _day_text(value: object) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else str(value)[:10]


@dataclass
class Oracle:
    """The profile's SQL for one tenant: `company` as `company_sql` returned it, `today` as
    the database knows it. Every method names the profile key it runs.

    Raises (every method): CouldNotVerify naming the key when the SQL is missing, fails, or
    returns nothing usable.
    """

    run: NamedQuery
    company: object = None
    today: date = field(default_factory=date.today)

    def rows(self, key: str, sql: str, **params: object) -> list[Row]:
        if not sql:
            raise CouldNotVerify(f"{key} is not set", f"write {key} in the profile's [portal]")
        values: dict[str, object] = dict.fromkeys(SQL_PARAMETERS)
        values.update(company_id=self.company, today=self.today, **params)
        try:
            return self.run(sql, values)
        except ProfileSqlError as error:
            raise CouldNotVerify(
                f"profile SQL {key} failed: {error}",
                f"correct {key} (one read-only SELECT; named parameters "
                f"{', '.join('%(' + p + ')s' for p in SQL_PARAMETERS)})",
            ) from None

    def value(self, key: str, sql: str, **params: object) -> object | None:
        """First column of the first row (None without rows)."""
        found = self.rows(key, sql, **params)
        return next(iter(found[0].values()), None) if found else None

    def count(self, key: str, sql: str, **params: object) -> int:
        raw = self.value(key, sql, **params)
        number = _number(raw)
        if number is None:
            raise CouldNotVerify(f"profile SQL {key} returned {raw!r}, not a number",
                                 f"make {key} return one number in its first column")
        return number

    def column(self, key: str, sql: str, **params: object) -> list[str]:
        """First column of every row, as strings."""
        return [str(next(iter(row.values()))) for row in self.rows(key, sql, **params) if row]

    def owned(self, key: str, sql: str, ids: Sequence[str]) -> list[str]:
        """Which of `ids` the company owns (no query for no ids: `IN ()` is no SQL)."""
        return self.column(key, sql, ids=tuple(ids)) if ids else []

    def per_day(self, key: str, sql: str, start: date, end: date) -> dict[str, int]:
        """(day, count) rows between start and end (inclusive) → {"YYYY-MM-DD": n}."""
        found = self.rows(key, sql, **range_params(start, end))
        per_day: dict[str, int] = {}
        for row in found:
            day, raw = list(row.values())[:2]
            per_day[_day_text(day)] = _number(raw) or 0
        return per_day


def range_params(start: date | None, end: date | None) -> dict[str, object]:
    """`from`, `to` (inclusive) and `until` (exclusive: the day after `to`)."""
    return {"from": start, "to": end, "until": None if end is None else end + timedelta(days=1)}


def company_of(oracle: Oracle, sql: str, email: str) -> object | None:
    """The tenant's company as `[portal].company_sql` returns it for %(email)s."""
    return oracle.value("[portal].company_sql", sql, email=email)


def today(oracle: Oracle, sql: str) -> date:
    value = oracle.value("[portal].today_sql", sql)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day = parse_day(str(value))
    if day is None:
        raise CouldNotVerify(f"[portal].today_sql returned {value!r}, not a day",
                             "make [portal].today_sql return one date (SELECT CURDATE())")
    return day
