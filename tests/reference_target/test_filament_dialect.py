"""The reference target's second dialect (``up --dialect filament``): built differently on
purpose, every difference observable from the outside with plain HTTP and SQL."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import pymysql
import pytest

from .conftest import Deployment
from .test_lifecycle import _accepts, _pids_of_tree, _running

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TOKEN = re.compile(r'name="_token" value="([^"]+)"')
PORTAL_FLAGS = ("customer_portal", "customer_portal_calls", "customer_portal_appointments")


@pytest.fixture(scope="module")
def filament(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    state_dir = tmp_path_factory.mktemp("rt-filament")
    started = Deployment(state_dir, {})
    result = started.cli("up", "--dialect", "filament")
    try:
        yield Deployment(state_dir, json.loads(result.stdout))
    finally:
        started.cli("down", check=False)


@contextmanager
def portal_on(dep: Deployment) -> Iterator[None]:
    """The portal flags on for the block; put back off (their state at start) afterwards."""
    try:
        for flag in PORTAL_FLAGS:
            dep.cli("flag", flag, "true")
        time.sleep(0.05)
        yield
    finally:
        for flag in PORTAL_FLAGS:
            dep.cli("flag", flag, "false")


def client(dep: Deployment) -> httpx.Client:
    return httpx.Client(base_url=f"https://localhost:{dep.https_port}",
                        verify=dep.trusting_context(), timeout=10)


@contextmanager
def logged_in(dep: Deployment, key: str = "TENANT_A") -> Iterator[httpx.Client]:
    with client(dep) as http:
        yield _log_in(http, dep, key)


def _log_in(http: httpx.Client, dep: Deployment, key: str) -> httpx.Client:
    page = http.get("/portal/login")
    assert page.status_code == 200, page.status_code
    token = TOKEN.search(page.text)
    assert token, "the login form carries no _token"
    secrets = dep.endpoints["secrets"]
    answer = http.post("/portal/login", data={"_token": token.group(1),
                                              "email": secrets[f"{key}_EMAIL"],
                                              "password": secrets[f"{key}_PASSWORD"]})
    assert answer.status_code == 302 and answer.headers["location"] == "/portal", answer.text
    return http


def connect(dsn: str, database: str | None = None) -> pymysql.Connection[Any]:
    parts = urlsplit(dsn)
    return pymysql.connect(host=str(parts.hostname), port=int(parts.port or 3306),
                           user=str(parts.username), password=str(parts.password),
                           database=database, autocommit=True, ssl_disabled=True)


def app_sql(dep: Deployment, statement: str) -> list[tuple[Any, ...]]:
    conn = connect(dep.endpoints["secrets"]["STAGING_DB_DSN"], "askproai_staging")
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
            return list(cur.fetchall())
    finally:
        conn.close()


# --- what the deployment says about itself ---------------------------------------------------
def test_endpoints_name_the_dialect_and_a_scratch_user(filament: Deployment) -> None:
    endpoints = filament.endpoints
    assert endpoints["dialect"] == "filament"
    assert filament.runtime["dialect"] == "filament"
    assert endpoints["secrets"]["STAGING_SCRATCH_DB_DSN"].startswith("mysql://askproai_backup:")


def test_up_with_another_dialect_is_refused(filament: Deployment) -> None:
    result = filament.cli("up", "--dialect", "reference", check=False)
    assert result.returncode == 1
    assert "holds a filament deployment, not reference" in result.stderr


# --- flags and login ------------------------------------------------------------------------
def test_portal_flags_start_off_and_the_login_page_is_behind_the_flag(
        filament: Deployment) -> None:
    for flag in PORTAL_FLAGS:
        assert filament.cli("flag", flag).stdout.strip() == "false"
    with client(filament) as http:
        assert http.get("/portal/login").status_code == 404
        assert http.get("/portal").status_code == 404
        with portal_on(filament):
            page = http.get("/portal/login")
            assert page.status_code == 200
            assert 'class="fi-simple-page"' in page.text
            assert "E-Mail-Adresse" in page.text and "Anmelden" in page.text
        assert http.get("/portal/login").status_code == 404


def test_no_query_count_header(filament: Deployment) -> None:
    with client(filament) as http:
        for path in ("/", "/health", "/admin/login", "/portal/login"):
            assert "x-query-count" not in http.get(path).headers, path


# --- schema and ids -------------------------------------------------------------------------
def test_schema_uses_its_own_table_and_column_names(filament: Deployment) -> None:
    tables = {row[0] for row in app_sql(filament, "SHOW TABLES")}
    assert {"calls", "call_transcript_segments", "staff_members", "cache"} <= tables
    assert not tables & {"retell_call_sessions", "retell_call_events", "staff"}
    columns = {row[0] for row in app_sql(filament, "SHOW COLUMNS FROM calls")}
    assert {"from_number", "retell_call_id", "duration_sec"} <= columns
    assert "scheduled_at" in {row[0] for row in app_sql(filament, "SHOW COLUMNS FROM appointments")}


def test_call_ids_are_uuids_in_the_database_the_api_and_the_pages(filament: Deployment) -> None:
    (column_type,) = app_sql(filament, "SELECT column_type FROM information_schema.columns "
                             "WHERE table_schema = 'askproai_staging' AND table_name = 'calls' "
                             "AND column_name = 'id'")[0]
    assert column_type == "char(36)"
    with portal_on(filament), logged_in(filament) as http:
        data = http.get("/api/portal/calls").json()["data"]
        call_id = data[0]["id"]
        assert isinstance(call_id, str) and UUID.fullmatch(call_id)
        detail = http.get(f"/portal/calls/{call_id}")
        assert detail.status_code == 200
        assert detail.text.count('class="fi-in-repeatable-item') >= 2
        assert http.get("/portal/calls/1").status_code == 404


def test_app_user_cannot_create_databases_the_scratch_user_can(filament: Deployment) -> None:
    secrets = filament.endpoints["secrets"]
    app = connect(secrets["STAGING_DB_DSN"])
    try:
        with app.cursor() as cur, pytest.raises(pymysql.err.OperationalError) as denied:
            cur.execute("CREATE DATABASE staging_gate_scratch_dialect_test")
        assert denied.value.args[0] == 1044  # access denied for user to database
    finally:
        app.close()
    scratch = connect(secrets["STAGING_SCRATCH_DB_DSN"])
    try:
        with scratch.cursor() as cur:
            cur.execute("CREATE DATABASE staging_gate_scratch_dialect_test")
            cur.execute("DROP DATABASE staging_gate_scratch_dialect_test")
    finally:
        scratch.close()


# --- Filament markup ------------------------------------------------------------------------
def test_pages_are_filament_markup_in_german(filament: Deployment) -> None:
    with portal_on(filament), logged_in(filament) as http:
        calls = http.get("/portal/calls").text
        keys = re.findall(r'<tr wire:key="call-history-table\.table\.records\.([^"]+)" '
                          r'class="fi-ta-row', calls)
        assert len(keys) == 25 and all(UUID.fullmatch(key) for key in keys)
        total = int(app_sql(filament, "SELECT COUNT(*) FROM calls WHERE company_id = 1")[0][0])
        assert f'fi-pagination-overview">Zeige 1 bis 25 von {total} Ergebnissen<' in calls
        assert 'class="fi-ta-search-field"' in calls and 'class="fi-ta-filters' in calls
        searched = http.get("/portal/calls", params={"tableSearch": "zqx-no-such-call"}).text
        assert "fi-ta-empty-state" in searched and "fi-ta-row" not in searched
        ignored = http.get("/portal/calls", params={"search": "zqx-no-such-call"}).text
        assert ignored.count("fi-ta-row") == 25  # the reference dialect's parameter
        dashboard = http.get("/portal").text
        assert 'fi-wi-stats-overview-stat-label text-sm font-medium">Anrufe gesamt<' in dashboard
        assert f'fi-wi-stats-overview-stat-value text-3xl font-semibold tracking-tight">{total}<' \
            in dashboard
        assert http.get("/js/filament/tables.js").status_code == 200


def test_search_filter_and_pagination_update_the_table_in_place(filament: Deployment) -> None:
    """Livewire-style: no navigation (a window marker survives), rows change, the URL
    follows with Filament's query string."""
    from playwright.sync_api import expect, sync_playwright

    secrets = filament.endpoints["secrets"]
    overview = ".fi-pagination-overview"
    with portal_on(filament), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_context(
                ignore_https_errors=True, base_url=filament.endpoints["base_url"]).new_page()
            page.goto("/portal/login")
            page.fill("#data\\.email", secrets["TENANT_A_EMAIL"])
            page.fill("#data\\.password", secrets["TENANT_A_PASSWORD"])
            page.click("button[type=submit]")
            page.wait_for_url("**/portal")
            page.goto("/portal/calls")
            page.evaluate("window.stagingGateMarker = 1")
            expect(page.locator(overview)).to_have_text(re.compile(r"Zeige 1 bis 25 von 300 "))

            page.fill(".fi-ta-search-field input", "Rezeptanfrage")
            expect(page.locator(overview)).not_to_have_text(re.compile(r" von 300 "))
            assert page.url.endswith("/portal/calls?tableSearch=Rezeptanfrage")
            page.click(".fi-pagination-next-btn")
            expect(page.locator(overview)).to_have_text(re.compile(r"^Zeige 26 bis "))
            page.select_option("select[name='tableFilters[status][value]']", "completed")
            expect(page.locator(overview)).to_have_text(re.compile(r"^Zeige 1 bis "))
            assert "tableFilters%5Bstatus%5D%5Bvalue%5D=completed" in page.url
            assert "page=" not in page.url
            assert page.evaluate("window.stagingGateMarker") == 1, "the page navigated"
        finally:
            browser.close()


def _overview(html: str) -> str:
    found = re.search(r'fi-pagination-overview">([^<]*)<', html)
    return found.group(1) if found else ""


def _keys(html: str) -> list[str]:
    return re.findall(r'table\.records\.([^"]+)" class="fi-ta-row', html)


# (defect, page, what the healthy page shows, what the page shows with the defect on)
APP_DEFECTS: list[tuple[str, str, str, str]] = [
    ("tenant_leak_calls_list", "/portal/calls", "von 300 Ergebnissen", "von 900 Ergebnissen"),
    ("broken_search", "/portal/calls?tableSearch=zqx-no-such-call", "fi-ta-empty-state",
     "von 300 Ergebnissen"),
    ("broken_status_filter", "/portal/calls?tableFilters[status][value]=failed",
     'fi-badge-label">Fehlgeschlagen<', 'fi-badge-label">Abgeschlossen<'),
    ("stale_dashboard_count", "/portal", 'tracking-tight">300<', 'tracking-tight">301<'),
    ("broken_transcript", "CALL", "fi-in-repeatable-item", "Kein Transkript vorhanden"),
]


@pytest.mark.parametrize(("defect", "path", "healthy", "broken"), APP_DEFECTS,
                         ids=[case[0] for case in APP_DEFECTS])
def test_app_defects_show_on_the_filament_pages(filament: Deployment, defect: str, path: str,
                                                healthy: str, broken: str) -> None:
    with portal_on(filament), logged_in(filament) as http:
        if path == "CALL":
            path = "/portal/calls/" + _keys(http.get("/portal/calls").text)[0]
        assert healthy in http.get(path).text and broken not in http.get(path).text
        filament.cli("defect", "on", defect)
        try:
            assert broken in http.get(path).text
        finally:
            filament.cli("defect", "reset")


def test_broken_pagination_repeats_page_one(filament: Deployment) -> None:
    with portal_on(filament), logged_in(filament) as http:
        first = _keys(http.get("/portal/calls").text)
        assert _overview(http.get("/portal/calls?page=2").text).startswith("Zeige 26 bis 50")
        assert not set(first) & set(_keys(http.get("/portal/calls?page=2").text))
        filament.cli("defect", "on", "broken_pagination")
        try:
            assert _keys(http.get("/portal/calls?page=2").text) == first
        finally:
            filament.cli("defect", "reset")


def test_db_defects_use_the_dialects_names(filament: Deployment) -> None:
    filament.cli("defect", "on", "missing_table")
    try:
        assert "staff_members" not in {row[0] for row in app_sql(filament, "SHOW TABLES")}
    finally:
        filament.cli("defect", "reset")
    assert "staff_members" in {row[0] for row in app_sql(filament, "SHOW TABLES")}


# --- down, last -----------------------------------------------------------------------------
def test_down_leaves_no_process_or_port(filament: Deployment) -> None:
    processes = filament.status()["processes"]
    pids = set().union(*(_pids_of_tree(entry["pid"]) for entry in processes.values()))
    ports = [port for entry in processes.values() for port in entry["ports"]]
    assert all(_accepts(port) for port in ports)

    filament.cli("down")

    assert sorted(pid for pid in pids if _running(pid)) == []
    assert [port for port in ports if _accepts(port)] == []
    assert filament.status()["up"] is False
