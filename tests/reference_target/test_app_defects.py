"""The reference target's app and database: healthy behaviour, and every ``app``/``db``
defect observable with plain HTTP, SQL or Redis while on - and gone once off.

Uses the session deployment from ``conftest.py`` (``clean`` resets all defects around
each test).
"""

from __future__ import annotations

import json
import re
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pymysql
import pytest
import redis

from reference_target.defects import CATALOGUE

from .conftest import Deployment

LATEST = "2025_10_26_115644_add_customer_portal_performance_indexes"
TOKEN = re.compile(r'name="_token" value="([^"]+)"')
# Laravel's key layout: REDIS_PREFIX (slug(APP_NAME)_database_), then CACHE_PREFIX, then the key.
STAGING_KEY = "askpro_ai_gateway_database_askpro_staging_dashboard_stats_1"
PRODUCTION_KEY = "askpro_ai_gateway_database_askpro_cache_dashboard_stats_1"


# --- helpers ----------------------------------------------------------------------------------
def endpoints(dep: Deployment) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((dep.state_dir / "endpoints.json").read_text())
    return data


def client(dep: Deployment) -> httpx.Client:
    ctx = ssl.create_default_context(cafile=str(dep.state_dir / "tls" / "ca.pem"))
    return httpx.Client(base_url=f"https://localhost:{dep.https_port}", verify=ctx,
                        timeout=15)


def credentials(dep: Deployment, key: str = "tenant_a") -> tuple[str, str]:
    secrets = endpoints(dep)["secrets"]
    prefix = key.upper()
    return secrets[f"{prefix}_EMAIL"], secrets[f"{prefix}_PASSWORD"]


def login(dep: Deployment, key: str = "tenant_a", area: str = "portal") -> httpx.Client:
    http = client(dep)
    page = http.get(f"/{area}/login")
    assert page.status_code == 200, page.text[:300]
    token = TOKEN.search(page.text)
    assert token
    email, password = credentials(dep, key)
    answer = http.post(f"/{area}/login",
                       data={"_token": token.group(1), "email": email, "password": password})
    assert answer.status_code == 302 and answer.headers["location"] == f"/{area}", answer.text
    return http


@contextmanager
def session(dep: Deployment, key: str = "tenant_a", area: str = "portal") -> Iterator[httpx.Client]:
    http = login(dep, key, area)
    try:
        yield http
    finally:
        http.close()


def db(dep: Deployment, database: str | None = "askproai_staging") -> Any:
    dsn = urlsplit(endpoints(dep)["secrets"]["STAGING_DB_DSN"])
    return pymysql.connect(host=dsn.hostname, port=dsn.port, user=dsn.username,
                           password=dsn.password, database=database, autocommit=True,
                           charset="utf8mb4")


def sql(dep: Deployment, statement: str, args: tuple[Any, ...] | None = None,
        database: str | None = "askproai_staging") -> list[tuple[Any, ...]]:
    conn = db(dep, database)
    try:
        with conn.cursor() as cur:
            cur.execute(statement, args)
            return list(cur.fetchall())
    finally:
        conn.close()


def cache(dep: Deployment) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=dep.redis_port)


def cli(dep: Deployment, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return dep.cli(*args, check=check)


@contextmanager
def defect(dep: Deployment, *names: str) -> Iterator[None]:
    cli(dep, "defect", "on", *names)
    try:
        yield
    finally:
        cli(dep, "defect", "off", *names)


@contextmanager
def flag_off(dep: Deployment, name: str = "customer_portal") -> Iterator[None]:
    cli(dep, "flag", name, "false")
    try:
        yield
    finally:
        cli(dep, "flag", name, "true")


def other_tenant_call(dep: Deployment) -> int:
    return int(sql(dep, "SELECT MIN(id) FROM retell_call_sessions WHERE company_id = 2")[0][0])


def own_call(dep: Deployment) -> int:
    return int(sql(dep, "SELECT MIN(id) FROM retell_call_sessions WHERE company_id = 1")[0][0])


def stat_cards(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-stat="(\w+)">(\d+)<', html)}


def row_ids(html: str, attr: str = "data-call-id") -> list[int]:
    return [int(v) for v in re.findall(rf'<tr {attr}="(\d+)"', html)]


# --- catalogue coverage -----------------------------------------------------------------------
APP_DB_DEFECTS = sorted(d.name for d in CATALOGUE if d.layer in ("app", "db"))


def test_every_app_and_db_defect_has_a_test() -> None:
    source = Path(__file__).read_text()
    missing = [name for name in APP_DB_DEFECTS if f"def test_defect_{name}(" not in source]
    assert not missing


# --- healthy behaviour ------------------------------------------------------------------------
def test_health_is_seed_9_1(clean: Deployment) -> None:
    with client(clean) as http:
        answer = http.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "environment": "staging", "database": "connected",
                             "cache": "connected", "version": "1.0.0"}
    assert "x-query-count" in answer.headers


def test_anonymous_is_redirected_or_refused(clean: Deployment) -> None:
    with client(clean) as http:
        for path in ("/portal", "/portal/calls", "/portal/appointments", "/portal/calls/1"):
            answer = http.get(path)
            assert answer.status_code == 302 and answer.headers["location"] == "/portal/login"
        for path in ("/api/portal/calls", "/api/portal/stats", "/api/portal/appointments/1"):
            assert http.get(path).status_code == 401
        assert http.get("/admin").headers["location"] == "/admin/login"


def test_csrf_missing_or_foreign_token_is_419(clean: Deployment) -> None:
    email, password = credentials(clean)
    with client(clean) as http:
        http.get("/portal/login")
        answer = http.post("/portal/login", data={"email": email, "password": password})
        assert answer.status_code == 419 and "Page Expired" in answer.text
    with client(clean) as other:
        foreign = TOKEN.search(other.get("/portal/login").text)
        assert foreign
    with client(clean) as http:
        http.get("/portal/login")
        answer = http.post("/portal/login", data={"_token": foreign.group(1), "email": email,
                                                  "password": password})
        assert answer.status_code == 419
    with session(clean) as http:
        assert http.post("/portal/logout").status_code == 419
        assert http.get("/portal").status_code == 200


def test_other_tenant_record_is_404_like_a_missing_one(clean: Deployment) -> None:
    foreign, own = other_tenant_call(clean), own_call(clean)
    with session(clean) as http:
        assert http.get(f"/portal/calls/{own}").status_code == 200
        for prefix in ("/portal/calls/", "/api/portal/calls/"):
            theirs = http.get(f"{prefix}{foreign}")
            missing = http.get(f"{prefix}999999999")
            assert theirs.status_code == missing.status_code == 404
            assert theirs.content == missing.content
        appointment = sql(clean, "SELECT MIN(id) FROM appointments WHERE company_id = 3")[0][0]
        theirs = http.get(f"/api/portal/appointments/{appointment}")
        assert theirs.status_code == 404
        assert theirs.content == http.get("/api/portal/appointments/999999999").content


def test_flag_off_hides_every_portal_path(clean: Deployment) -> None:
    paths = ("/portal", "/portal/login", "/portal/calls", "/portal/calls/1",
             "/portal/appointments", "/portal/appointments?view=calendar", "/portal/anything",
             "/api/portal/calls", "/api/portal/stats", "/api/portal/appointments/1")
    with session(clean) as http:
        with flag_off(clean):
            assert cli(clean, "flag", "customer_portal").stdout.strip() == "false"
            for path in paths:
                assert http.get(path).status_code == 404, path
        assert http.get("/portal").status_code == 200
        with flag_off(clean, "portal_calls"):
            assert http.get("/portal/calls").status_code == 404
            assert http.get("/api/portal/calls").status_code == 404
            assert http.get("/portal/appointments").status_code == 200
        assert http.get("/portal/calls").status_code == 200


def test_admin_toggles_flags_with_csrf(clean: Deployment) -> None:
    with session(clean, "admin", area="admin") as admin:
        page = admin.get("/admin/flags")
        assert page.status_code == 200 and 'data-flag="customer_portal"' in page.text
        token = TOKEN.search(page.text)
        assert token
        no_token = admin.post("/admin/flags", data={"flag": "customer_portal", "value": "false"})
        assert no_token.status_code == 419
        try:
            off = admin.post("/admin/flags", data={"_token": token.group(1),
                                                  "flag": "customer_portal", "value": "false"})
            assert off.status_code == 302
            assert cli(clean, "flag", "customer_portal").stdout.strip() == "false"
            with client(clean) as anonymous:
                assert anonymous.get("/portal").status_code == 404
        finally:
            cli(clean, "flag", "customer_portal", "true")
        assert admin.get("/admin").status_code == 200


def test_dashboard_matches_database_and_is_cached(clean: Deployment) -> None:
    cache(clean).delete(STAGING_KEY)
    with session(clean) as http:
        first = http.get("/portal")
        second = http.get("/portal")
    assert first.headers["x-cache"] == "MISS" and second.headers["x-cache"] == "HIT"
    assert int(second.headers["x-query-count"]) < int(first.headers["x-query-count"])
    cards = stat_cards(second.text)
    assert cards["calls_total"] == sql(
        clean, "SELECT COUNT(*) FROM retell_call_sessions WHERE company_id = 1")[0][0]
    assert cards["appointments_total"] == sql(
        clean, "SELECT COUNT(*) FROM appointments WHERE company_id = 1")[0][0]
    assert cards["calls_today"] == sql(
        clean, "SELECT COUNT(*) FROM retell_call_sessions WHERE company_id = 1 "
        "AND DATE(created_at) = CURDATE()")[0][0]
    assert cards["appointments_upcoming"] == sql(
        clean, "SELECT COUNT(*) FROM appointments WHERE company_id = 1 AND "
        "starts_at >= CURDATE() AND status IN ('scheduled', 'confirmed')")[0][0]
    assert 'id="calls-chart"' in second.text and 'id="recent-activity"' in second.text
    assert 0 < (cache(clean).ttl(STAGING_KEY) or 0) <= 60


def test_calls_pages_search_filters_and_transcript(clean: Deployment) -> None:
    with session(clean) as http:
        page1 = row_ids(http.get("/portal/calls").text)
        page2 = row_ids(http.get("/portal/calls?page=2").text)
        assert len(page1) == 25 and len(page2) == 25 and not set(page1) & set(page2)
        api = http.get("/api/portal/calls?status=missed").json()
        assert api["meta"]["total"] > 0
        assert {row["status"] for row in api["data"]} == {"missed"}
        assert {row["company_id"] for row in api["data"]} == {1}
        found = http.get("/api/portal/calls?search=Rezeptanfrage").json()
        assert found["meta"]["total"] > 0
        assert all("Rezeptanfrage" in row["summary"] for row in found["data"])
        detail = http.get(f"/portal/calls/{page1[0]}").text
        assert detail.count('class="transcript-line') >= 4
        quote = http.get("/portal/calls?search=%27")
        assert quote.status_code == 200


def test_appointments_list_calendar_and_filters(clean: Deployment) -> None:
    with session(clean) as http:
        listing = http.get("/portal/appointments")
        assert listing.status_code == 200 and row_ids(listing.text, "data-appointment-id")
        calendar = http.get("/portal/appointments?view=calendar").text
        assert calendar.count('class="calendar-day') >= 28
        assert 'class="calendar-event' in calendar
        confirmed = http.get("/api/portal/appointments?status=confirmed").json()
        assert confirmed["data"] and {a["status"] for a in confirmed["data"]} == {"confirmed"}


def test_log_lines_have_laravel_format_and_no_pii(clean: Deployment) -> None:
    log_file = clean.state_dir / "app" / "storage" / "logs" / "laravel.log"
    log_file.write_text("")
    with session(clean) as http:
        http.get("/portal")
    line = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] staging\.INFO: GET /portal 200 \d+ms "
                      r'\{"user_id":\d+\}$', re.MULTILINE)
    deadline = time.monotonic() + 10  # the line is written after the answer is sent
    while not line.search(log := log_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert line.search(log), log
    assert "@" not in log and "+49" not in log


def test_migrations_and_schema(clean: Deployment) -> None:
    rows = sql(clean, "SELECT migration, batch FROM migrations ORDER BY id")
    assert len(rows) >= 12 and rows[-1] == (LATEST, 2)  # deployed in its own batch
    indexes = {r[0] for r in sql(clean, "SELECT index_name FROM information_schema.statistics "
                                       "WHERE table_schema = 'askproai_staging'")}
    assert {"idx_calls_company_created", "idx_appointments_company_starts"} <= indexes
    nullable = sql(clean, "SELECT table_name FROM information_schema.columns WHERE "
                          "table_schema = 'askproai_staging' AND column_name = 'company_id' "
                          "AND is_nullable = 'YES'")
    assert [r[0] for r in nullable] == ["users"]
    emails = sql(clean, "SELECT email FROM users UNION ALL SELECT email FROM customers")
    assert all(e[0].endswith(("@staging.askproai.de", "@example.test")) for e in emails)


def test_rollback_and_migrate_restore_the_schema(clean: Deployment) -> None:
    def schema() -> list[tuple[Any, ...]]:
        return sql(clean, "SELECT table_name, index_name, column_name FROM "
                          "information_schema.statistics WHERE table_schema = "
                          "'askproai_staging' ORDER BY 1, 2, 3")

    before = schema()
    for rollback in (["migrate:rollback", "--step", "1"], ["migrate:rollback"]):
        rolled = cli(clean, "artisan", *rollback)
        assert rolled.stdout.strip() == f"Rolled back: {LATEST}"
        assert re.search(rf"{LATEST} \.+ Pending", cli(clean, "artisan", "migrate:status").stdout)
        cli(clean, "artisan", "migrate")
        assert schema() == before


# --- app defects ------------------------------------------------------------------------------
def test_defect_cache_production_prefix(clean: Deployment) -> None:
    redis_client = cache(clean)
    with session(clean) as http:
        with defect(clean, "cache_production_prefix"):
            redis_client.delete(PRODUCTION_KEY)
            http.get("/portal")
            assert redis_client.exists(PRODUCTION_KEY)
        redis_client.delete(STAGING_KEY, PRODUCTION_KEY)
        http.get("/portal")
        assert redis_client.exists(STAGING_KEY)
        assert not redis_client.exists(PRODUCTION_KEY)


def test_defect_health_wrong_environment(clean: Deployment) -> None:
    with client(clean) as http:
        with defect(clean, "health_wrong_environment"):
            assert http.get("/health").json()["environment"] == "production"
        assert http.get("/health").json()["environment"] == "staging"


def test_defect_health_missing_field(clean: Deployment) -> None:
    with client(clean) as http:
        with defect(clean, "health_missing_field"):
            assert set(http.get("/health").json()) == {"status", "environment", "database",
                                                       "cache"}
        assert http.get("/health").json()["version"] == "1.0.0"


def test_defect_health_lies_db(clean: Deployment) -> None:
    with client(clean) as http:
        with defect(clean, "db_down"):
            started = time.monotonic()
            honest = http.get("/health")
            assert time.monotonic() - started < 5
            assert honest.status_code == 503
            assert honest.json()["status"] == "degraded"
            assert honest.json()["database"] == "disconnected"
            with defect(clean, "health_lies_db"):
                lying = http.get("/health")
                assert lying.status_code == 200 and lying.json()["database"] == "connected"
        assert http.get("/health").json()["database"] == "connected"


def test_defect_route_500(clean: Deployment) -> None:
    with client(clean) as http:
        with defect(clean, "route_500"):
            answer = http.get("/")
            assert answer.status_code == 500 and "Traceback" not in answer.text
        assert http.get("/").status_code == 200


def test_defect_admin_500(clean: Deployment) -> None:
    with client(clean) as http:
        with defect(clean, "admin_500"):
            assert http.get("/admin/login").status_code == 500
        assert http.get("/admin/login").status_code == 200


def test_defect_flag_off_route_200(clean: Deployment) -> None:
    with session(clean) as http, flag_off(clean):
        with defect(clean, "flag_off_route_200"):
            assert http.get("/portal/calls").status_code == 200
            assert http.get("/portal").status_code == 404
        assert http.get("/portal/calls").status_code == 404


def test_defect_flag_off_route_403(clean: Deployment) -> None:
    with client(clean) as http, flag_off(clean):
        with defect(clean, "flag_off_route_403"):
            assert http.get("/portal").status_code == 403
        assert http.get("/portal").status_code == 404


def test_defect_flag_off_api_200(clean: Deployment) -> None:
    with session(clean) as http, flag_off(clean):
        with defect(clean, "flag_off_api_200"):
            assert http.get("/api/portal/calls").status_code == 200
        assert http.get("/api/portal/calls").status_code == 404


def test_defect_flag_toggle_ignored(clean: Deployment) -> None:
    with client(clean) as http:
        assert http.get("/portal").status_code == 302
        with defect(clean, "flag_toggle_ignored"), flag_off(clean):
            assert http.get("/portal").status_code == 302  # toggle has no effect
        with flag_off(clean):
            assert http.get("/portal").status_code == 404


@contextmanager
def pilot_list(dep: Deployment, value: str) -> Iterator[None]:
    cli(dep, "flag", "customer_portal_test_companies", value)
    try:
        yield
    finally:
        cli(dep, "flag", "customer_portal_test_companies", "")


def test_pilot_list_limits_the_portal_to_pilot_companies(clean: Deployment) -> None:
    with session(clean, "tenant_b") as pilot, session(clean) as other, client(clean) as anon:
        missing = other.get("/staging-gate-no-such-page")
        with pilot_list(clean, "2"):  # tenant_b's company
            assert pilot.get("/portal").status_code == 200
            refused = other.get("/portal")
            assert (refused.status_code, refused.text) == (404, missing.text)
            assert "set-cookie" not in refused.headers
            assert anon.get("/portal").status_code == 404
            assert anon.get("/portal/login").status_code == 200  # pilots must log in
        assert other.get("/portal").status_code == 200


def test_defect_pilot_list_ignored(clean: Deployment) -> None:
    with session(clean) as other, pilot_list(clean, "2"):
        with defect(clean, "pilot_list_ignored"):
            assert other.get("/portal").status_code == 200
        assert other.get("/portal").status_code == 404


def test_defect_pilot_list_cached(clean: Deployment) -> None:
    with session(clean) as other:
        assert other.get("/portal").status_code == 200  # the app reads the (empty) list
        with defect(clean, "pilot_list_cached"), pilot_list(clean, "2"):
            assert other.get("/portal").status_code == 200  # the change never applies
        with pilot_list(clean, "2"):
            assert other.get("/portal").status_code == 404


def test_defect_prod_flag_left_on(clean: Deployment) -> None:
    with client(clean) as http:
        with defect(clean, "production_mode"):
            assert http.get("/portal").status_code == 404
            assert http.get("/health").json()["environment"] == "production"
            with defect(clean, "prod_flag_left_on"):
                assert http.get("/portal").status_code == 302
        assert http.get("/portal").status_code == 302


def test_defect_prod_debug_page(clean: Deployment) -> None:
    with client(clean) as http:
        missing = http.get("/staging-gate-no-such-page")
        with defect(clean, "prod_debug_page"):
            assert http.get("/_ignition/health-check").json() == {"can_execute_commands": True}
        closed = http.get("/_ignition/health-check")
        assert (closed.status_code, closed.text) == (404, missing.text)


def test_defect_tenant_leak_calls_list(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "tenant_leak_calls_list"):
            leaked = http.get("/api/portal/calls").json()
            assert leaked["meta"]["total"] == sql(
                clean, "SELECT COUNT(*) FROM retell_call_sessions")[0][0]
            html = http.get("/portal/calls?page=1").text
            assert set(re.findall(r'data-company-id="(\d+)"', html)) - {"1"}
        healthy = http.get("/api/portal/calls").json()
        assert {row["company_id"] for row in healthy["data"]} == {1}


def test_defect_broken_transcript(clean: Deployment) -> None:
    call = own_call(clean)
    with session(clean) as http:
        with defect(clean, "broken_transcript"):
            assert "transcript-line" not in http.get(f"/portal/calls/{call}").text
        assert "transcript-line" in http.get(f"/portal/calls/{call}").text


def test_defect_broken_pagination(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "broken_pagination"):
            assert row_ids(http.get("/portal/calls?page=2").text) == row_ids(
                http.get("/portal/calls").text)
        assert row_ids(http.get("/portal/calls?page=2").text) != row_ids(
            http.get("/portal/calls").text)


def test_defect_broken_search(clean: Deployment) -> None:
    total = sql(clean, "SELECT COUNT(*) FROM retell_call_sessions WHERE company_id = 1")[0][0]
    url = "/api/portal/calls?search=Rezeptanfrage"
    with session(clean) as http:
        with defect(clean, "broken_search"):
            assert http.get(url).json()["meta"]["total"] == total
        assert 0 < http.get(url).json()["meta"]["total"] < total


def test_defect_broken_calendar(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "broken_calendar"):
            page = http.get("/portal/appointments?view=calendar").text
            assert 'id="calendar"' in page and "calendar-day" not in page
        assert "calendar-event" in http.get("/portal/appointments?view=calendar").text


def test_defect_broken_status_filter(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "broken_status_filter"):
            rows = http.get("/api/portal/appointments?status=confirmed").json()["data"]
            assert {a["status"] for a in rows} - {"confirmed"}
        rows = http.get("/api/portal/appointments?status=confirmed").json()["data"]
        assert {a["status"] for a in rows} == {"confirmed"}


def test_defect_broken_status_filter_on_calls(clean: Deployment) -> None:
    url = "/api/portal/calls?status=missed"
    with session(clean) as http:
        with defect(clean, "broken_status_filter"):
            assert {c["status"] for c in http.get(url).json()["data"]} - {"missed"}
        assert {c["status"] for c in http.get(url).json()["data"]} == {"missed"}


def test_defect_broken_date_filter(clean: Deployment) -> None:
    day = str(sql(clean, "SELECT DATE(MIN(starts_at)) FROM appointments "
                         "WHERE company_id = 1")[0][0])
    calls = f"/api/portal/calls?from={day}&to={day}"
    appointments = f"/api/portal/appointments?from={day}&to={day}"
    with session(clean) as http:
        def days(url: str, field: str) -> set[str]:
            return {row[field][:10] for row in http.get(url).json()["data"]}

        with defect(clean, "broken_date_filter"):
            assert days(calls, "created_at") - {day}
            assert day not in days(appointments, "starts_at")  # falls back to upcoming
        assert days(calls, "created_at") <= {day}
        assert days(appointments, "starts_at") == {day}


def test_defect_upcoming_includes_past(clean: Deployment) -> None:
    past = sql(clean, "SELECT id FROM appointments WHERE company_id = 1 "
                      "AND starts_at < CURDATE() ORDER BY starts_at, id LIMIT 1")[0][0]
    with session(clean) as http:
        with defect(clean, "upcoming_includes_past"):
            ids = row_ids(http.get("/portal/appointments").text, "data-appointment-id")
            assert past in ids
        ids = row_ids(http.get("/portal/appointments").text, "data-appointment-id")
        assert ids and past not in ids


def test_defect_tenant_leak_appointments_list(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "tenant_leak_appointments_list"):
            rows = http.get("/api/portal/appointments").json()["data"]
            assert {a["company_id"] for a in rows} - {1}
        rows = http.get("/api/portal/appointments").json()["data"]
        assert {a["company_id"] for a in rows} == {1}


def test_defect_dashboard_chart_empty(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "dashboard_chart_empty"):
            counts = re.findall(r'class="bar"[^>]*data-count="(\d+)"', http.get("/portal").text)
            assert len(counts) == 14 and set(counts) == {"0"}
        counts = re.findall(r'class="bar"[^>]*data-count="(\d+)"', http.get("/portal").text)
        assert set(counts) - {"0"}


def test_defect_recent_activity_empty(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "recent_activity_empty"):
            assert "data-activity=" not in http.get("/portal").text
        assert 'data-activity="call"' in http.get("/portal").text


def test_defect_stale_dashboard_count(clean: Deployment) -> None:
    total = sql(clean, "SELECT COUNT(*) FROM retell_call_sessions WHERE company_id = 1")[0][0]
    with session(clean) as http:
        with defect(clean, "stale_dashboard_count"):
            assert stat_cards(http.get("/portal").text)["calls_total"] == total + 1
        assert stat_cards(http.get("/portal").text)["calls_total"] == total


def test_defect_tenant_leak_api_detail(clean: Deployment) -> None:
    foreign = other_tenant_call(clean)
    with session(clean) as http:
        with defect(clean, "tenant_leak_api_detail"):
            leaked = http.get(f"/api/portal/calls/{foreign}")
            assert leaked.status_code == 200 and leaked.json()["data"]["company_id"] == 2
        assert http.get(f"/api/portal/calls/{foreign}").status_code == 404


def test_defect_foreign_record_403(clean: Deployment) -> None:
    foreign = other_tenant_call(clean)
    with session(clean) as http:
        with defect(clean, "foreign_record_403"):
            assert http.get(f"/portal/calls/{foreign}").status_code == 403
            assert http.get("/portal/calls/999999999").status_code == 404
        assert http.get(f"/portal/calls/{foreign}").status_code == 404


def test_defect_sql_injection_search(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "sql_injection_search"):
            broken = http.get("/portal/calls?search=%27")
            assert broken.status_code == 500 and "Traceback" not in broken.text
            same = http.get("/api/portal/calls?search=x%27%20AND%20%271%27%3D%271").json()
            assert same["meta"]["total"] >= 0
        assert http.get("/portal/calls?search=%27").status_code == 200


def test_defect_csrf_missing_form(clean: Deployment) -> None:
    with session(clean) as http, defect(clean, "csrf_missing_form"):
        page = http.get("/portal").text
        form = re.search(r'<form id="logout-form".*?</form>', page, re.DOTALL)
        assert form and "_token" not in form.group(0)
        assert http.post("/portal/logout").status_code == 302
    with session(clean) as http:
        assert http.post("/portal/logout").status_code == 419


def test_defect_portal_route_anonymous(clean: Deployment) -> None:
    with client(clean) as http:
        with defect(clean, "portal_route_anonymous"):
            assert http.get("/portal/appointments").status_code == 200
            assert http.get("/portal/calls").status_code == 302
        assert http.get("/portal/appointments").status_code == 302


def test_defect_cookie_insecure(clean: Deployment) -> None:
    def session_cookie(http: httpx.Client) -> str:
        header = [v for v in http.get("/portal/login").headers.get_list("set-cookie")
                  if v.startswith("askpro_ai_gateway_session=")]
        return header[0].lower()

    with client(clean) as http, defect(clean, "cookie_insecure"):
        cookie = session_cookie(http)
        assert "secure" not in cookie and "httponly" not in cookie
    with client(clean) as http:
        cookie = session_cookie(http)
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_defect_duplicate_hsts(clean: Deployment) -> None:
    with client(clean) as http, defect(clean, "duplicate_hsts"):
        lines = http.get("/").headers.get_list("strict-transport-security")
        assert lines == ["max-age=86400", "max-age=31536000; includeSubDomains"]  # app first
    with client(clean) as http:
        lines = http.get("/").headers.get_list("strict-transport-security")
        assert lines == ["max-age=31536000; includeSubDomains"]


def test_defect_debug_stack_trace(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "debug_stack_trace"):
            trace = http.get("/portal/calls?page=abc")
            assert trace.status_code == 500 and "Traceback (most recent call last)" in trace.text
        healthy = http.get("/portal/calls?page=abc")
        assert healthy.status_code == 200 and "Traceback" not in healthy.text


def test_defect_n_plus_one(clean: Deployment) -> None:
    with session(clean) as http:
        healthy = int(http.get("/portal/calls").headers["x-query-count"])
        with defect(clean, "n_plus_one"):
            assert int(http.get("/portal/calls").headers["x-query-count"]) >= healthy + 25
        # +1 at most: the session's last_activity is touched once a minute
        assert healthy <= 6 and int(http.get("/portal/calls").headers["x-query-count"]) <= 7


def test_defect_slow_api(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "slow_api"):
            assert http.get("/api/portal/stats").elapsed.total_seconds() >= 0.8
        assert http.get("/api/portal/stats").elapsed.total_seconds() < 0.5


def test_defect_api_single_worker(clean: Deployment) -> None:
    """One user, however fast, sees healthy answers; a second user's session makes the API
    slow for both; alone again after the busy window, fast again."""
    with session(clean) as first, session(clean, "tenant_b") as second, \
            defect(clean, "api_single_worker"):
        fresh = login(clean, "tenant_a", "portal")  # login pages count for nothing:
        assert fresh.get("/api/portal/stats").elapsed.total_seconds() < 0.3  # fast at once
        fresh.close()
        time.sleep(2.1)                       # its session is forgotten
        for _ in range(8):                    # one user, back to back
            assert first.get("/api/portal/stats").elapsed.total_seconds() < 0.3
        second.get("/portal")                 # a second user arrives
        assert first.get("/api/portal/stats").elapsed.total_seconds() >= 0.7
        assert second.get("/api/portal/stats").elapsed.total_seconds() >= 0.7
        time.sleep(2.1)
        assert first.get("/api/portal/stats").elapsed.total_seconds() < 0.3


def test_defect_slow_homepage(clean: Deployment) -> None:
    with client(clean) as http:
        with defect(clean, "slow_homepage"):
            assert http.get("/").elapsed.total_seconds() >= 2.5
        assert http.get("/").elapsed.total_seconds() < 1


def assert_slow_dashboard(clean: Deployment, name: str, key: str, area: str) -> None:
    with session(clean, key, area) as http:
        with defect(clean, name):
            slow = http.get(f"/{area}")
            assert slow.status_code == 200 and slow.elapsed.total_seconds() >= 3.5
        assert http.get(f"/{area}").elapsed.total_seconds() < 1


def test_defect_slow_admin_dashboard(clean: Deployment) -> None:
    assert_slow_dashboard(clean, "slow_admin_dashboard", "admin", "admin")


def test_defect_slow_portal_dashboard(clean: Deployment) -> None:
    assert_slow_dashboard(clean, "slow_portal_dashboard", "tenant_a", "portal")


def test_defect_portal_route_unregistered(clean: Deployment) -> None:
    with client(clean) as http:
        with defect(clean, "portal_route_unregistered"):
            assert http.get("/portal/appointments").status_code == 404
            assert http.get("/portal/calls").status_code == 302
        assert http.get("/portal/appointments").status_code == 302


def test_defect_cache_disabled(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "cache_disabled"):
            first, second = http.get("/portal"), http.get("/portal")
            assert second.headers["x-cache"] == "MISS"
            assert second.headers["x-query-count"] == first.headers["x-query-count"]
            assert not cache(clean).exists(STAGING_KEY)
        http.get("/portal")
        assert http.get("/portal").headers["x-cache"] == "HIT"


def test_defect_cache_counters_reset(clean: Deployment) -> None:
    redis_client = cache(clean)
    with session(clean) as http:
        http.get("/portal")
        http.get("/portal")
        assert int(redis_client.info("stats")["keyspace_hits"]) > 0
        with defect(clean, "cache_counters_reset"):
            http.get("/portal")
            assert int(redis_client.info("stats")["keyspace_hits"]) == 0


def test_defect_pii_in_log(clean: Deployment) -> None:
    log = clean.state_dir / "app" / "storage" / "logs" / "laravel.log"
    email, _ = credentials(clean)
    with defect(clean, "pii_in_log"):
        login(clean).close()
        assert email in log.read_text()
    log.write_text("")
    login(clean).close()
    assert email not in log.read_text() and "@" not in log.read_text()


def test_defect_pii_in_log_logged_in(clean: Deployment) -> None:
    log = clean.state_dir / "app" / "storage" / "logs" / "laravel.log"
    email, _ = credentials(clean)
    with defect(clean, "pii_in_log_logged_in"), session(clean) as http:
        assert email not in log.read_text()  # the login itself writes no address
        http.get("/portal/calls")
        assert email in log.read_text()
    log.write_text("")
    with session(clean) as http:
        http.get("/portal/calls")
    assert email not in log.read_text() and "@" not in log.read_text()


# --- db defects -------------------------------------------------------------------------------
def test_defect_db_named_like_production(clean: Deployment) -> None:
    env_file = clean.state_dir / "app" / ".env.staging"
    with defect(clean, "db_named_like_production"):
        databases = {r[0] for r in sql(clean, "SHOW DATABASES", database=None)}
        assert "askproai_db" in databases
        assert sql(clean, "SELECT COUNT(*) FROM information_schema.tables "
                          "WHERE table_schema = 'askproai_staging'")[0][0] == 0
        assert "DB_DATABASE=askproai_db" in env_file.read_text()
        with session(clean) as http:
            assert http.get("/portal").status_code == 200
    assert "askproai_db" not in {r[0] for r in sql(clean, "SHOW DATABASES", database=None)}
    assert "DB_DATABASE=askproai_staging" in env_file.read_text()
    assert sql(clean, "SELECT COUNT(*) FROM retell_call_sessions")[0][0] > 0


def test_defect_db_wrong_charset(clean: Deployment) -> None:
    query = ("SELECT default_character_set_name FROM information_schema.schemata "
             "WHERE schema_name = 'askproai_staging'")
    with defect(clean, "db_wrong_charset"):
        assert sql(clean, query)[0][0] == "latin1"
    assert sql(clean, query)[0][0] == "utf8mb4"


def _has_index(dep: Deployment, table: str, index: str) -> bool:
    return bool(sql(dep, "SELECT 1 FROM information_schema.statistics WHERE table_schema = "
                         "'askproai_staging' AND table_name = %s AND index_name = %s",
                    (table, index)))


def test_defect_pending_migration(clean: Deployment) -> None:
    before = sql(clean, "SELECT id, migration, batch FROM migrations ORDER BY id")
    with defect(clean, "pending_migration"):
        assert LATEST not in {r[1] for r in sql(clean, "SELECT * FROM migrations")}
        assert not _has_index(clean, "retell_call_sessions", "idx_calls_company_created")
        status = cli(clean, "artisan", "migrate:status", "--pending").stdout
        assert re.search(rf"^  {LATEST} \.+ Pending  $", status, re.MULTILINE), status
    assert sql(clean, "SELECT id, migration, batch FROM migrations ORDER BY id") == before
    assert "No pending migrations." in cli(clean, "artisan", "migrate:status", "--pending").stdout
    assert _has_index(clean, "appointments", "idx_appointments_company_starts")


def test_defect_unknown_migration(clean: Deployment) -> None:
    with defect(clean, "unknown_migration"):
        latest = sql(clean, "SELECT migration FROM migrations ORDER BY id DESC LIMIT 1")[0][0]
        assert latest != LATEST
        # Like Laravel, migrate:status lists the app's files only: the row is in the ledger.
        assert "2025_11_03_101500" not in cli(clean, "artisan", "migrate:status").stdout
    assert sql(clean, "SELECT migration FROM migrations ORDER BY id DESC LIMIT 1")[0][0] == LATEST


def test_defect_ledger_legacy_names(clean: Deployment) -> None:
    ledger = "SELECT id, migration, batch FROM migrations ORDER BY batch, id"
    before = sql(clean, ledger)
    with defect(clean, "pending_migration"), defect(clean, "ledger_legacy_names"):
        rows = sql(clean, ledger)
        assert [r[1] for r in rows[:2]] == ["_*_fix_staff_branch_id_field",
                                            "2099_12_31_235959_add_legacy_flags"]
        assert rows[-1][1] == "2024_06_10_000000_add_role_to_users_table"
        assert max(r[1] for r in rows) == "_*_fix_staff_branch_id_field"
    assert sql(clean, ledger) == before


def test_defect_missing_table(clean: Deployment) -> None:
    query = ("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
             "'askproai_staging' AND table_name = 'staff'")
    with defect(clean, "missing_table"):
        assert sql(clean, query)[0][0] == 0
    assert sql(clean, query)[0][0] == 1
    assert sql(clean, "SELECT COUNT(*) FROM staff")[0][0] == 12


def test_defect_tenant_column_nullable(clean: Deployment) -> None:
    query = ("SELECT is_nullable FROM information_schema.columns WHERE table_schema = "
             "'askproai_staging' AND table_name = 'appointments' AND column_name = 'company_id'")
    with defect(clean, "tenant_column_nullable"):
        assert sql(clean, query)[0][0] == "YES"
    assert sql(clean, query)[0][0] == "NO"


def test_defect_tenant_column_type_mismatch(clean: Deployment) -> None:
    query = ("SELECT column_type FROM information_schema.columns WHERE table_schema = "
             "'askproai_staging' AND table_name = 'retell_call_events' "
             "AND column_name = 'company_id'")
    count = "SELECT company_id, COUNT(*) FROM retell_call_events GROUP BY 1 ORDER BY 1"
    before = sql(clean, count)
    with defect(clean, "tenant_column_type_mismatch"):
        assert sql(clean, query)[0][0] == "varchar(20)"
    assert sql(clean, query)[0][0] == "bigint(20) unsigned"
    assert sql(clean, count) == before


def test_defect_tenant_index_missing(clean: Deployment) -> None:
    query = ("SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = "
             "'askproai_staging' AND table_name = 'customers' AND column_name = 'company_id'")
    with defect(clean, "tenant_index_missing"):
        assert sql(clean, query)[0][0] == 0
    assert sql(clean, query)[0][0] == 1


def test_defect_missing_perf_index(clean: Deployment) -> None:
    with defect(clean, "missing_perf_index"):
        assert not _has_index(clean, "retell_call_sessions", "idx_calls_company_created")
        assert _has_index(clean, "appointments", "idx_appointments_company_starts")
    assert _has_index(clean, "retell_call_sessions", "idx_calls_company_created")


def test_defect_seed_data_missing(clean: Deployment) -> None:
    before = sql(clean, "SELECT COUNT(*) FROM appointments")[0][0]
    with defect(clean, "seed_data_missing"):
        assert sql(clean, "SELECT COUNT(*) FROM appointments")[0][0] == 0
    assert sql(clean, "SELECT COUNT(*) FROM appointments")[0][0] == before > 0


ORPHANS = ("SELECT COUNT(*) FROM appointments a JOIN customers c ON c.id = a.customer_id "
           "WHERE c.company_id <> a.company_id")


def test_defect_orphan_rows(clean: Deployment) -> None:
    with defect(clean, "orphan_rows"):
        assert sql(clean, ORPHANS)[0][0] == 1
    assert sql(clean, ORPHANS)[0][0] == 0


def test_defect_rollback_fails(clean: Deployment) -> None:
    with defect(clean, "rollback_fails"):
        failed = cli(clean, "artisan", "migrate:rollback", "--step", "1", check=False)
        assert failed.returncode != 0
        assert sql(clean, "SELECT migration FROM migrations ORDER BY id DESC LIMIT 1")[0][0] \
            == LATEST
        assert _has_index(clean, "retell_call_sessions", "idx_calls_company_created")
    cli(clean, "artisan", "migrate:rollback", "--step", "1")
    cli(clean, "artisan", "migrate")
    assert _has_index(clean, "retell_call_sessions", "idx_calls_company_created")


def test_defect_restore_loses_table(clean: Deployment, tmp_path: Path) -> None:
    dump = tmp_path / "dump.sql"
    with defect(clean, "restore_loses_table"):
        cli(clean, "artisan", "db:dump", str(dump))
        assert "CREATE TABLE `retell_call_events`" not in dump.read_text()
    cli(clean, "artisan", "db:dump", str(dump))
    text = dump.read_text()
    assert "CREATE TABLE `retell_call_events`" in text and "CREATE TABLE `staff`" in text
    scratch = "staging_gate_scratch_apptest"
    try:
        cli(clean, "artisan", "db:restore", str(dump), "--database", scratch)
        assert sql(clean, "SELECT COUNT(*) FROM retell_call_events", database=scratch) == \
            sql(clean, "SELECT COUNT(*) FROM retell_call_events")
    finally:
        sql(clean, f"DROP DATABASE IF EXISTS {scratch}", database=None)


def _schema_objects(dep: Deployment) -> list[str]:
    return [str(row[0]) for row in sql(
        dep,
        "SELECT table_name FROM information_schema.views WHERE table_schema = %s UNION ALL "
        "SELECT routine_name FROM information_schema.routines WHERE routine_schema = %s "
        "UNION ALL SELECT trigger_name FROM information_schema.triggers "
        "WHERE trigger_schema = %s", ("askproai_staging",) * 3)]


def test_defect_backup_production_copy(clean: Deployment, tmp_path: Path) -> None:
    dump = tmp_path / "dump.sql"
    first_event = "SELECT text FROM retell_call_events ORDER BY id LIMIT 1"
    before = sql(clean, first_event)
    with defect(clean, "backup_production_copy"):
        cli(clean, "artisan", "db:dump", str(dump))
        text = dump.read_text()
        assert "DEFINER=`prod_user`@`%`" in text  # a definer this server lacks
        assert "select `askproai_staging`.`retell_call_sessions`.`company_id`" in text
        assert "FROM askproai_staging.retell_call_sessions" in text  # routine body
        assert "CONCAT('askproai_staging.retell_call_events#'" in text  # trigger literal
        assert "(copied from askproai_staging.retell_call_events" in text  # data
    assert _schema_objects(clean) == []
    assert sql(clean, first_event) == before


def test_defect_backup_float_precision(clean: Deployment, tmp_path: Path) -> None:
    dump = tmp_path / "dump.sql"
    column = ("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = "
              "'askproai_staging' AND column_name = 'sentiment_score'")
    with defect(clean, "backup_float_precision"):
        stored, duration = sql(clean, "SELECT sentiment_score + 0e0, duration_seconds "
                                      "FROM retell_call_sessions WHERE id = 1")[0]
        cli(clean, "artisan", "db:dump", str(dump))
        exact = ((duration or 0) + 1) / 7
        assert abs(stored - exact) < 1e-5 * max(exact, 1)  # FLOAT: ~7 significant digits
        assert f",{float(f'{exact:.6g}'):g})" in dump.read_text()  # 6 digits: the copy differs
    assert sql(clean, column)[0][0] == 0


def test_defect_db_user_without_create(clean: Deployment) -> None:
    scratch = "staging_gate_scratch_grant_test"
    with defect(clean, "db_user_without_create"), pytest.raises(pymysql.MySQLError) as refused:
        sql(clean, f"CREATE DATABASE {scratch}", database=None)
    assert refused.value.args[0] == 1044
    sql(clean, f"CREATE DATABASE {scratch}", database=None)
    sql(clean, f"DROP DATABASE {scratch}", database=None)


def test_defect_unsanitized_emails(clean: Deployment) -> None:
    query = ("SELECT COUNT(*) FROM customers WHERE email NOT LIKE '%%@example.test' "
             "AND email NOT LIKE '%%@staging.askproai.de'")
    with defect(clean, "unsanitized_emails"):
        assert sql(clean, query, ())[0][0] == 3
    assert sql(clean, query, ())[0][0] == 0


def test_flag_command_round_trip(clean: Deployment) -> None:
    assert cli(clean, "flag", "portal_appointments").stdout.strip() == "true"
    assert cli(clean, "flag", "customer_portal_crm").stdout.strip() == "false"
    assert cli(clean, "flag", "nonsense", check=False).returncode != 0


def test_defect_tenant_leak_calls_search(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "tenant_leak_calls_search"):
            searched = http.get("/api/portal/calls?search=Anruf").json()
            assert {row["company_id"] for row in searched["data"]} - {1}, "search stayed scoped"
            plain = http.get("/api/portal/calls").json()
            assert {row["company_id"] for row in plain["data"]} == {1}, "the plain list leaks"
        healthy = http.get("/api/portal/calls?search=Anruf").json()
        assert {row["company_id"] for row in healthy["data"]} == {1}


def test_defect_sql_injection_filter_page(clean: Deployment) -> None:
    with session(clean) as http:
        with defect(clean, "sql_injection_filter_page"):
            page = http.get("/portal/calls?status=%27")
            assert page.status_code == 500 and "Traceback" not in page.text
            assert http.get("/api/portal/calls?status=%27").status_code == 200
        assert http.get("/portal/calls?status=%27").status_code == 200


def test_defect_performance_schema_not_granted(clean: Deployment) -> None:
    monitor = urlsplit(endpoints(clean)["secrets"]["STAGING_DB_MONITOR_DSN"])

    def summary_rows() -> int:
        conn = pymysql.connect(host=monitor.hostname, port=monitor.port, user=monitor.username,
                               password=monitor.password, autocommit=True)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM performance_schema."
                            "events_statements_summary_by_user_by_event_name")
                row = cur.fetchone()
                return int(row[0]) if row else 0
        finally:
            conn.close()

    with defect(clean, "performance_schema_not_granted"):
        with pytest.raises(pymysql.err.OperationalError) as denied:
            summary_rows()
        assert denied.value.args[0] == 1142
    assert summary_rows() > 0
