"""Phase 4: what the customer portal shows, judged against the database.

Pages are read in a real browser (`portal_pages`); this module holds the pure judging logic
and the read-only queries that say what a tenant should see. Every query is scoped by the
tenant's company, so the database — not the page — decides what belongs to whom.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from staging_gate.probes.schema import Query

NONSENSE_TERM = "zq9xj-staging-gate-no-such-term"


@dataclass(frozen=True)
class Pagination:
    """`nav.pagination[data-page][data-last-page][data-total]` and its prev/next links."""

    page: int | None
    last_page: int | None
    total: int | None
    has_prev: bool
    has_next: bool


@dataclass(frozen=True)
class Listing:
    """One rendered list page: the record ids in order, their cell values, the pagination."""

    ids: tuple[int, ...]
    cells: tuple[Mapping[str, str], ...]
    pagination: Pagination | None


def parse_int(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- judging ---------------------------------------------------------------------------------
def pagination_problems(first: Listing, second: Listing, what: str) -> list[str]:
    """Page 2 must exist, be marked page 2, and show records page 1 did not."""
    problems: list[str] = []
    nav = first.pagination
    if nav is None:
        return [f"{what} page 1 has no pagination controls (nav.pagination)"]
    if not nav.has_next:
        problems.append(f"{what} page 1 offers no next-page link (total {nav.total})")
    if second.pagination is None or second.pagination.page != 2:
        seen = None if second.pagination is None else second.pagination.page
        problems.append(f"{what} page 2 is marked as page {seen}")
    elif not second.pagination.has_prev:
        problems.append(f"{what} page 2 offers no previous-page link")
    if not second.ids:
        problems.append(f"{what} page 2 shows no rows")
    repeated = sorted(set(first.ids) & set(second.ids))
    if repeated:
        problems.append(
            f"{what} page 2 repeats page 1: {len(repeated)} of {len(second.ids)} ids the same "
            f"({', '.join(map(str, repeated[:5]))}{'…' if len(repeated) > 5 else ''})"
        )
    return problems


def total_problem(listing: Listing, expected: int, what: str) -> str | None:
    """The list's total must equal the database's count for the tenant."""
    shown = None if listing.pagination is None else listing.pagination.total
    if shown == expected:
        return None
    return f"{what}: the page says {shown} in total, the database holds {expected}"


def foreign_ids(shown: Iterable[int], owned: Iterable[int]) -> list[int]:
    """Ids shown that the database does not list as the tenant's."""
    mine = set(owned)
    return sorted({record_id for record_id in shown if record_id not in mine})


def transcript_problems(shown: Sequence[str], expected: Sequence[str], call: int) -> list[str]:
    """The transcript lines must be the database's events, in order (speaker labels aside)."""
    if not expected:
        return [f"call {call} has no retell_call_events in the database to compare"]
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


def search_problems(row: int, term: str, found: Listing, unfiltered: int | None,
                    nothing: Listing) -> list[str]:
    """A term from a real row finds that row and narrows the list; nonsense finds nothing."""
    problems = []
    if row not in found.ids:
        problems.append(f"search for {term!r} did not find call {row}, whose row shows it")
    total = found.pagination.total if found.pagination else len(found.ids)
    if unfiltered is not None and total is not None and total >= unfiltered:
        problems.append(f"search for {term!r} found {total} calls, as many as unfiltered "
                        f"({unfiltered}): the term was not applied")
    if nothing.ids:
        problems.append(f"search for nonsense {NONSENSE_TERM!r} found {len(nothing.ids)} calls "
                        "on its first page, expected none")
    return problems


def column_mismatches(listing: Listing, column: str, allowed: Iterable[str]) -> list[str]:
    """Rows whose `column` cell is not one of `allowed` (what a filter must have kept)."""
    keep = set(allowed)
    return [
        f"row {record_id} has {column}={cells.get(column)!r}"
        for record_id, cells in zip(listing.ids, listing.cells, strict=True)
        if normalize(cells.get(column, "")) not in keep
    ]


def dates_outside(listing: Listing, column: str, start: date, end: date) -> list[str]:
    """Rows whose `column` (a date/time cell) lies outside [start, end]."""
    outside = []
    for record_id, cells in zip(listing.ids, listing.cells, strict=True):
        day = parse_day(cells.get(column, ""))
        if day is None or not start <= day <= end:
            outside.append(f"row {record_id} has {column}={cells.get(column)!r}")
    return outside


def parse_day(text: str) -> date | None:
    match = re.search(r"\d{4}-\d{2}-\d{2}", text)
    return date.fromisoformat(match.group(0)) if match else None


def stat_problems(shown: Mapping[str, str | None], expected: Mapping[str, int]) -> list[str]:
    """Each stat card must show exactly the database's number."""
    problems = []
    for name, want in expected.items():
        raw = shown.get(name)
        if raw is None:
            problems.append(f"stat card {name} missing (data-stat={name!r})")
        elif parse_int(re.sub(r"[.,\s]", "", raw)) != want:
            problems.append(f"stat card {name} shows {raw.strip()!r}, the database counts {want}")
    return problems


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


def chart_problems(chart: Mapping[str, object] | None, per_day: Mapping[str, int]) -> list[str]:
    """The chart exists with a visible size, draws something when there are calls, and any
    `[data-date][data-count]` bars carry the database's per-day counts."""
    if chart is None:
        return ["no chart element on the page"]
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


ACTIVITY_TABLES = {"call": "retell_call_sessions", "appointment": "appointments"}


def activity_problems(entries: Sequence[tuple[str, int]], owned: Mapping[str, set[int]],
                      latest_call: int | None) -> list[str]:
    """Entries are shown, all the tenant's own, and the latest call is among them."""
    if not entries:
        return ["no recent activity entries shown"]
    problems = [
        f"{kind} {record_id} is not the tenant's (another company's or missing)"
        for kind, record_id in entries
        if kind in ACTIVITY_TABLES and record_id not in owned.get(kind, set())
    ]
    calls = {record_id for kind, record_id in entries if kind == "call"}
    if latest_call is not None and latest_call not in calls:
        problems.append(f"the latest call ({latest_call}) is not among the recent activity")
    return problems


# --- what the database says the tenant should see --------------------------------------------
def company_of(query: Query, email: str) -> int | None:
    rows = query("SELECT company_id FROM users WHERE email = %s", (email,))
    value = rows[0]["company_id"] if rows else None
    return int(value) if isinstance(value, int) else None


def today(query: Query) -> date:
    value = query("SELECT CURDATE() AS today", ())[0]["today"]
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _count(query: Query, sql: str, args: Sequence[object]) -> int:
    rows = query(sql, args)
    return int(str(next(iter(rows[0].values())))) if rows else 0


def _ranged(column: str, start: date | None, end: date | None) -> tuple[str, list[object]]:
    sql, args = "", list[object]()
    if start is not None:
        sql, args = f" AND {column} >= %s", [start]
    if end is not None:
        sql += f" AND {column} < %s"
        args.append(end + timedelta(days=1))
    return sql, args


def _tenant_count(query: Query, table: str, date_column: str, company: int, status: str,
                  start: date | None, end: date | None) -> int:
    """Rows of one company in `table`, optionally by status and a date range on `date_column`."""
    sql = f"SELECT COUNT(*) AS n FROM {table} WHERE company_id = %s"
    args: list[object] = [company]
    if status:
        sql += " AND status = %s"
        args.append(status)
    extra, extra_args = _ranged(date_column, start, end)
    return _count(query, sql + extra, [*args, *extra_args])


def call_count(query: Query, company: int, status: str = "", start: date | None = None,
               end: date | None = None) -> int:
    return _tenant_count(query, "retell_call_sessions", "created_at", company, status, start, end)


def rarest_status(query: Query, table: str, company: int, column: str = "created_at",
                  since: date | None = None) -> str | None:
    """The tenant's least frequent status in `table` (since a day, if given): a filter that
    must narrow a lot and still find rows."""
    extra, args = _ranged(column, since, None)
    rows = query(
        f"SELECT status, COUNT(*) AS n FROM {table} WHERE company_id = %s{extra} "
        "GROUP BY status ORDER BY n, status LIMIT 1",
        (company, *args),
    )
    return str(rows[0]["status"]) if rows else None


def owned_ids(query: Query, table: str, company: int, ids: Sequence[int]) -> list[int]:
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    rows = query(
        f"SELECT id FROM {table} WHERE company_id = %s AND id IN ({marks})", (company, *ids)
    )
    return [int(str(row["id"])) for row in rows]


def first_with_transcript(query: Query, company: int, ids: Sequence[int]) -> int | None:
    """The first of `ids` (page order) that has transcript events in the database."""
    if not ids:
        return None
    marks = ", ".join(["%s"] * len(ids))
    rows = query(
        "SELECT DISTINCT call_session_id AS id FROM retell_call_events "
        f"WHERE company_id = %s AND call_session_id IN ({marks})", (company, *ids)
    )
    having = {int(str(row["id"])) for row in rows}
    return next((call for call in ids if call in having), None)


def transcript(query: Query, company: int, call: int) -> list[str]:
    rows = query(
        "SELECT text FROM retell_call_events WHERE company_id = %s AND call_session_id = %s "
        "ORDER BY sequence",
        (company, call),
    )
    return [str(row["text"]) for row in rows]


def appointment_count(query: Query, company: int, status: str = "", start: date | None = None,
                      end: date | None = None) -> int:
    return _tenant_count(query, "appointments", "starts_at", company, status, start, end)


def dashboard_stats(query: Query, company: int) -> dict[str, int]:
    """The four stat cards as the database counts them (the app's README defines each)."""
    day = today(query)
    open_upcoming = (
        "SELECT COUNT(*) AS n FROM appointments WHERE company_id = %s AND starts_at >= %s "
        "AND status IN ('scheduled', 'confirmed')"
    )
    return {
        "calls_total": call_count(query, company),
        "calls_today": call_count(query, company, start=day, end=day),
        "appointments_upcoming": _count(query, open_upcoming, (company, day)),
        "appointments_total": appointment_count(query, company),
    }


def calls_per_day(query: Query, company: int, start: date, end: date) -> dict[str, int]:
    extra, args = _ranged("created_at", start, end)
    rows = query(
        "SELECT DATE(created_at) AS day, COUNT(*) AS n FROM retell_call_sessions "
        f"WHERE company_id = %s{extra} GROUP BY DATE(created_at)", (company, *args)
    )
    return {str(row["day"]): int(str(row["n"])) for row in rows}


def latest_call(query: Query, company: int) -> int | None:
    rows = query(
        "SELECT id FROM retell_call_sessions WHERE company_id = %s "
        "ORDER BY created_at DESC, id DESC LIMIT 1", (company,)
    )
    return int(str(rows[0]["id"])) if rows else None


def owned_activity(query: Query, company: int,
                   entries: Sequence[tuple[str, int]]) -> dict[str, set[int]]:
    """Per activity kind, which of the shown ids the database lists as the tenant's."""
    return {
        kind: set(owned_ids(query, table, company, [i for k, i in entries if k == kind]))
        for kind, table in ACTIVITY_TABLES.items()
    }
