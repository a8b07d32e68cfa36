"""P6.5 evidence from the database server: how many SQL statements one page load made.

The count comes from MySQL/MariaDB's Performance Schema, never from the application:
``events_statements_summary_by_user_by_event_name`` sums every finished statement per
database user and event name (MySQL 8.4 manual §29.12.20.3, MariaDB "Performance Schema
events_statements_summary_by_user_by_event_name Table"). Reading the sum for the
application's database user before and after one page load gives the statements that load
made — provided nothing else ran as that user meanwhile, which is why the check is
``exclusive``. What still lands in the window (a session row written by the same request,
the monitor's own reads when it connects as the application's user) is measured and said
in the evidence: the monitor's reads are calibrated away (two reads with no load between),
the session write is part of the page load and counted like any statement.

Counted events: ``statement/sql/*`` (every text-protocol SQL statement) and
``statement/com/Execute`` (a binary-protocol prepared statement run, PDO without emulated
prepares). ``Prepare``, ``Close stmt``, ``Quit`` and ``Ping`` are connection bookkeeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
import pymysql

from staging_gate.errors import CouldNotVerify
from staging_gate.findings import Finding, FindingRaised
from staging_gate.probes.performance import QueryObservation, count_table_rows
from staging_gate.probes.schema import Query

STATEMENT_COUNT_SQL = (
    "SELECT COALESCE(SUM(COUNT_STAR), 0) AS statements "
    "FROM performance_schema.events_statements_summary_by_user_by_event_name "
    "WHERE USER = %s AND (EVENT_NAME LIKE 'statement/sql/%%' "
    "OR EVENT_NAME = 'statement/com/Execute')"
)
PERFORMANCE_SCHEMA_SQL = "SELECT @@GLOBAL.performance_schema AS enabled"

ENABLE_FIX = ("set performance_schema=ON in the database server's my.cnf [mysqld] section and "
              "restart it (it cannot be switched on with SET GLOBAL)")

#: The monitor's own statements per read when it shares the application's user (one SELECT).
MAX_MONITOR_OVERHEAD = 3



def grant_fix(monitor_user: str) -> str:
    """The GRANT that lets `monitor_user` read the statement summaries."""
    return f"GRANT SELECT ON performance_schema.* TO '{monitor_user}'@'%' (or the host it uses)"


def check_enabled(query: Query) -> None:
    """Raise CouldNotVerify naming my.cnf when the server runs without performance_schema."""
    try:
        rows = query(PERFORMANCE_SCHEMA_SQL, ())
    except pymysql.MySQLError as error:
        raise CouldNotVerify(f"cannot read @@performance_schema: {_reason(error)}",
                             ENABLE_FIX) from None
    value = next(iter(rows[0].values()), 0) if rows else 0
    if str(value).strip().lower() not in ("1", "on", "true"):
        raise CouldNotVerify("the database server runs with performance_schema OFF, so "
                             "statements per page load cannot be counted", ENABLE_FIX)


def read_statement_count(query: Query, app_user: str, monitor_user: str) -> int:
    """Statements `app_user` has finished since the server started (or the summary was
    truncated). Raises CouldNotVerify naming the GRANT when `monitor_user` cannot read it."""
    try:
        rows = query(STATEMENT_COUNT_SQL, (app_user,))
    except pymysql.MySQLError as error:
        code = error.args[0] if error.args else 0
        fix = grant_fix(monitor_user) if code in (1142, 1044, 1045, 1227) else ENABLE_FIX
        raise CouldNotVerify(
            f"cannot read performance_schema statement summaries as '{monitor_user}': "
            f"{_reason(error)}", fix) from None
    value = next(iter(rows[0].values()), 0) if rows else 0
    return int(str(value or 0))


@dataclass(frozen=True)
class LoadCount:
    """Statements one page load made, as the server counted them.

    `statements` is the counter's rise minus the monitor's own reads (`monitor_overhead`
    statements per read when it connects as the application's user; 0 with its own account).
    `settle_reads` says how many reads it took for the counter to stop moving after the
    response (work an app does after answering — Laravel's terminate phase writing the
    session — lands late and is still this load's).
    """

    url: str
    statements: int
    before: int
    after: int
    monitor_overhead: int
    settle_reads: int


def count_load(read: Callable[[], int], load: Callable[[], None], url: str,
               settle_seconds: float = 1.0, poll_seconds: float = 0.1,
               sleep: Callable[[float], None] = time.sleep) -> LoadCount:
    """Run `load` once between reads of the statement counter and return what it cost.

    The reads' own cost is measured first (two reads with nothing between) and subtracted;
    after the load the counter is read every `poll_seconds` until it stops moving (at most
    `settle_seconds`).

    Raises CouldNotVerify when the counter went backwards (summary truncated or server
    restarted mid-check), when the calibration moved by more than a few statements, or when
    the counter never settles (other traffic on the application's user: the numbers would
    not be this page's).
    """
    first = read()
    before = read()
    overhead = before - first
    if overhead < 0:
        raise _went_backwards(url, first, before)
    if overhead > MAX_MONITOR_OVERHEAD:
        raise CouldNotVerify(
            f"{overhead} statements ran as the application's database user between two reads "
            f"with no page load: other traffic on the target, counts around GET {url} would "
            "not be this page's",
            "run the gate while nothing else uses the staging database (exclusive stage)")
    load()
    after = read()
    reads = 1
    for _ in range(max(1, round(settle_seconds / poll_seconds))):
        sleep(poll_seconds)
        latest = read()
        reads += 1
        if latest < after:
            raise _went_backwards(url, before, latest)
        moved = latest - after > overhead
        after = latest
        if not moved:
            break
    else:
        raise CouldNotVerify(
            f"the statement counter of the application's database user kept rising for "
            f"{settle_seconds:g} s after GET {url} answered: other traffic on the target",
            "run the gate while nothing else uses the staging database (exclusive stage)")
    if after < before:
        raise _went_backwards(url, before, after)
    statements = after - before - reads * overhead
    return LoadCount(url, max(0, statements), before, after, overhead, reads)


def observe_page(read: Callable[[], int], client: httpx.Client, url: str,
                 header: str) -> tuple[QueryObservation, list[LoadCount], list[str | None]]:
    """Two loads of `url` with `client`, each counted by `read` (see `count_load`): the
    lower server-side count with the rows listed, every count, and the values of the app's
    `header` per load (None each when `header` is empty). Every response is attached.

    Raises: FindingRaised (P6.5, application) when a load does not answer 200 — the list
    page itself is broken; CouldNotVerify from `count_load`.
    """
    from staging_gate.evidence import attach_response

    counts: list[LoadCount] = []
    headers: list[str | None] = []
    rows = 0
    answered: list[httpx.Response] = []
    for _ in range(2):
        counts.append(count_load(read, lambda: answered.append(client.get(url)), url))
        response = answered[-1]
        attach_response(response)
        if response.status_code != 200:
            raise FindingRaised([Finding(
                "P6.5", f"GET {url} answered {response.status_code}, expected 200 (the list page)"
            )])
        rows = count_table_rows(response.text)
        headers.append(response.headers.get(header) if header else None)
    fewest = min(count.statements for count in counts)
    return QueryObservation(url, rows, fewest), counts, headers


def observation_from_header(observed: QueryObservation,
                            values: Sequence[str | None]) -> QueryObservation | None:
    """The same page loads as the app's own query-count header tells them (the lowest
    numeric value), or None when the app sent no numeric header — an optional second source,
    never the evidence the check stands on."""
    numbers = [int(v) for v in values if v is not None and v.strip().isdigit()]
    return QueryObservation(observed.url, observed.rows, min(numbers)) if numbers else None


def _went_backwards(url: str, earlier: int, later: int) -> CouldNotVerify:
    return CouldNotVerify(
        f"the performance_schema statement counter went backwards around GET {url} "
        f"({earlier} → {later}): the summary was truncated or the server restarted",
        "run the gate when nobody truncates performance_schema summaries")


def _reason(error: pymysql.MySQLError) -> str:
    args = error.args
    if len(args) >= 2:
        return f"({args[0]}) {args[1]}"
    return str(error) or type(error).__name__
