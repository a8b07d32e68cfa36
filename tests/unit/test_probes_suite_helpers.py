"""Helpers moved out of suites/ into the probes (a check is wiring + one judgement):
rollback commands and state, observing paths, direct health probes, sslyze's unmeasured
items, the migration report, cache counters and the P6.5 page observation."""

from __future__ import annotations

from typing import Any

import httpx
import pymysql
import pytest

from staging_gate.deployment.commands import CommandResult
from staging_gate.deployment.connections import MysqlDsn, TargetUnreachable
from staging_gate.errors import CouldNotVerify
from staging_gate.findings import FindingRaised
from staging_gate.probes import health, http_checks, rollback, schema, statement_counts, tls_scan
from staging_gate.probes.cache_checks import CounterSample
from staging_gate.profile import DatabaseSection

LATEST = "2025_10_26_115644_add_customer_portal_performance_indexes"

# -- rollback ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("returncode", "stdout", "stderr", "expected"),
    [
        (0, "Rolled back", "", None),
        (1, "", "first\nSQLSTATE[42S02]: table missing\n", "php artisan exited 1: SQLSTATE[42S02]: "
         "table missing"),
        (2, "only stdout says why\n", "", "php artisan exited 2: only stdout says why"),
        (3, "", "", "php artisan exited 3: "),
    ],
    ids=["ok", "stderr-last-line", "stdout-when-no-stderr", "silent"],
)
def test_command_error_names_the_command_and_its_last_line(
    returncode: int, stdout: str, stderr: str, expected: str | None
) -> None:
    result = CommandResult(("php", "artisan"), returncode, stdout, stderr)

    assert rollback.command_error(result) == expected


def test_run_logged_reports_a_failing_command() -> None:
    assert rollback.run_logged("rollback", ["true"], timeout=10) is None
    error = rollback.run_logged("rollback", ["sh", "-c", "echo boom >&2; exit 4"], timeout=10)
    assert error == "sh -c echo boom >&2; exit 4 exited 4: boom"


def test_state_reads_schema_and_ledger() -> None:
    seen: list[str] = []

    def query(sql: str, args: Any) -> list[dict[str, Any]]:
        seen.append(sql)
        if "information_schema.TABLES" in sql:
            return [{"n": 1}]
        if "FROM `migrations`" in sql:
            return [{"migration": LATEST, "batch": 3, "id": 9}]
        return []

    snapshot, applied = rollback.state(query, "app_staging", "migrations")

    assert applied == (schema.AppliedMigration(LATEST, 3, 9),)
    assert isinstance(snapshot, rollback.SchemaSnapshot)
    assert any("information_schema" in sql for sql in seen)


# -- observing paths -----------------------------------------------------------------------


def test_observe_all_gets_each_path_in_order() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404 if request.url.path == "/gone" else 200)

    with httpx.Client(transport=httpx.MockTransport(answer), base_url="https://t.test") as client:
        seen = http_checks.observe_all(client, ["/portal", "/gone"])

    assert [(o.path, o.status) for o in seen] == [("/portal", 200), ("/gone", 404)]


# -- direct health probes ------------------------------------------------------------------

DSN = MysqlDsn("127.0.0.1", 3306, "gate", "secret", "app_staging")


class FakeConnection:
    def __init__(self, ping_error: Exception | None = None) -> None:
        self.ping_error, self.closed = ping_error, False

    def ping(self, reconnect: bool) -> None:
        if self.ping_error:
            raise self.ping_error

    def close(self) -> None:
        self.closed = True


def test_database_probe_ok_unreachable_and_failing_ping(monkeypatch: pytest.MonkeyPatch) -> None:
    connection = FakeConnection()
    monkeypatch.setattr(health, "connect_db", lambda dsn, timeout: connection)
    assert health.database_probe(DSN, 2.0) == health.DirectProbe(
        True, "database at 127.0.0.1:3306 answered")
    assert connection.closed

    def unreachable(dsn: MysqlDsn, timeout: float) -> None:
        raise TargetUnreachable("MySQL unreachable at 127.0.0.1:3306")

    monkeypatch.setattr(health, "connect_db", unreachable)
    assert health.database_probe(DSN, 2.0) == health.DirectProbe(
        False, "MySQL unreachable at 127.0.0.1:3306")

    broken = FakeConnection(pymysql.OperationalError(2013, "Lost connection"))
    monkeypatch.setattr(health, "connect_db", lambda dsn, timeout: broken)
    probe = health.database_probe(DSN, 2.0)
    assert not probe.ok
    assert "Lost connection" in probe.detail
    assert broken.closed


def test_cache_probe_ok_and_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    class Client:
        def close(self) -> None:
            pass

    monkeypatch.setattr(health, "connect_cache", lambda url, timeout: Client())
    assert health.cache_probe("redis://127.0.0.1:6379/0", 1.0).ok

    def unreachable(url: str, timeout: float) -> None:
        raise TargetUnreachable("Redis unreachable at 127.0.0.1:6379: refused")

    monkeypatch.setattr(health, "connect_cache", unreachable)
    assert health.cache_probe("redis://127.0.0.1:6379/0", 1.0) == health.DirectProbe(
        False, "Redis unreachable at 127.0.0.1:6379: refused")


# -- sslyze: measured or "could not verify" ------------------------------------------------


def test_require_measured_is_quiet_when_measured_and_unverified_when_not() -> None:
    scan = tls_scan.TlsScan("staging.test:443", {"TLSv1.2": ("X",)}, ("X25519",),
                            unmeasured=("TLSv1 cipher suites",))

    tls_scan.require_measured(scan, "TLSv1.3", "certificate chain")
    with pytest.raises(CouldNotVerify) as raised:
        tls_scan.require_measured(scan, "TLSv1")

    assert raised.value.what == "staging.test:443: sslyze could not measure TLSv1 cipher suites"
    assert "python -m sslyze" in raised.value.fix


# -- the migration report --------------------------------------------------------------------


def test_migration_report_without_a_ledger_is_an_application_finding() -> None:
    settings = DatabaseSection(dsn_env="DSN", name="app_staging", production_name="app_db",
                               latest_migration=LATEST)

    with pytest.raises(FindingRaised) as raised:
        schema.migration_report(None, settings)

    (finding,) = raised.value.findings
    assert (finding.checklist_id, finding.kind) == ("P2.2", "application")
    assert str(raised.value) == "table app_staging.migrations does not exist: no migration has run"
    report = schema.migration_report((schema.AppliedMigration(LATEST, 1),), settings)
    assert report.latest_ok


# -- cache counters ------------------------------------------------------------------------


def test_cache_counters_read_from_info() -> None:
    class Redis:
        def info(self) -> dict[str, object]:
            return {"keyspace_hits": "12", "keyspace_misses": 3, "redis_version": "7.0.15"}

    sample = CounterSample.read(Redis())
    assert (sample.hits, sample.misses) == (12, 3)


# -- P6.5 page observation -----------------------------------------------------------------


def _client(status: int, rows: int, header: str | None = None) -> httpx.Client:
    body = "<table><tbody>" + "<tr><td>x</td></tr>" * rows + "</tbody></table>"
    headers = {"X-Query-Count": header} if header else {}
    transport = httpx.MockTransport(lambda request: httpx.Response(status, text=body,
                                                                   headers=headers))
    return httpx.Client(transport=transport, base_url="https://t.test")


def test_observe_page_takes_the_fewer_of_two_counted_loads() -> None:
    counter = iter([0, 0, 10, 10, 10, 10, 18, 18])

    with _client(200, 3, header="9") as client:
        observed, counts, headers = statement_counts.observe_page(
            lambda: next(counter), client, "/portal/calls?page=1", "X-Query-Count")

    assert [c.statements for c in counts] == [10, 8]
    assert observed.queries == 8
    assert observed.rows == 3
    assert headers == ["9", "9"]


def test_observe_page_that_does_not_answer_200_is_an_application_finding() -> None:
    with _client(500, 0) as client, pytest.raises(FindingRaised) as raised:
        statement_counts.observe_page(lambda: 0, client, "/portal/calls?page=1", "")

    assert str(raised.value) == (
        "GET /portal/calls?page=1 answered 500, expected 200 (the list page)")
    assert not raised.value.unverified
