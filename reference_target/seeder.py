"""StagingDataSeeder: sanitized, deterministic test data for three companies.

Emails end in ``@staging.askproai.de`` (portal users) or ``@example.test`` (everyone else);
phone numbers are fictitious ``+49 30 5550xxxx`` numbers. ``scale`` multiplies customers,
calls and appointments; rows go in with ``executemany`` (multi-row INSERTs).
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from reference_target.dbconfig import DbConnection
from reference_target.dialect import DIALECTS, REFERENCE, Dialect, Names
from reference_target.passwords import hash_password

Row = tuple[Any, ...]

CHUNK = 5_000
CALLS_PER_COMPANY = 300
APPOINTMENTS_PER_COMPANY = 150
CUSTOMERS_PER_COMPANY = 60
TRUNCATED = ("retell_call_events", "retell_call_sessions", "appointments", "customers",
             "services", "staff", "branches", "sessions", "users", "companies")


@dataclass(frozen=True)
class Tenant:
    key: str
    company: str
    slug: str
    city: str


TENANTS = (
    Tenant("tenant_a", "Musterpraxis Berlin GmbH", "musterpraxis-berlin", "Berlin"),
    Tenant("tenant_b", "Zahnarztpraxis Hamburg Nord", "zahnarzt-hamburg-nord", "Hamburg"),
    Tenant("tenant_c", "Physiotherapie Köln Süd GmbH", "physio-koeln-sued", "Köln"),
)
ADMIN_EMAIL = "admin@staging.askproai.de"

FIRST = ("Anna", "Jürgen", "Lena", "Mehmet", "Sophie", "Lukas", "Zoë", "Tobias", "Marie",
         "Felix", "Aylin", "Jonas", "Greta", "Paul", "Chiara", "Björn")
LAST = ("Beispiel", "Muster", "Testmann", "Probst", "Demir", "Schäfer-Test", "Nowak",
        "Lorem", "Ipsum", "Fiktiv", "Sample", "Übung")
SERVICES = (("Erstberatung", 30), ("Kontrolltermin", 20), ("Zahnreinigung", 45),
            ("Physiotherapie", 60), ("Rückenschule", 45))
CALL_STATUSES = (("completed", 70), ("missed", 12), ("voicemail", 8), ("failed", 5),
                 ("transferred", 5))
TOPICS = (
    ("Terminanfrage für {service}", "Ich hätte gern einen Termin für {service}."),
    ("Terminverschiebung gewünscht", "Ich muss meinen Termin leider verschieben."),
    ("Absage eines Termins", "Ich möchte meinen Termin absagen."),
    ("Frage zu Öffnungszeiten", "Wann haben Sie am Samstag geöffnet?"),
    ("Rückrufbitte wegen Rechnung", "Bitte rufen Sie mich wegen der Rechnung zurück."),
    ("Rezeptanfrage", "Kann ich ein Folgerezept bekommen?"),
)
AGENT_LINES = ("Gerne, einen Moment bitte.", "Ich habe Ihre Anfrage notiert.",
               "Passt Ihnen Dienstag um 10 Uhr?", "Vielen Dank für Ihren Anruf, auf Wiederhören.",
               "Darf ich Ihren Namen bestätigen?")
USER_LINES = ("Ja, das passt.", "Danke schön.", "Nein, lieber nachmittags.",
              "Können Sie mir eine Bestätigung schicken?", "Alles klar, tschüss.")


def fake_phone(rng: random.Random) -> str:
    return f"+49 30 5550{rng.randrange(10_000):04d}"


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in table], weights=[w for _, w in table])[0]


def _chunks(rows: Iterator[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(conn: DbConnection, names: Names, table: str, columns: Sequence[str],
            rows: Iterator[Row]) -> int:
    """Multi-row INSERTs; ``names`` turns the reference names into the dialect's."""
    placeholders = ", ".join(["%s"] * len(columns))
    sql = names.sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})")
    total = 0
    with conn.cursor() as cur:
        for batch in _chunks(rows):
            cur.executemany(sql, batch)
            total += len(batch)
    return total


class Seeder:
    """Builds every row with explicit ids so children never need a lookup."""

    def __init__(self, conn: DbConnection, scale: int, now: datetime,
                 dialect: Dialect = DIALECTS[REFERENCE]) -> None:
        self.conn = conn
        self.dialect = dialect
        self.scale = max(1, scale)
        self.now = now.replace(microsecond=0)
        self.today = self.now.date()
        self.next_call_id = 1
        self.next_event_id = 1
        self.next_customer_id = 1
        self.next_appointment_id = 1

    # --- per company ----------------------------------------------------------------------
    def company(self, company_id: int, tenant: Tenant) -> None:
        rng = random.Random(1000 + company_id)
        ts = self.now - timedelta(days=400)
        _insert(self.conn, self.dialect.names, "companies",
                ("id", "name", "slug", "email", "phone", "is_active", "created_at",
                 "updated_at"),
                iter([(company_id, tenant.company, tenant.slug,
                       f"kontakt.{tenant.slug}@example.test", fake_phone(rng), 1, ts, ts)]))
        branch_ids = self._branches(company_id, tenant, rng)
        staff_ids = self._staff(company_id, tenant, branch_ids, rng)
        services = self._services(company_id, rng)
        customers = self._customers(company_id, rng)
        self._calls(company_id, tenant, customers, [s[1] for s in services], rng)
        self._appointments(company_id, customers, staff_ids, services, branch_ids, rng)

    def _branches(self, company_id: int, tenant: Tenant, rng: random.Random) -> list[int]:
        ids = [company_id * 10 + n for n in (1, 2)]
        rows = ((bid, company_id, f"{tenant.city} Filiale {n}", tenant.city, fake_phone(rng),
                 self.now, self.now) for n, bid in enumerate(ids, start=1))
        _insert(self.conn, self.dialect.names, "branches",
                ("id", "company_id", "name", "city", "phone", "created_at", "updated_at"), rows)
        return ids

    def _staff(self, company_id: int, tenant: Tenant, branch_ids: list[int],
               rng: random.Random) -> list[int]:
        ids = [company_id * 100 + n for n in range(1, 5)]
        rows = ((sid, company_id, branch_ids[n % 2], f"{FIRST[(sid + 3) % 16]} {LAST[n]}",
                 f"mitarbeiter{n}.{tenant.slug}@example.test", fake_phone(rng), 1,
                 self.now, self.now) for n, sid in enumerate(ids))
        _insert(self.conn, self.dialect.names, "staff",
                ("id", "company_id", "branch_id", "name", "email", "phone", "is_active",
                 "created_at", "updated_at"), rows)
        return ids

    def _services(self, company_id: int, rng: random.Random) -> list[tuple[int, str, int]]:
        services = [(company_id * 100 + n, name, minutes)
                    for n, (name, minutes) in enumerate(SERVICES, start=1)]
        rows = ((sid, company_id, name, minutes, rng.randrange(30, 150) * 100, 1,
                 self.now, self.now) for sid, name, minutes in services)
        _insert(self.conn, self.dialect.names, "services",
                ("id", "company_id", "name", "duration_minutes", "price_cents", "is_active",
                 "created_at", "updated_at"), rows)
        return services

    def _customers(self, company_id: int, rng: random.Random) -> list[tuple[int, str, str]]:
        customers: list[tuple[int, str, str]] = []
        for _ in range(CUSTOMERS_PER_COMPANY * self.scale):
            cid = self.next_customer_id
            self.next_customer_id += 1
            customers.append((cid, f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                              fake_phone(rng)))
        rows = ((cid, company_id, name, f"kunde{cid}@example.test", phone,
                 self.now, self.now) for cid, name, phone in customers)
        _insert(self.conn, self.dialect.names, "customers",
                ("id", "company_id", "name", "email", "phone", "created_at", "updated_at"),
                rows)
        return customers

    def _call_time(self, index: int, rng: random.Random) -> datetime:
        since_midnight = int((self.now - datetime.combine(self.today, time())).total_seconds())
        if index < 8 and since_midnight > 120:
            return self.now - timedelta(seconds=rng.randrange(60, since_midnight))
        return self.now - timedelta(seconds=rng.randrange(86_400, 60 * 86_400))

    def _calls(self, company_id: int, tenant: Tenant, customers: list[tuple[int, str, str]],
               service_names: list[str], rng: random.Random) -> None:
        calls: list[Row] = []
        events: list[Row] = []
        for index in range(CALLS_PER_COMPANY * self.scale):
            call_pk = self.next_call_id
            call_key = self.dialect.call_key(call_pk, company_id)
            self.next_call_id += 1
            customer = rng.choice(customers) if rng.random() < 0.8 else None
            status = _weighted(rng, CALL_STATUSES)
            started = self._call_time(index, rng)
            duration = 0 if status in ("missed", "failed") else rng.randrange(25, 600)
            title, opener = rng.choice(TOPICS)
            service = rng.choice(service_names)
            summary = title.format(service=service) + f" (Anruf {call_pk})"
            calls.append((call_key, company_id, customer[0] if customer else None,
                          f"call_{secrets.token_hex(4)}{call_pk:08d}",
                          customer[2] if customer else fake_phone(rng), "inbound", status,
                          duration, summary, started, started + timedelta(seconds=duration),
                          started, started))
            events.extend(self._events(company_id, call_key, tenant, opener.format(
                service=service), started, rng))
        _insert(self.conn, self.dialect.names, "retell_call_sessions",
                ("id", "company_id", "customer_id", "call_id", "caller_number", "direction",
                 "status", "duration_seconds", "summary", "started_at", "ended_at",
                 "created_at", "updated_at"), iter(calls))
        _insert(self.conn, self.dialect.names, "retell_call_events",
                ("id", "company_id", "call_session_id", "sequence", "speaker", "text",
                 "occurred_at", "created_at"), iter(events))

    def _events(self, company_id: int, call_pk: int | str, tenant: Tenant, opener: str,
                started: datetime, rng: random.Random) -> list[Row]:
        lines = [("agent", f"Guten Tag, hier ist der KI-Assistent von {tenant.company}."),
                 ("user", opener)]
        for n in range(rng.randrange(2, 7)):
            pool = AGENT_LINES if n % 2 == 0 else USER_LINES
            lines.append(("agent" if n % 2 == 0 else "user", rng.choice(pool)))
        rows: list[Row] = []
        for seq, (speaker, text) in enumerate(lines, start=1):
            at = started + timedelta(seconds=seq * 7)
            rows.append((self.next_event_id, company_id, call_pk, seq, speaker, text, at, at))
            self.next_event_id += 1
        return rows

    def _appointments(self, company_id: int, customers: list[tuple[int, str, str]],
                      staff_ids: list[int], services: list[tuple[int, str, int]],
                      branch_ids: list[int], rng: random.Random) -> None:
        rows: list[Row] = []
        for _ in range(APPOINTMENTS_PER_COMPANY * self.scale):
            day = self.today + timedelta(days=rng.randrange(-30, 31))
            start = datetime.combine(day, time(8)) + timedelta(minutes=30 * rng.randrange(20))
            service = rng.choice(services)
            status = self._appointment_status(day, rng)
            rows.append((self.next_appointment_id, company_id, rng.choice(customers)[0],
                         rng.choice(staff_ids), service[0], rng.choice(branch_ids), start,
                         start + timedelta(minutes=service[2]), status, None,
                         self.now, self.now))
            self.next_appointment_id += 1
        _insert(self.conn, self.dialect.names, "appointments",
                ("id", "company_id", "customer_id", "staff_id", "service_id", "branch_id",
                 "starts_at", "ends_at", "status", "notes", "created_at", "updated_at"),
                iter(rows))

    def _appointment_status(self, day: date, rng: random.Random) -> str:
        if day < self.today:
            return _weighted(rng, (("completed", 70), ("cancelled", 15), ("no_show", 15)))
        return _weighted(rng, (("scheduled", 60), ("confirmed", 30), ("cancelled", 10)))


def _passwords(credentials_file: Path) -> dict[str, str]:
    """Reuse the passwords of an earlier seed so stored credentials stay valid."""
    try:
        data: dict[str, Any] = json.loads(credentials_file.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    known = {t["email"]: t["password"] for t in data.get("tenants", [])}
    known.update({u["email"]: u["password"] for u in data.get("staff_users", [])})
    admin = data.get("admin")
    if admin:
        known[admin["email"]] = admin["password"]
    return known


def _users(conn: DbConnection, now: datetime, credentials_file: Path,
           names: Names) -> dict[str, Any]:
    old = _passwords(credentials_file)
    tenants: list[dict[str, Any]] = []
    staff_users: list[dict[str, Any]] = []
    rows: list[Row] = []
    user_id = 1

    def add(company_id: int | None, name: str, email: str, role: str) -> str:
        nonlocal user_id
        password = old.get(email) or secrets.token_urlsafe(12)
        rows.append((user_id, company_id, name, email, now, hash_password(password), role,
                     now, now))
        user_id += 1
        return password

    admin_password = add(None, "Staging Admin", ADMIN_EMAIL, "admin")
    for company_id, tenant in enumerate(TENANTS, start=1):
        owner = f"{tenant.slug}.owner@staging.askproai.de"
        staff = f"{tenant.slug}.staff@staging.askproai.de"
        tenants.append({"key": tenant.key, "company": tenant.company,
                        "company_id": company_id, "email": owner,
                        "password": add(company_id, f"Inhaber {tenant.city}", owner, "owner"),
                        "role": "owner"})
        staff_users.append({"key": tenant.key + "_staff", "company": tenant.company,
                            "company_id": company_id, "email": staff,
                            "password": add(company_id, f"Team {tenant.city}", staff, "staff"),
                            "role": "staff"})
    _insert(conn, names, "users", ("id", "company_id", "name", "email", "email_verified_at",
                            "password", "role", "created_at", "updated_at"), iter(rows))
    return {"tenants": tenants, "staff_users": staff_users,
            "admin": {"email": ADMIN_EMAIL, "password": admin_password}}


def seed(conn: DbConnection, credentials_file: Path, scale: int = 1,
         now: datetime | None = None, dialect: Dialect = DIALECTS[REFERENCE]) -> dict[str, Any]:
    """Replace all data with a fresh seed; writes and returns the credentials."""
    moment = now or datetime.now()
    with conn.cursor() as cur:
        for table in TRUNCATED:
            cur.execute(f"TRUNCATE TABLE {dialect.names.name(table)}")
    credentials = _users(conn, moment.replace(microsecond=0), credentials_file, dialect.names)
    seeder = Seeder(conn, scale, moment, dialect)
    for company_id, tenant in enumerate(TENANTS, start=1):
        seeder.company(company_id, tenant)
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    credentials_file.write_text(json.dumps(credentials, indent=2, ensure_ascii=False) + "\n")
    credentials_file.chmod(0o600)
    return credentials
