"""P1.7: the health endpoint reports every expected field and value — and tells the truth.

Inputs it understands: a JSON object whose fields are strings, booleans, numbers or nested
objects (``{"database": {"status": "up"}}``, Spring-Boot style). The profile's
``health.expected`` holds TOML strings, booleans and numbers; each is compared by type
(``true`` matches JSON ``true`` only, ``"true"`` matches the string only, ``1`` matches
``1`` and ``1.0``), and a mismatch of type says so. Whether a field *claims* its component
is up is read from any usual spelling (`UP_WORDS`), so the contradiction check works
whatever the application writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
import pymysql
import redis

from staging_gate.deployment.connections import (
    MysqlDsn,
    TargetUnreachable,
    connect_cache,
    connect_db,
)

# Health fields that claim a dependency is up, and which direct probe can confirm them.
COMPONENT_FIELDS: dict[str, str] = {"database": "database", "cache": "cache"}

#: Words (case-insensitive) with which health endpoints say "this component is up": Laravel
#: health packages (`connected`, `ok`), Spring Boot Actuator (`UP`), MicroProfile (`UP`),
#: the IETF health-check draft (`pass`), Kubernetes probes (`healthy`, `ready`), and flags.
UP_WORDS = frozenset({
    "ok", "up", "connected", "true", "yes", "1", "healthy", "available", "ready", "online",
    "pass", "passed", "passing", "green", "running", "reachable", "alive", "active",
    "operational", "working", "success", "successful", "good", "fine",
})
#: Keys of a nested component object that carry its state (`{"status": "UP"}`).
STATE_KEYS = ("status", "state", "health", "healthy", "ok", "up", "connected")

Expected = str | bool | int | float


@dataclass(frozen=True)
class HealthReading:
    status_code: int
    payload: dict[str, object] | None
    error: str | None = None


@dataclass(frozen=True)
class DirectProbe:
    """What the gate saw when it checked a dependency itself."""

    ok: bool
    detail: str


def read_health(response: httpx.Response) -> HealthReading:
    try:
        data = response.json()
    except ValueError:
        snippet = response.text[:120].replace("\n", " ")
        return HealthReading(response.status_code, None, f"body is not JSON: {snippet!r}")
    if not isinstance(data, dict):
        return HealthReading(response.status_code, None, f"JSON is a {type(data).__name__}")
    return HealthReading(response.status_code, data)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "object" if isinstance(value, dict) else "array"


def _show(value: object) -> str:
    """Strings as Python shows them ('ok'), everything else as JSON shows it (true, 1.5)."""
    return repr(value) if isinstance(value, str) else json.dumps(value, default=str)


def matches(actual: object, want: Expected) -> bool:
    """`actual` (from JSON) equals `want` (from TOML) with the same type: booleans only
    equal booleans, numbers only numbers (1 == 1.0), strings only strings (exactly)."""
    if _kind(actual) != _kind(want):
        return False
    return actual == want


def mismatch(name: str, actual: object, want: Expected) -> str:
    """`database is 'disconnected', expected 'connected'`, naming types when they differ."""
    if _kind(actual) in (_kind(want), "object", "array", "null"):
        return f"{name} is {_show(actual)}, expected {_show(want)}"
    hint = f"; to expect the {_kind(actual)} write {name} = {_show(actual)}" \
        if _kind(actual) in ("boolean", "number") and str(actual).lower() == str(want).lower() \
        else ""
    return (f"{name} is {_show(actual)} (a JSON {_kind(actual)}), expected {_show(want)} "
            f"(a {_kind(want)}){hint}")


def field_problems(
    payload: Mapping[str, object], required: tuple[str, ...], expected: Mapping[str, Expected]
) -> list[str]:
    """Missing fields and fields whose value differs (in value or type) from the profile."""
    problems = [f"field {name!r} missing" for name in required if name not in payload]
    for name, want in expected.items():
        if name not in payload:
            if name not in required:
                problems.append(f"field {name!r} missing (expected {_show(want)})")
            continue
        if not matches(payload[name], want):
            problems.append(mismatch(name, payload[name], want))
    return problems


def claims_up(value: object) -> bool:
    """Whether a health field says its component is up, in any usual spelling: `true`, `1`,
    "connected", "UP", "healthy", … (`UP_WORDS`), or a nested object whose state says so."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in UP_WORDS
    if isinstance(value, Mapping):
        for key in STATE_KEYS:
            if key in value:
                return claims_up(value[key])
    return False


def contradictions(
    payload: Mapping[str, object],
    expected: Mapping[str, Expected],
    probes: Mapping[str, DirectProbe],
) -> list[str]:
    """Health claims a component is fine while the gate's own probe of it failed. A claim is
    the profile's expected value, or any spelling of "up" (`claims_up`)."""
    found: list[str] = []
    for component, probe in probes.items():
        field = COMPONENT_FIELDS.get(component, component)
        if field not in payload or probe.ok:
            continue
        claimed = payload[field]
        want = expected.get(field)
        if claims_up(claimed) or (want is not None and matches(claimed, want)):
            found.append(
                f"health says {field}={_show(claimed)} but the gate's direct check failed: "
                f"{probe.detail}"
            )
    return found


def database_probe(dsn: MysqlDsn, timeout: float) -> DirectProbe:
    """Connect to the database (`timeout` seconds) and PING it: ok, or what went wrong."""
    try:
        connection = connect_db(dsn, timeout)
    except TargetUnreachable as error:
        return DirectProbe(False, str(error))
    try:
        connection.ping(reconnect=False)
    except pymysql.MySQLError as error:
        return DirectProbe(False, f"database at {dsn.address}: {error}")
    finally:
        connection.close()
    return DirectProbe(True, f"database at {dsn.address} answered")


def cache_probe(url: str, timeout: float) -> DirectProbe:
    """Connect to Redis at `url` (`timeout` seconds; `connect_cache` PINGs): ok, or why not."""
    try:
        client = connect_cache(url, timeout)
    except (TargetUnreachable, redis.RedisError) as error:
        return DirectProbe(False, str(error))
    client.close()
    return DirectProbe(True, "Redis answered PING")
