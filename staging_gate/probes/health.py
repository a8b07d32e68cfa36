"""P1.7: the health endpoint reports every expected field and value — and tells the truth."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx
import pymysql
import redis

from staging_gate.connections import MysqlDsn, TargetUnreachable, connect_cache, connect_db

# Health fields that claim a dependency is up, and which direct probe can confirm them.
COMPONENT_FIELDS: dict[str, str] = {"database": "database", "cache": "cache"}


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


def field_problems(
    payload: Mapping[str, object], required: tuple[str, ...], expected: Mapping[str, str]
) -> list[str]:
    """Missing fields and fields whose value differs from the profile's expectation."""
    problems = [f"field {name!r} missing" for name in required if name not in payload]
    for name, want in expected.items():
        if name not in payload:
            if name not in required:
                problems.append(f"field {name!r} missing (expected {want!r})")
            continue
        if str(payload[name]) != want:
            problems.append(f"{name} is {payload[name]!r}, expected {want!r}")
    return problems


def contradictions(
    payload: Mapping[str, object],
    expected: Mapping[str, str],
    probes: Mapping[str, DirectProbe],
) -> list[str]:
    """Health claims a component is fine while the gate's own probe of it failed."""
    found: list[str] = []
    for component, probe in probes.items():
        field = COMPONENT_FIELDS.get(component, component)
        healthy_value = expected.get(field)
        claimed = payload.get(field)
        if healthy_value is not None and str(claimed) == healthy_value and not probe.ok:
            found.append(
                f"health says {field}={claimed!r} but the gate's direct check failed: "
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
