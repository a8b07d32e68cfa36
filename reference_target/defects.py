"""The catalogue of seeded defects: each is the minimal breach of one checklist item.

Layers say how a defect is switched at run time:
- ``nginx``/``tls``: the nginx config (or certificate) is regenerated and nginx reloaded;
- ``app``: the app reads DIR/defects.json on every request;
- ``db``: SQL applied on ``on`` and reverted on ``off``;
- ``process``: a process of the deployment is stopped (``on``) and started again (``off``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Layer = Literal["nginx", "tls", "app", "db", "process"]


@dataclass(frozen=True)
class Defect:
    name: str
    layer: Layer
    item: str
    description: str


CATALOGUE: tuple[Defect, ...] = (
    # --- phase 1: infrastructure ---------------------------------------------------------
    Defect("cert_expiring", "tls", "P1.2", "certificate expires in 5 days"),
    Defect("cert_expired", "tls", "P1.2", "certificate expired yesterday"),
    Defect("cert_wrong_host", "tls", "P1.2", "certificate issued for another host name"),
    Defect("cert_untrusted", "tls", "P1.2", "self-signed certificate outside the CA chain"),
    Defect("tls_legacy_protocols", "nginx", "P1.2", "TLS 1.0 and 1.1 accepted"),
    Defect("tls_weak_suites", "nginx", "P1.2",
           "TLS 1.2 CBC suites and curve secp521r1 accepted (not Mozilla intermediate)"),
    Defect("tls_chain_sends_root", "tls", "P1.2", "the served chain ends with the root CA"),
    Defect("no_https_redirect", "nginx", "P1.3", "HTTP port serves the site instead of a 301"),
    Defect("redirect_302", "nginx", "P1.3", "HTTP redirects with 302 instead of 301"),
    Defect("staging_header_missing", "nginx", "P1.3", "X-Staging-Environment header not sent"),
    Defect("app_down", "process", "P1.4", "the app server is stopped (nginx answers 502)"),
    Defect("db_down", "process", "P1.5", "MariaDB is stopped"),
    Defect("redis_down", "process", "P1.6", "Redis is stopped"),
    Defect("cache_production_prefix", "app", "P1.6", "cache keys written under askpro_cache_"),
    Defect("health_wrong_environment", "app", "P1.7", "/health says environment=production"),
    Defect("health_missing_field", "app", "P1.7", "/health omits the version field"),
    Defect("health_lies_db", "app", "P1.7", "/health says database=connected while DB is down"),
    # --- phase 2: database ----------------------------------------------------------------
    Defect("db_named_like_production", "db", "P2.1", "staging data lives in askproai_db"),
    Defect("db_wrong_charset", "db", "P2.1", "database default charset latin1"),
    Defect("pending_migration", "db", "P2.2", "latest migration not applied (pending)"),
    Defect("unknown_migration", "db", "P2.2", "a migration recorded that the app does not know"),
    Defect(
        "ledger_legacy_names", "db", "P2.2",
        "ledger starts with _*_… and future-dated rows that sort after every real migration",
    ),
    Defect("missing_table", "db", "P2.3", "table staff missing"),
    Defect("tenant_column_nullable", "db", "P2.4", "appointments.company_id allows NULL"),
    Defect("tenant_index_missing", "db", "P2.4", "customers.company_id has no index"),
    Defect(
        "tenant_column_type_mismatch", "db", "P2.4",
        "retell_call_events.company_id is VARCHAR while companies.id is BIGINT",
    ),
    Defect("missing_perf_index", "db", "P2.3", "idx_calls_company_created dropped"),
    Defect("seed_data_missing", "db", "P2.5", "no appointments loaded"),
    Defect(
        "orphan_rows", "db", "P2.6", "an appointment whose customer belongs to another company"
    ),
    # --- phase 3: boot ----------------------------------------------------------------------
    Defect("route_500", "app", "P3.1", "the homepage answers 500"),
    Defect(
        "portal_route_unregistered", "app", "P3.2", "/portal/appointments 404 with the flag on"
    ),
    Defect("admin_500", "app", "P3.3", "/admin/login answers 500"),
    Defect("flag_off_route_200", "app", "P3.4", "/portal/calls answers 200 with the flag off"),
    Defect("flag_off_route_403", "app", "P3.4", "/portal answers 403 instead of 404 with flag off"),
    Defect("flag_off_api_200", "app", "P3.4", "/api/portal/calls answers with the flag off"),
    Defect(
        "flag_toggle_ignored", "app", "P3.5", "the flag file is not re-read: toggle has no effect"
    ),
    # --- phase 4: portal --------------------------------------------------------------------
    Defect("tenant_leak_calls_list", "app", "P4.1", "calls list shows every company's calls"),
    Defect("broken_transcript", "app", "P4.1", "call detail renders no transcript"),
    Defect("broken_pagination", "app", "P4.1", "page 2 of calls repeats page 1"),
    Defect("broken_search", "app", "P4.1", "search ignores its term"),
    Defect("broken_calendar", "app", "P4.2", "calendar view renders empty"),
    Defect("broken_status_filter", "app", "P4.2", "status filter ignored (appointments, calls)"),
    Defect("broken_date_filter", "app", "P4.2", "from/to ignored (appointments, calls lists)"),
    Defect("upcoming_includes_past", "app", "P4.2", "upcoming appointments include past ones"),
    Defect(
        "tenant_leak_appointments_list", "app", "P4.2",
        "appointments list shows every company's appointments",
    ),
    Defect("stale_dashboard_count", "app", "P4.3", "dashboard stat cards off by one"),
    Defect("dashboard_chart_empty", "app", "P4.3", "dashboard chart draws no bars"),
    Defect("recent_activity_empty", "app", "P4.3", "dashboard recent activity renders empty"),
    # --- phase 5: security ------------------------------------------------------------------
    Defect("tenant_leak_api_detail", "app", "P5.1", "API call detail ignores the tenant"),
    Defect("foreign_record_403", "app", "P5.1", "another tenant's record answers 403, not 404"),
    Defect("tenant_leak_calls_search", "app", "P5.1",
           "calls search drops the company condition (the plain list stays scoped)"),
    Defect("sql_injection_search", "app", "P5.2", "calls search concatenated into SQL"),
    Defect("sql_injection_filter_page", "app", "P5.2",
           "calls page's status filter concatenated into SQL (the API's stays parametrized)"),
    Defect("csrf_missing_form", "app", "P5.3", "portal logout accepts requests without a token"),
    Defect("hsts_missing", "nginx", "P5.4", "Strict-Transport-Security not sent"),
    Defect("csp_missing", "nginx", "P5.4", "Content-Security-Policy not sent"),
    Defect("duplicate_hsts", "app", "P5.4",
           "the app sends HSTS max-age=86400 before nginx's own (two fields, the first weak)"),
    Defect("portal_route_anonymous", "app", "P5.5", "/portal/appointments served without login"),
    Defect("cookie_insecure", "app", "P5.5", "session cookie without Secure and HttpOnly"),
    Defect("dotenv_exposed", "nginx", "P5.5", "/.env served"),
    Defect("debug_stack_trace", "app", "P5.5", "bad input shows a stack trace"),
    # --- phase 6: performance ---------------------------------------------------------------
    Defect("n_plus_one", "app", "P6.5", "calls list runs one query per row"),
    Defect("performance_schema_not_granted", "db", "P6.5",
           "the monitoring account cannot read performance_schema"),
    Defect("slow_api", "app", "P6.4", "API answers after 800 ms"),
    Defect("api_single_worker", "app", "P6.4",
           "portal and API served by one worker: as fast as healthy for one user, API "
           "answers 700 ms while a second user's session is active (within 2 s)"),
    Defect("slow_homepage", "app", "P6.1", "homepage answers after 2.5 s"),
    Defect("slow_admin_dashboard", "app", "P6.2", "admin dashboard answers after 3.5 s"),
    Defect("slow_portal_dashboard", "app", "P6.3", "portal dashboard answers after 3.5 s"),
    Defect("cache_disabled", "app", "P6.6", "dashboard stats never read from the cache"),
    Defect("cache_counters_reset", "app", "P6.6",
           "Redis INFO counters reset (CONFIG RESETSTAT) on every dashboard load"),
    # --- phase 7: backup --------------------------------------------------------------------
    Defect("rollback_fails", "db", "P7.2", "migrate:rollback of the latest migration fails"),
    Defect("restore_loses_table", "db", "P7.1", "the dump command omits one table"),
    Defect(
        "backup_production_copy", "db", "P7.1",
        "production-like dump: view with a foreign DEFINER, bodies naming the database "
        "(P7.1 must still restore it)",
    ),
    Defect(
        "backup_float_precision", "db", "P7.1",
        "a FLOAT column whose values the dump writes with 6 digits (restored copy differs)",
    ),
    Defect(
        "db_user_without_create", "db", "P7.1",
        "the app DB user may not create the scratch databases (seed 2.3 grant only)",
    ),
    Defect("unsanitized_emails", "db", "P7.3", "real-looking customer emails in the data"),
    Defect("pii_in_log", "app", "P7.4", "login writes the email address to the log"),
    Defect("pii_in_log_logged_in", "app", "P7.4",
           "every logged-in request's log line carries the user's email address"),
    # --- production verification (PV.*): `production_mode` is the healthy production, the
    # others are production defects seen only beside it ---------------------------------------
    Defect("production_mode", "nginx", "PV.3",
           "runs as production: no staging marker, health says production, portal flag off"),
    Defect("prod_staging_header", "nginx", "PV.3", "production still sends the staging marker"),
    Defect("prod_flag_left_on", "app", "PV.5", "production serves the portal (flag left on)"),
    Defect("prod_debug_page", "app", "PV.6",
           "production answers /_ignition/health-check (APP_DEBUG left on)"),
    # --- pilot rollout (FEATURE_CUSTOMER_PORTAL_TEST_COMPANIES) ------------------------------
    Defect("pilot_list_ignored", "app", "P5.6",
           "FEATURE_CUSTOMER_PORTAL_TEST_COMPANIES ignored: every company gets the portal"),
    Defect("pilot_list_cached", "app", "P5.6",
           "the pilot list is read once and cached across requests (changes never apply)"),
)

BY_NAME: dict[str, Defect] = {defect.name: defect for defect in CATALOGUE}
