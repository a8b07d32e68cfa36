"""Target profile: one TOML file describes one staging target.

The file is validated into a frozen, typed `Profile`. Secrets never live in the
file: fields ending in ``_env`` name environment variables, resolved by
`Profile.secret()` so a missing variable is reported as a configuration error
(exit code 2), never as an application failure.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator

from staging_gate.checklist import PHASES as PHASES
from staging_gate.checklist import PRODUCTION_PHASE
from staging_gate.checklist import PhaseName as PhaseName
from staging_gate.errors import ConfigError
from staging_gate.portal_contract import PortalSection, Section, regex

#: Phases that log in as the admin user.
NEEDS_ADMIN = frozenset({"boot", "security", "performance"})


class TargetSection(Section):
    name: str = "staging"
    base_url: str
    http_url: str | None = Field(
        default=None, description="Plain-HTTP URL that must redirect to base_url (301)."
    )
    environment: str = "staging"
    ca_bundle: str | None = Field(default=None, description="PEM file trusted for TLS.")
    production_url: str
    staging_header: str = "X-Staging-Environment"
    staging_header_value: str = "true"
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @field_validator("base_url", "production_url", "http_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"expected an absolute http(s) URL, got {value!r}")
        return value.rstrip("/")

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.base_url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def production_host(self) -> str:
        return urlsplit(self.production_url).hostname or ""


class TlsSection(Section):
    min_version: Literal["TLSv1.2", "TLSv1.3"] = "TLSv1.2"
    expiry_warn_days: int = Field(default=30, ge=0)
    expiry_fail_days: int = Field(default=14, ge=0)
    mozilla_profile: Literal["modern", "intermediate", "old", ""] = Field(
        default="intermediate",
        description="Mozilla server-side TLS configuration the server must meet ('' = off).",
    )


HealthValue = str | bool | int | float
_HEALTH_EXPECTED: dict[str, HealthValue] = {
    "status": "ok", "environment": "staging", "database": "connected", "cache": "connected",
}


class HealthSection(Section):
    path: str = "/health"
    required_fields: tuple[str, ...] = ("status", "environment", "database", "cache", "version")
    # TOML strings, booleans and numbers, compared by type (staging_gate.probes.health).
    expected: dict[str, HealthValue] = Field(default_factory=lambda: dict(_HEALTH_EXPECTED))


class MigrationIndex(Section):
    table: str
    index: str


class TenantReference(Section):
    """`table.column` points at `references.id`; both rows must share the tenant column."""

    table: str
    column: str
    references: str


class DatabaseSection(Section):
    dsn_env: str = Field(description="Env var holding mysql://user:password@host:port/db")
    name: str
    production_name: str
    charset: str = "utf8mb4"
    expected_tables: tuple[str, ...] = ()
    tenant_column: str = "company_id"
    tenant_key: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_$]{1,64}\.[A-Za-z0-9_$]{1,64}$",
        description="table.column the tenant column refers to (companies.id); default: read "
        "from the tenant tables' foreign keys.",
    )
    tenant_tables: tuple[str, ...] = ()
    tenant_references: tuple[TenantReference, ...] = ()
    migrations_table: str = "migrations"
    expected_migrations: tuple[str, ...] = ()
    latest_migration: str
    squashed_through: str | None = Field(
        default=None,
        description="Last migration of a squashed schema dump (schema:dump --prune): ledger "
        "rows up to it are expected although their files are gone.",
    )
    latest_migration_indexes: tuple[MigrationIndex, ...] = ()
    pending_migrations_command: tuple[str, ...] = Field(
        default=(),
        description="Optional command listing pending migrations (one per line, empty = none).",
    )
    min_rows: dict[str, int] = Field(default_factory=dict)
    connect_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    monitor_dsn_env: str | None = Field(
        default=None,
        description="Optional env var holding a read-only monitoring DSN (SELECT on "
        "performance_schema.*, e.g. mysql://monitor:…@host:3306/performance_schema) for "
        "statement counts (P6.5); default dsn_env.",
    )
    app_user: str | None = Field(
        default=None,
        description="Database user the application connects as, whose statements P6.5 "
        "counts; default the user of dsn_env.",
    )


class CacheSection(Section):
    url_env: str = Field(description="Env var holding redis://host:port/db")
    prefix: str
    production_prefix: str
    stats_key_pattern: str = Field(
        default="*", description="Glob (after the prefix) of keys the app must have written."
    )
    redis_prefix: str | None = Field(
        default=None,
        description="The Redis connection prefix written before the cache prefix (Laravel's "
        "REDIS_PREFIX, by default slug(APP_NAME)_database_); unset: any prefix may stand there.",
    )


class FlagsSection(Section):
    portal_flag: str = "customer_portal"
    sub_flags: tuple[str, ...] = ()
    toggle_command: tuple[str, ...] = Field(
        default=(),
        description="Command template; {flag} and {value} (true/false) are substituted.",
    )
    read_command: tuple[str, ...] = Field(
        default=(),
        description="Optional command printing true/false for {flag}; else probed over HTTP.",
    )
    settle_seconds: float = Field(default=5.0, ge=0, le=60)
    # Pilot rollout (seed Part 6.1, 8.3: FEATURE_CUSTOMER_PORTAL_TEST_COMPANIES=15).
    pilot_setting: str = Field(
        default="",
        description="Setting written with toggle_command ({flag}=this, {value}=comma-separated "
        "company ids) that limits the portal to pilot companies; '' = no pilot check.",
    )
    pilot_companies: tuple[str, ...] = Field(
        default=(), description="Company ids the pilot check enables (the pilot tenant's)."
    )
    pilot_tenant: str = Field(default="", description="[[tenants]] key of a pilot company user.")
    non_pilot_tenant: str = Field(
        default="", description="[[tenants]] key of a user whose company is not a pilot."
    )


class TenantUser(Section):
    key: str
    company: str
    email_env: str
    password_env: str
    role: str = "owner"


class AdminUser(Section):
    email_env: str
    password_env: str


class LoginForm(Section):
    """How the login forms (portal_login, admin_login) are filled in by a load user."""

    email_field: str = "email"
    password_field: str = "password"
    token_field: str = Field(
        default="_token", description="Hidden CSRF field read from the form ('' = none)."
    )


class RoutesSection(Section):
    home: str = "/"
    portal: str = "/portal"
    portal_login: str = "/portal/login"
    portal_logout: str = "/portal/logout"
    calls: str = "/portal/calls"
    appointments: str = "/portal/appointments"
    admin: str = "/admin"
    admin_login: str = "/admin/login"
    admin_logout: str = "/admin/logout"
    portal_paths: tuple[str, ...] = ("/portal", "/portal/calls", "/portal/appointments")
    portal_api_paths: tuple[str, ...] = ()
    key_routes: tuple[str, ...] = ("/", "/health", "/admin/login", "/portal/login")
    login_form: LoginForm = LoginForm()


class RecordResource(Section):
    """A tenant-owned record type: where its ids are listed and where one record is shown."""

    name: str
    api_list: str
    api_detail: str = Field(description="Path template with {id}.")
    page_list: str
    page_detail: str = Field(description="Path template with {id}.")
    id_attribute: str = Field(description="HTML attribute carrying a record id in the list.")
    id_pattern: str = Field(
        default="", description="Regex; group 1 of the attribute's value is the id (e.g. "
        "Filament's wire:key '….table.records.<key>'); empty = the whole value."
    )
    company_attribute: str = Field(
        default="", description="HTML attribute carrying a row's tenant; empty = not shown."
    )
    company_field: str = Field(default="", description="API field of a row's tenant; empty = "
                               "not sent.")
    search_params: tuple[str, ...] = ()
    filter_params: tuple[str, ...] = ()
    probe_values: dict[str, str] = Field(
        default_factory=dict,
        description="Per search/filter parameter, a value matching records of every tenant "
        "(a term all tenants' data contains, a status, a wide date): tenant isolation is "
        "replayed through each parameter with it (P5.1).",
    )


class CsrfForm(Section):
    """A state-changing form: rendered on `page`, POSTed to `action` by a `session` user."""

    name: str
    page: str
    action: str
    session: Literal["anonymous", "tenant", "admin"]
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Harmless values posted with the form (a rejected token must win anyway).",
    )


def _default_csrf_forms() -> tuple[CsrfForm, ...]:
    return (
        CsrfForm(name="portal logout", page="/portal", action="/portal/logout", session="tenant"),
        CsrfForm(
            name="portal login",
            page="/portal/login",
            action="/portal/login",
            session="anonymous",
            fields={"email": "csrf-probe@staging-gate.invalid", "password": "not-a-password"},
        ),
        # An unknown flag name: even an accepted forgery would change nothing.
        CsrfForm(
            name="admin flag toggle",
            page="/admin/flags",
            action="/admin/flags",
            session="admin",
            fields={"flag": "staging_gate_csrf_probe", "value": "false"},
        ),
    )


class SecuritySection(Section):
    """Phase 5: what isolation, injection, CSRF, header and exposure checks expect."""

    records: tuple[RecordResource, ...] = ()
    max_ids_per_resource: int = Field(default=10, ge=1, le=100)
    missing_id: str = Field(
        default="",
        description="An id no record has; empty = made up in the shape of the harvested ids "
        "(integer, UUID, ULID).",
    )
    csrf_forms: tuple[CsrfForm, ...] = Field(default_factory=_default_csrf_forms)
    csrf_status: int = 419
    header_pages: tuple[str, ...] = ("/", "/portal/login", "/admin/login")
    hsts_min_max_age: int = Field(default=31_536_000, ge=0)
    csp_directives: dict[str, str] = Field(
        default_factory=lambda: {"object-src": "'none'", "frame-ancestors": ""},
        description="Directive → required value ('' = present with any value).",
    )
    referrer_policies: tuple[str, ...] = (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    )
    session_cookie: str = "laravel_session"
    cookie_pages: tuple[str, ...] = ("/portal/login", "/admin/login")
    samesite: tuple[str, ...] = ("lax", "strict")
    forbidden_files: tuple[str, ...] = (
        "/.env",
        "/.env.backup",
        "/.env.staging",
        "/.git/config",
        "/.git/HEAD",
        "/storage/logs/laravel.log",
    )
    bad_input_paths: tuple[str, ...] = (
        "/portal/calls?page=abc",
        "/api/portal/calls?page=abc",
        "/portal/calls/abc",
        "/api/portal/calls/abc",
        "/portal/appointments/abc",
        "/staging-gate-no-such-route",
    )

    @field_validator("missing_id", mode="before")
    @classmethod
    def _id_as_string(cls, value: object) -> object:
        """Ids are strings everywhere; an integer written in TOML is read as its digits."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _default_production_health() -> dict[str, str]:
    return {
        "status": "ok",
        "environment": "production",
        "database": "connected",
        "cache": "connected",
    }


class ProductionSection(Section):
    """What production must look like right after its deploy (seed Part 8.2 step 5), judged by
    `staging-gate verify-production` — read-only, anonymous, no database or cache connection."""

    health_expected: dict[str, str] = Field(default_factory=_default_production_health)
    missing_page: str = Field(
        default="/staging-gate-no-such-page",
        description="A page path no route has: the flag-off portal must answer exactly like it.",
    )
    missing_api_path: str = Field(
        default="/api/staging-gate-no-such-route",
        description="An API path no route has: flag-off portal API paths must answer like it.",
    )
    debug_paths: tuple[str, ...] = Field(
        default=(
            "/_ignition/health-check",
            "/_ignition/execute-solution",
            "/_debugbar/open",
            "/telescope",
            "/horizon",
            "/phpinfo.php",
        ),
        description="Debug tooling that must not answer on production (403/404).",
    )


class ReleaseSection(Section):
    """Release diff (information for the release manager, shown in signoff.md): migrations in
    staging's ledger and not in production's, and the risky statements their files show."""

    production_dsn_env: str = Field(
        default="", description="Env var with a READ-ONLY production DSN; '' = no release diff."
    )
    migrations_path: str = Field(
        default="", description="Folder of the release's migration files (<name>.sql/.php)."
    )
    down_markers: tuple[str, ...] = ("-- @down", "function down(")
    large_table_rows: int = Field(
        default=1_000_000, ge=0, description="Type changes are flagged from this row estimate."
    )
    blocks: bool = Field(default=False, description="Risky statements make the sign-off NO-GO.")


class LoadShape(Section):
    users: int = Field(default=10, ge=1, le=200)
    spawn_rate: float = Field(default=5.0, gt=0)
    duration_seconds: int = Field(default=20, ge=1, le=600)
    processes: int = Field(
        default=1, ge=1, le=64,
        description="Locust processes on the gate's machine (--processes); >1 spreads the "
        "users over several CPU cores.",
    )
    workers: int = Field(
        default=0, ge=0, le=256,
        description="External Locust workers the gate waits for (--master --expect-workers), "
        "each started with `staging-gate load-worker` on another machine.",
    )
    master_bind_host: str = Field(
        default="*", description="Interface the master listens on for external workers."
    )
    master_port: int = Field(default=5557, ge=1, le=65535)
    workers_wait_seconds: int = Field(
        default=120, ge=1, le=3600,
        description="How long the master waits for the external workers to connect.",
    )
    max_generator_cpu_percent: float = Field(
        default=90.0, gt=0, le=100,
        description="A Locust process busier than this (5 s average; Locust warns at 90) "
        "makes the load figures unreliable: the load checks say 'could not verify'.",
    )

    @model_validator(mode="after")
    def _one_kind_of_worker(self) -> LoadShape:
        if self.workers and self.processes > 1:
            raise ValueError(
                "processes and workers cannot be combined (Locust's master expects either its "
                "own processes or external workers); start the external workers with "
                "--processes instead"
            )
        return self


class LoadBaseline(Section):
    """p95 per request compared with earlier GO runs (the report history)."""

    factor: float = Field(default=1.5, gt=1, description="Slower than baseline × factor = "
                          "a slowdown.")
    min_slowdown_ms: float = Field(
        default=50.0, ge=0, description="Differences smaller than this are noise, never "
        "a slowdown."
    )
    runs: int = Field(default=5, ge=1, le=50,
                      description="The baseline is the median of the last `runs` GO runs.")
    blocking: bool = Field(default=False,
                           description="A slowdown fails the load check (default: advisory).")


class BudgetsSection(Section):
    homepage_p95_ms: int = 2000
    admin_dashboard_p95_ms: int = 3000
    portal_dashboard_p95_ms: int = 3000
    api_p95_ms: int = 500
    max_failure_ratio: float = Field(default=0.01, ge=0, le=1)
    cache_hit_ratio: float = Field(default=0.60, ge=0, le=1)
    max_queries_per_page: int = Field(default=30, ge=1)
    query_count_header: str = Field(
        default="",
        description="Optional response header carrying the app's own query count, judged as "
        "a second source next to performance_schema when present; '' = not read.",
    )
    load: LoadShape = LoadShape()
    baseline: LoadBaseline = LoadBaseline()


class BackupSection(Section):
    dump_command: tuple[str, ...] = Field(
        default=(),
        description="Command template writing an SQL dump of the staging database to {file}, "
        "or to stdout when the template has no {file}.",
    )
    restore_command: tuple[str, ...] = Field(
        default=(),
        description="Command template loading {file} into {database}, or reading the dump on "
        "stdin when the template has no {file}; empty = the local mariadb/mysql client over "
        "the DSN.",
    )
    scratch_database_prefix: str = Field(
        default="staging_gate_scratch_", pattern=r"^[A-Za-z0-9_]{1,40}$"
    )
    scratch_dsn_env: str = Field(
        default="",
        description="Env var holding a DSN of a user who may CREATE/DROP the scratch "
        "databases (<prefix>*); empty = the database.dsn_env user.",
    )
    timeout_seconds: float = Field(default=600.0, gt=0, le=3600)


class RollbackSection(Section):
    rollback_command: tuple[str, ...] = Field(
        default=(), description="Rolls back exactly one migration (the latest)."
    )
    migrate_command: tuple[str, ...] = Field(
        default=(), description="Applies every pending migration again."
    )
    timeout_seconds: float = Field(default=300.0, gt=0, le=3600)


class SanitizationSection(Section):
    """What sanitized staging data looks like (seed 7.2: production copies are rewritten)."""

    allowed_email_domains: tuple[str, ...] = Field(
        default=("example.com", "example.net", "example.org", "example.test"),
        description="Domains (and their subdomains) staging e-mail addresses may use.",
    )
    email_columns: tuple[str, ...] = Field(
        default=(),
        description="table.column to check; empty = every text column whose name has 'email'.",
    )
    phone_columns: tuple[str, ...] = Field(
        default=(),
        description="table.column to check besides every text column whose name has 'phone'.",
    )
    allowed_phone_patterns: tuple[str, ...] = Field(
        default=(),
        description="Regexes a phone number must match in full (the fake range); empty = "
        "phone numbers are not judged.",
    )
    samples: int = Field(default=3, ge=0, le=20)


class LogsSection(Section):
    path: str | None = None
    command: tuple[str, ...] = ()
    # Python regexes, run on each line after JSON/URL/HTML escapes are decoded
    # (staging_gate.probes.logs); lookarounds are fine.
    pii_patterns: tuple[str, ...] = (
        # E-mail addresses, also with Unicode names and domains (erika@müller-bau.de);
        # not image names such as logo@2x.png.
        r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.(?!(?:png|jpe?g|gif|svg|webp|ico)\b)[^\W0-9_]{2,}"
        r"(?![\w-])",
        # International (+49 30 …, 0049 …) or national (030 1234567) phone numbers; not
        # timestamps like 2026-11-25 10:00, which a looser digit run would match.
        r"(?<![\w+])(?:\+|00)[1-9][0-9]{0,2}[ ()/-]{0,3}[0-9](?:[ ()/-]{0,2}[0-9]){6,}",
        # German national spellings: 01512345678, 0170 123 4567, 030 12345-67,
        # (030) 1234567, 0171 / 123 45 67 — a trunk 0, an area code not starting with 0, a
        # subscriber number of 5-10 digits; not order numbers (2026-0001234) or UUIDs.
        r"(?<![\w.:/+-])(?:\(0[1-9][0-9]{1,3}\)|0[1-9][0-9]{1,3})(?: ?/ ?| )?"
        r"[0-9](?:[ -]?[0-9]){4,9}(?![\w-])",
    )
    allow: tuple[str, ...] = Field(
        default=(), description="Regexes; a PII match that any of them finds is not reported."
    )
    max_bytes: int | None = Field(
        default=None,
        ge=1_000,
        description="Scan only the last bytes of what the log gained since the run started; "
        "unset: all of it.",
    )

    @field_validator("pii_patterns", "allow")
    @classmethod
    def _patterns_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(regex(pattern) for pattern in patterns)


class Waiver(Section):
    id: str = Field(description="Checklist ID (P5.4) or test name the waiver covers.")
    reason: str
    owner: str
    expires: dt.date


class SignoffSection(Section):
    """How results become GO / NO-GO (see `staging_gate.verdict.signoff`)."""

    required_phases: tuple[PhaseName, ...] = PHASES  # type: ignore[assignment]
    min_checks: dict[str, int] = Field(
        default_factory=dict,
        description="Per phase: how many checks must have run for it to count (default 1).",
    )
    flaky_blocks: bool = False
    retries: int = Field(
        default=0, ge=0, le=5, description="Reruns of a failed check (pytest-rerunfailures)."
    )
    waivers: tuple[Waiver, ...] = ()

    @field_validator("min_checks")
    @classmethod
    def _known_phases(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(PHASES))
        if unknown:
            raise ValueError(f"unknown phase {unknown[0]!r}; phases are {', '.join(PHASES)}")
        negative = sorted(phase for phase, count in value.items() if count < 0)
        if negative:
            raise ValueError(f"min_checks for {negative[0]!r} must be 0 or more")
        return value


class Profile(Section):
    target: TargetSection
    tls: TlsSection = TlsSection()
    health: HealthSection = HealthSection()
    database: DatabaseSection
    cache: CacheSection
    flags: FlagsSection = FlagsSection()
    tenants: tuple[TenantUser, ...] = ()
    admin: AdminUser | None = None
    routes: RoutesSection = RoutesSection()
    budgets: BudgetsSection = BudgetsSection()
    backup: BackupSection = BackupSection()
    rollback: RollbackSection = RollbackSection()
    logs: LogsSection = LogsSection()
    sanitization: SanitizationSection = SanitizationSection()
    security: SecuritySection = SecuritySection()
    portal: PortalSection = PortalSection()
    production: ProductionSection = ProductionSection()
    release: ReleaseSection = ReleaseSection()
    signoff: SignoffSection = SignoffSection()

    source: str = Field(default="<memory>", exclude=True)

    def secret(self, env_var: str) -> str:
        """The value of a secret named by the profile, or a ConfigError naming the fix."""
        value = os.environ.get(env_var)
        if not value:
            raise ConfigError(
                f"environment variable {env_var} is not set "
                f"(named by profile {self.source}); export it before running the gate"
            )
        return value

    def secret_names(self, phases: Sequence[str] = PHASES) -> list[str]:
        """The environment variables the selected phases need, in profile order.

        The DSN: every phase (the production guard reads the database name). The Redis URL
        and the tenants' logins: every phase but ``database``. The admin login: ``boot``,
        ``security``, ``performance`` (as `gaps`). An empty `phases` means all of them; the
        production phase alone (verify-production) needs none.
        """
        needs = set(phases or PHASES)
        if needs == {PRODUCTION_PHASE}:
            return []  # verify-production: nothing logs in or connects to the DB or Redis
        names = [self.database.dsn_env]
        if self.database.monitor_dsn_env and "performance" in needs:
            names.append(self.database.monitor_dsn_env)
        if needs - {"database"}:
            names.append(self.cache.url_env)
            for tenant in self.tenants:
                names += [tenant.email_env, tenant.password_env]
        if self.admin is not None and needs & NEEDS_ADMIN:
            names += [self.admin.email_env, self.admin.password_env]
        if self.backup.scratch_dsn_env and "backup" in needs:
            names.append(self.backup.scratch_dsn_env)
        return names

    def missing_secrets(self, phases: Sequence[str] = PHASES) -> list[str]:
        return [name for name in self.secret_names(phases) if not os.environ.get(name)]

    def needs_web_target(self, phases: Sequence[str] = PHASES) -> bool:
        """Whether the selected phases send HTTP to the target (all but ``database`` do)."""
        return bool(set(phases or PHASES) - {"database"})

    def gaps(self, phases: Sequence[str] = PHASES) -> list[str]:
        """What the selected phases need from the profile and it lacks (a config error, never
        something to blame on the application)."""
        needs = set(phases)
        wanted: list[tuple[bool, set[str], str]] = [
            (
                len(self.tenants) >= 2,
                set(PHASES) - {"database"},
                "at least two [[tenants]] (tenant isolation is checked between them)",
            ),
            (self.admin is not None, set(NEEDS_ADMIN), "an [admin] user"),
            (bool(self.flags.toggle_command), {"boot", "security"}, "flags.toggle_command"),
            (bool(self.backup.dump_command), {"backup"}, "backup.dump_command"),
            (
                bool(self.rollback.rollback_command and self.rollback.migrate_command),
                {"backup"},
                "rollback.rollback_command and rollback.migrate_command",
            ),
            (bool(self.logs.path or self.logs.command), {"backup"}, "logs.path or logs.command"),
        ]
        return [
            f"{what} (needed by phase {', '.join(sorted(needs & users))})"
            for present, users, what in wanted
            if not present and needs & users
        ]

    def tenant(self, key: str) -> TenantUser:
        for tenant in self.tenants:
            if tenant.key == key:
                return tenant
        raise ConfigError(f"profile {self.source} has no tenant with key {key!r}")


def _describe_validation_error(error: ValidationError, source: str) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "<top level>"
    more = len(error.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"invalid profile {source}: [{location}] {first['msg']}{suffix}"


def parse_profile(data: dict[str, Any], source: str = "<memory>") -> Profile:
    try:
        return Profile.model_validate({**data, "source": source})
    except ValidationError as error:
        raise ConfigError(_describe_validation_error(error, source)) from None


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file; every problem becomes one ConfigError line."""
    profile_path = Path(path)
    if not profile_path.is_file():
        raise ConfigError(f"profile file {profile_path} does not exist; pass --profile FILE")
    try:
        data = tomllib.loads(profile_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"profile {profile_path} is not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"profile {profile_path} is not UTF-8 text") from None
    profile = parse_profile(data, source=str(profile_path))
    if profile.target.ca_bundle and not Path(profile.target.ca_bundle).is_file():
        raise ConfigError(
            f"profile {profile_path}: target.ca_bundle {profile.target.ca_bundle} does not exist"
        )
    return profile
