"""The portal's queries. Every query is scoped by ``company_id`` (the companyscope) -
except where a seeded defect says otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from reference_target.app.db import RequestDb, Row

PER_PAGE = 25
CALL_STATUSES = ("completed", "missed", "voicemail", "failed", "transferred")
APPOINTMENT_STATUSES = ("scheduled", "confirmed", "completed", "cancelled", "no_show")
OPEN_APPOINTMENT_STATUSES = ("scheduled", "confirmed")


@dataclass(frozen=True)
class Filters:
    search: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    page: int
    total: int

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


class Where:
    """A WHERE clause built from parameterised fragments."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, sql: str, *args: Any) -> None:
        self.parts.append(sql)
        self.args.extend(args)

    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "1=1"


# --- calls ----------------------------------------------------------------------------------
CALL_COLUMNS = ("c.id, c.company_id, c.call_id, c.caller_number, c.direction, c.status, "
                "c.duration_seconds, c.summary, c.started_at, c.created_at, c.customer_id")


def _call_where(company_id: int, filters: Filters, defects: frozenset[str]) -> Where:
    where = Where()
    searching_unscoped = bool(filters.search) and "tenant_leak_calls_search" in defects
    if "tenant_leak_calls_list" not in defects and not searching_unscoped:
        where.add("c.company_id = %s", company_id)
    if filters.status and "broken_status_filter" not in defects:
        if "sql_injection_filter_page" in defects:
            status = filters.status.replace("%", "%%")
            where.add(f"c.status = '{status}'")  # the injectable concatenation
        else:
            where.add("c.status = %s", filters.status)
    dated = "broken_date_filter" not in defects
    if filters.date_from and dated:
        where.add("c.created_at >= %s", filters.date_from)
    if filters.date_to and dated:
        where.add("c.created_at < %s", filters.date_to + timedelta(days=1))
    if filters.search and "broken_search" not in defects:
        if "sql_injection_search" in defects:
            term = filters.search.replace("%", "%%")
            where.add(f"c.summary LIKE '%%{term}%%'")  # the injectable concatenation
        else:
            like = f"%{filters.search}%"
            where.add("(c.caller_number LIKE %s OR c.summary LIKE %s OR c.id IN (SELECT "
                      "e.call_session_id FROM retell_call_events e WHERE e.company_id = %s "
                      "AND e.text LIKE %s))", like, like, company_id, like)
    return where


def calls_page(db: RequestDb, company_id: int, filters: Filters, page: int,
               defects: frozenset[str]) -> Page:
    where = _call_where(company_id, filters, defects)
    args = tuple(where.args)
    total = int(db.scalar(f"SELECT COUNT(*) FROM retell_call_sessions c WHERE {where.sql()}",
                          args) or 0)
    offset = 0 if "broken_pagination" in defects else (page - 1) * PER_PAGE
    order = f"ORDER BY c.created_at DESC, c.id DESC LIMIT {PER_PAGE} OFFSET {offset}"
    if "n_plus_one" in defects:
        rows = db.all(f"SELECT {CALL_COLUMNS} FROM retell_call_sessions c "
                      f"WHERE {where.sql()} {order}", args)
        for row in rows:  # the lazy-loaded relation, one query per row
            customer = db.first("SELECT name FROM customers WHERE id = %s",
                                (row["customer_id"],))
            row["customer_name"] = customer["name"] if customer else None
    else:
        rows = db.all(f"SELECT {CALL_COLUMNS}, cu.name AS customer_name "
                      "FROM retell_call_sessions c LEFT JOIN customers cu "
                      f"ON cu.id = c.customer_id WHERE {where.sql()} {order}", args)
    return Page(rows=rows, page=page, total=total)


def call_detail(db: RequestDb, company_id: int | None, call_id: int | str,
                defects: frozenset[str]) -> Row | None:
    """One call with its transcript; ``company_id=None`` means unscoped."""
    scope, args = ("", (call_id,)) if company_id is None else \
        (" AND c.company_id = %s", (call_id, company_id))
    row = db.first(f"SELECT {CALL_COLUMNS}, c.ended_at, cu.name AS customer_name "
                   "FROM retell_call_sessions c LEFT JOIN customers cu ON cu.id = c.customer_id "
                   f"WHERE c.id = %s{scope}", args)
    if row is None:
        return None
    row["transcript"] = [] if "broken_transcript" in defects else db.all(
        "SELECT sequence, speaker, text, occurred_at FROM retell_call_events "
        "WHERE call_session_id = %s AND company_id = %s ORDER BY sequence",
        (row["id"], row["company_id"]))
    return row


def exists_anywhere(db: RequestDb, table: str, record_id: int | str) -> bool:
    return db.first(f"SELECT id FROM {table} WHERE id = %s", (record_id,)) is not None


# --- appointments ---------------------------------------------------------------------------
APPOINTMENT_SELECT = (
    "SELECT a.id, a.company_id, a.starts_at, a.ends_at, a.status, a.notes, "
    "cu.name AS customer_name, s.name AS staff_name, sv.name AS service_name, "
    "b.name AS branch_name FROM appointments a "
    "LEFT JOIN customers cu ON cu.id = a.customer_id "
    "LEFT JOIN staff s ON s.id = a.staff_id "
    "LEFT JOIN services sv ON sv.id = a.service_id "
    "LEFT JOIN branches b ON b.id = a.branch_id ")


def _appointment_where(company_id: int, filters: Filters, defects: frozenset[str],
                       today: date) -> Where:
    where = Where()
    if "tenant_leak_appointments_list" not in defects:
        where.add("a.company_id = %s", company_id)
    if filters.status and "broken_status_filter" not in defects:
        where.add("a.status = %s", filters.status)
    if "broken_date_filter" in defects:
        filters = Filters(search=filters.search, status=filters.status)
    undated = filters.date_from is None and filters.date_to is None
    if undated and "upcoming_includes_past" not in defects:
        where.add("a.starts_at >= %s", today)  # default: upcoming
    if filters.date_from:
        where.add("a.starts_at >= %s", filters.date_from)
    if filters.date_to:
        where.add("a.starts_at < %s", filters.date_to + timedelta(days=1))
    return where


def appointments_page(db: RequestDb, company_id: int, filters: Filters, page: int,
                      defects: frozenset[str]) -> Page:
    where = _appointment_where(company_id, filters, defects, date.today())
    args = tuple(where.args)
    total = int(db.scalar(f"SELECT COUNT(*) FROM appointments a WHERE {where.sql()}", args)
                or 0)
    offset = (page - 1) * PER_PAGE
    rows = db.all(f"{APPOINTMENT_SELECT} WHERE {where.sql()} "
                  f"ORDER BY a.starts_at, a.id LIMIT {PER_PAGE} OFFSET {offset}", args)
    return Page(rows=rows, page=page, total=total)


def appointments_between(db: RequestDb, company_id: int, start: date, end: date,
                         status: str) -> list[Row]:
    where = Where()
    where.add("a.company_id = %s", company_id)
    where.add("a.starts_at >= %s", start)
    where.add("a.starts_at < %s", end)
    if status:
        where.add("a.status = %s", status)
    return db.all(f"{APPOINTMENT_SELECT} WHERE {where.sql()} ORDER BY a.starts_at, a.id",
                  tuple(where.args))


def appointment_detail(db: RequestDb, company_id: int,
                       appointment_id: int | str) -> Row | None:
    return db.first(f"{APPOINTMENT_SELECT} WHERE a.id = %s AND a.company_id = %s",
                    (appointment_id, company_id))


# --- dashboard ------------------------------------------------------------------------------
def dashboard(db: RequestDb, company_id: int) -> dict[str, Any]:
    """Stat cards, 14-day chart and recent activity (cached as one value)."""
    today = date.today()
    tomorrow = today + timedelta(days=1)
    stats = {
        "calls_total": db.scalar("SELECT COUNT(*) FROM retell_call_sessions "
                                 "WHERE company_id = %s", (company_id,)),
        "calls_today": db.scalar("SELECT COUNT(*) FROM retell_call_sessions WHERE company_id "
                                 "= %s AND created_at >= %s AND created_at < %s",
                                 (company_id, today, tomorrow)),
        "appointments_upcoming": db.scalar(
            "SELECT COUNT(*) FROM appointments WHERE company_id = %s AND starts_at >= %s "
            "AND status IN ('scheduled', 'confirmed')", (company_id, today)),
        "appointments_total": db.scalar("SELECT COUNT(*) FROM appointments "
                                        "WHERE company_id = %s", (company_id,)),
    }
    start = today - timedelta(days=13)
    per_day = {str(row["day"]): int(row["calls"]) for row in db.all(
        "SELECT DATE(created_at) AS day, COUNT(*) AS calls FROM retell_call_sessions "
        "WHERE company_id = %s AND created_at >= %s GROUP BY DATE(created_at)",
        (company_id, start))}
    chart = [{"date": str(start + timedelta(days=n)),
              "count": per_day.get(str(start + timedelta(days=n)), 0)} for n in range(14)]
    return {"stats": {k: int(v or 0) for k, v in stats.items()}, "chart": chart,
            "recent": _recent(db, company_id)}


def _recent(db: RequestDb, company_id: int) -> list[dict[str, Any]]:
    calls = db.all("SELECT id, status, summary, created_at FROM retell_call_sessions "
                   "WHERE company_id = %s ORDER BY created_at DESC, id DESC LIMIT 5",
                   (company_id,))
    appointments = db.all(
        "SELECT a.id, a.status, a.starts_at, a.updated_at, sv.name AS service_name "
        "FROM appointments a LEFT JOIN services sv ON sv.id = a.service_id "
        "WHERE a.company_id = %s AND a.starts_at >= %s ORDER BY a.starts_at, a.id LIMIT 5",
        (company_id, datetime.now()))
    items = [{"kind": "call", "id": c["id"], "at": str(c["created_at"]),
              "text": c["summary"], "status": c["status"]} for c in calls]
    items += [{"kind": "appointment", "id": a["id"], "at": str(a["starts_at"]),
               "text": a["service_name"] or "Termin", "status": a["status"]}
              for a in appointments]
    return items
