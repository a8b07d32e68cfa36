"""P5.x: the logic of the security checks — tenant isolation, injection, CSRF, headers,
cookies, exposed files and debug pages — as pure functions over what the target answered."""

from __future__ import annotations

import html as htmllib
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from staging_gate.probes.http_checks import Observation, is_login_redirect, observe

# --- answers ------------------------------------------------------------------------------

_TOKEN_VALUES = re.compile(
    r'((?:name="_token"\s+value|name="csrf-token"\s+content|value)="?)[A-Za-z0-9+/=_-]{20,}'
)


def normalized_body(text: str) -> str:
    """The body with per-session CSRF tokens masked, so two answers compare by content."""
    return _TOKEN_VALUES.sub(r"\1<token>", text).strip()


@dataclass(frozen=True)
class Answer:
    """What one request got back: enough to compare a foreign record with a missing one."""

    seen: Observation
    body: str

    @property
    def status(self) -> int:
        return self.seen.status

    def describe(self) -> str:
        return self.seen.describe()


def answer(response: httpx.Response) -> Answer:
    return Answer(observe(response), normalized_body(response.text))


# --- P5.1 tenant isolation ----------------------------------------------------------------


def bounded_ids(ids: Iterable[str], limit: int) -> list[str]:
    """Distinct ids in first-seen order, at most `limit` of them."""
    seen: list[str] = []
    for record_id in ids:
        if record_id not in seen:
            seen.append(record_id)
        if len(seen) >= limit:
            break
    return seen


def api_rows(payload: Any) -> list[Mapping[str, Any]]:
    """The rows of a Laravel resource collection (`{"data": [...]}`); [] for anything else."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    return [row for row in data if isinstance(row, Mapping)] if isinstance(data, list) else []


def _as_id(value: Any) -> str | None:
    """Ids are strings: 12 → "12", a UUID or ULID as written; booleans, empties → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def api_ids(payload: Any, field: str = "id") -> list[str]:
    """`field` of every row of a resource collection, as strings ([] when `field` is empty)."""
    if not field:
        return []
    return [v for v in (_as_id(row.get(field)) for row in api_rows(payload)) if v is not None]


def html_ids(html: str, attribute: str, pattern: str = "") -> list[str]:
    """Values of `attribute` in an HTML page, in page order: the whole value, or group 1 of
    `pattern` (Filament: wire:key "….table.records.<key>"); values it does not match are
    left out. `data-id="12"` → "12"; a UUID stays a UUID."""
    if not attribute:
        return []
    found = re.compile(
        rf"""(?<![\w:-]){re.escape(attribute)}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"""
    )
    ids = []
    for match in found.finditer(html):
        value = htmllib.unescape(next(g for g in match.groups() if g is not None)).strip()
        if pattern:
            extracted = re.search(pattern, value)
            value = extracted.group(1).strip() if extracted else ""
        if value:
            ids.append(value)
    return ids


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$", re.I)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MISSING_INTEGER_ID = 2_147_483_000


def missing_id(ids: Sequence[str], configured: str = "") -> str:
    """An id no record has, in the shape of the harvested `ids`, so the "missing" answer is
    what the app gives a well-formed id it does not know (OWASP WSTG-ATHZ-04: compare a
    foreign record with a non-existent one, not with a malformed one).

    `configured` (security.missing_id) wins. Integers → MISSING_INTEGER_ID (near the top of a
    signed 32-bit INT column), or ten times the largest harvested id when that is larger;
    UUIDs → a random UUID v4 (lowercase unless the harvest is uppercase); ULIDs → the
    largest timestamp with random Crockford base32; anything else → a fixed word.
    """
    if configured:
        return configured
    taken = set(ids)
    if ids and all(i.isdigit() for i in ids):
        return str(max(MISSING_INTEGER_ID, *(int(i) * 10 + 9 for i in ids)))
    if ids and all(_UUID.match(i) for i in ids):
        upper = all(i == i.upper() for i in ids)
        while (made := str(uuid.uuid4())) in taken:
            continue
        return made.upper() if upper else made
    if ids and all(_ULID.match(i) for i in ids):
        while (made := "7ZZZZZZZZZ" + "".join(secrets.choice(_CROCKFORD)
                                              for _ in range(16))) in taken:
            continue
        return made
    return "stagingGateNoSuchRecord"


def foreign_record_problem(foreign: Answer, missing: Answer, who: str) -> str | None:
    """Another tenant's record must be indistinguishable from one that does not exist."""
    if foreign.status == 200:
        return f"{foreign.describe()} as {who}: another tenant's record is readable"
    if foreign.status != missing.status:
        return (
            f"{foreign.describe()} as {who}, but a missing id answers {missing.status}: "
            "the answer reveals that the record exists"
        )
    if foreign.body != missing.body:
        return (
            f"{foreign.describe()} as {who} with a different body than a missing id: "
            "the answer reveals that the record exists"
        )
    return None


def anonymous_record_problem(seen: Observation, is_api: bool, login_path: str) -> str | None:
    """Anonymous users get 401 from the API and the login redirect from pages."""
    if is_api:
        return None if seen.status == 401 else f"anonymous {seen.describe()}, expected 401"
    if is_login_redirect(seen, login_path):
        return None
    return f"anonymous {seen.describe()}, expected a redirect to {login_path}"


def list_leak_problems(
    listed_ids: Sequence[str],
    listed_companies: Sequence[str],
    foreign_ids: Sequence[str],
    foreign_companies: Iterable[str],
    where: str,
) -> list[str]:
    """A tenant's list holds none of another tenant's ids and rows of one company only."""
    problems: list[str] = []
    foreign = set(foreign_ids)
    leaked = [record_id for record_id in listed_ids if record_id in foreign]
    if leaked:
        shown = ", ".join(leaked[:10])
        problems.append(f"{where} lists {len(leaked)} of the other tenant's ids ({shown})")
    companies = sorted(set(listed_companies))
    if len(companies) > 1:
        problems.append(
            f"{where} mixes rows of {len(companies)} companies ({', '.join(companies)})"
        )
    other = sorted(set(companies) & set(foreign_companies))
    if other:
        problems.append(f"{where} shows rows of the other tenant's company {other[0]}")
    return problems


# --- P5.2 injection -----------------------------------------------------------------------

# A canary no record contains: a literal search for canary+suffix must find nothing.
CANARY = "zqxgate"
# Read-only probes: quotes, comments, escapes, an AND clause — no OR tautologies, no SLEEP.
INJECTION_SUFFIXES: tuple[str, ...] = ("'", "'--", '"', "\\", "')", "' AND '1'='1", "%'-- ")
NON_NUMERIC_IDS: tuple[str, ...] = ("1'", "abc", "1 AND 1=1")

SQL_ERROR_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"SQLSTATE\[\w+\]",
        r"You have an error in your SQL syntax",
        r"check the manual that corresponds to your (MySQL|MariaDB)",
        r"\bPDOException\b",
        r"Illuminate\\Database\\QueryException",
        r"\bmysqli?_\w+\(",
        r"pymysql\.err\.\w+",
        r"\bProgrammingError\b",
        r"Unclosed quotation mark",
        r"unterminated quoted string",
        r"\bORA-\d{5}\b",
    )
)


def injection_payloads() -> list[str]:
    return [CANARY + suffix for suffix in INJECTION_SUFFIXES]


def first_match(text: str, patterns: Iterable[re.Pattern[str]]) -> str | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def injection_problem(seen: Observation, body: str, rows: int | None) -> str | None:
    """A probe must answer below 500, show no SQL error, and (when counted) match nothing."""
    if seen.status >= 500:
        return f"{seen.describe()}: the input reached the database unescaped"
    leaked = first_match(body, SQL_ERROR_PATTERNS)
    if leaked:
        return f"{seen.describe()} showing the SQL error text {leaked!r}"
    if rows:
        return (
            f"{seen.describe()} with {rows} rows, but a literal search for a canary "
            "matches nothing: the input changed the query"
        )
    return None


# --- P5.3 CSRF ----------------------------------------------------------------------------


def csrf_problem(form: str, seen: Observation, variant: str, expected: int) -> str | None:
    if seen.status == expected:
        return None
    return f"{form}: {seen.describe()} with a {variant} CSRF token, expected {expected}"


# (P5.4 headers: staging_gate/probes/headers.py)


# --- P5.5 cookies, exposed files, debug pages --------------------------------------------


def cookie_attributes(set_cookie: str) -> tuple[str, dict[str, str]]:
    """`name=v; Secure; SameSite=Lax` → ("name", {"secure": "", "samesite": "lax"})."""
    first, *rest = set_cookie.split(";")
    name = first.split("=", 1)[0].strip()
    attributes: dict[str, str] = {}
    for part in rest:
        key, _, value = part.strip().partition("=")
        if key:
            attributes[key.lower()] = value.strip().lower()
    return name, attributes


def cookie_flag_problems(
    set_cookies: Sequence[str], cookie: str, samesite: Sequence[str]
) -> list[str]:
    """The session cookie must be Secure, HttpOnly and SameSite (one of `samesite`)."""
    found = [attrs for name, attrs in map(cookie_attributes, set_cookies) if name == cookie]
    if not found:
        return [f"session cookie {cookie} not set"]
    problems: list[str] = []
    for attrs in found:
        missing = [flag for flag in ("Secure", "HttpOnly") if flag.lower() not in attrs]
        if missing:
            problems.append(f"session cookie {cookie} without {' and '.join(missing)}")
        if attrs.get("samesite") not in samesite:
            got, wanted = attrs.get("samesite") or "unset", "/".join(samesite)
            problems.append(f"session cookie {cookie} SameSite={got}, expected {wanted}")
    return sorted(set(problems))


SECRET_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.MULTILINE)
    for pattern in (
        r"^\s*(APP_KEY|DB_PASSWORD|DB_USERNAME|REDIS_PASSWORD|MAIL_PASSWORD|AWS_SECRET_ACCESS_KEY)\s*=",
        r"\[core\]\s+repositoryformatversion",
        r"^ref: refs/heads/",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
        r"^\[\d{4}-\d\d-\d\d [\d:]{8}\] \w+\.(INFO|ERROR|WARNING|DEBUG):",
    )
)


def exposed_file_problem(seen: Observation, body: str) -> str | None:
    """A file that must never be public answers 403/404 and shows nothing secret-looking."""
    secret = first_match(body, SECRET_PATTERNS)
    if secret:
        return f"{seen.describe()} and serves its contents ({secret.strip()!r}…)"
    if seen.status not in (403, 404):
        return f"{seen.describe()}, expected 403 or 404"
    return None


DEBUG_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"Traceback \(most recent call last\)",
        r"File \"[^\"]+\", line \d+",
        r"Whoops[,!]? (looks like )?something went wrong",
        r"\bWhoops\\",
        r"\bIgnition\b",
        r"vendor/laravel/framework",
        r"Illuminate\\[A-Z]\w+\\",
        r"Stack trace:\s*#0",
        r"#\d+ \S+\.php\(\d+\)",
        r"\.php on line \d+",
        r"<b>(Fatal error|Parse error|Warning|Notice)</b>:",
        r"Symfony\\Component\\ErrorHandler",
        r"Werkzeug Debugger",
        r"you have <code>DEBUG = True</code>",
    )
)


def debug_page_problem(seen: Observation, body: str) -> str | None:
    """Bad input gets an ordinary answer: no server error, no stack trace or debug page."""
    trace = first_match(body, DEBUG_PATTERNS)
    if trace:
        return f"{seen.describe()} with a stack trace / debug page ({trace!r})"
    if seen.status >= 500:
        return f"{seen.describe()}: bad input crashes the request"
    return None
