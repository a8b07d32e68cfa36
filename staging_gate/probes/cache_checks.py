"""P1.6: Redis answers, and the app writes its cache under the staging prefix only;
P6.6: the cache hit ratio, from Redis INFO counters.

Keys as Laravel writes them: the Redis connection prefix (`REDIS_PREFIX`, by default
``Str::slug(APP_NAME, '_') . '_database_'``, config/database.php) comes before the cache
prefix (`CACHE_PREFIX`, config/cache.php), so a staging key reads
``askpro_ai_gateway_database_askpro_staging_dashboard_stats_1``. `KeyLayout` matches the
cache prefix behind the profile's `cache.redis_prefix`, or behind any connection prefix
when the profile names none.

Keys are listed with SCAN (never KEYS, which blocks the server) and read with TTL only:
the checks never write to the cache. "Written by the app during the check" is told apart
from leftovers by comparing snapshots taken before and after a request that fills the cache:
a key that is new, or whose TTL went up, was (re)written in between.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import redis

from staging_gate.errors import CouldNotVerify

Snapshot = dict[str, int]  # key -> TTL in seconds (-1: no expiry)


@dataclass(frozen=True)
class Pong:
    latency_ms: float
    server_version: str


def ping(client: redis.Redis) -> Pong:
    started = time.perf_counter()
    client.ping()
    latency = (time.perf_counter() - started) * 1000
    info: Mapping[str, Any] = client.info("server")
    return Pong(round(latency, 2), str(info.get("redis_version", "unknown")))


@dataclass(frozen=True)
class KeyLayout:
    """Where the cache prefixes sit in a Redis key. `connection_prefix` None: any (or no)
    connection prefix may stand before the cache prefix."""

    staging_prefix: str
    production_prefix: str
    connection_prefix: str | None = None

    def glob(self, which: Literal["staging", "production"], tail: str = "*") -> str:
        """SCAN MATCH pattern for one prefix (`tail`: glob after it, e.g. ``dashboard_*``)."""
        prefix = self.staging_prefix if which == "staging" else self.production_prefix
        lead = "*" if self.connection_prefix is None else _glob_escape(self.connection_prefix)
        return lead + _glob_escape(prefix) + tail

    def _position(self, key: str, prefix: str) -> int | None:
        if self.connection_prefix is not None:
            start = self.connection_prefix + prefix
            return len(self.connection_prefix) if key.startswith(start) else None
        found = key.find(prefix)
        return None if found < 0 else found

    def classify(self, key: str) -> Literal["staging", "production"] | None:
        """Which cache prefix a key is under. When both occur (``app_`` inside ``myapp_``),
        the earlier one is the key's prefix, the longer one on a tie."""
        staging = self._position(key, self.staging_prefix)
        production = self._position(key, self.production_prefix)
        if staging is None and production is None:
            return None
        if production is None:
            return "staging"
        if staging is None:
            return "production"
        if staging != production:
            return "staging" if staging < production else "production"
        return "staging" if len(self.staging_prefix) > len(self.production_prefix) \
            else "production"

    def only(self, which: Literal["staging", "production"], keys: Mapping[str, int]) -> Snapshot:
        """The keys of a snapshot that are under `which` prefix."""
        return {key: ttl for key, ttl in keys.items() if self.classify(key) == which}


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def snapshot(client: redis.Redis, pattern: str, limit: int = 500) -> Snapshot:
    """Up to `limit` keys matching the glob, with their TTLs (keys gone meanwhile skipped)."""
    keys: list[str] = []
    for key in client.scan_iter(match=pattern, count=500):
        keys.append(str(key))
        if len(keys) >= limit:
            break
    ttls: Snapshot = {}
    for key in keys:
        ttl = int(client.ttl(key))
        if ttl != -2:
            ttls[key] = ttl
    return ttls


def written_between(before: Mapping[str, int], after: Mapping[str, int]) -> list[str]:
    """Keys created or re-written between two snapshots (new, or TTL went up)."""
    return sorted(
        key
        for key, ttl in after.items()
        if key not in before or (ttl >= 0 and before[key] >= 0 and ttl > before[key])
    )


@dataclass(frozen=True)
class PrefixVerdict:
    staging_keys: tuple[str, ...]
    production_written: tuple[str, ...]
    production_present: tuple[str, ...]

    def problems(self, staging_pattern: str, production_pattern: str) -> list[str]:
        found: list[str] = []
        if self.production_written:
            found.append(
                f"the app wrote {len(self.production_written)} key(s) under the production "
                f"prefix ({production_pattern}) during the check: "
                + ", ".join(self.production_written[:5])
            )
        elif self.production_present:
            found.append(
                f"{len(self.production_present)} key(s) under the production prefix "
                f"({production_pattern}) exist in the staging cache: "
                + ", ".join(self.production_present[:5])
            )
        if not self.staging_keys:
            found.append(f"no key matching {staging_pattern} after the app served a cached page")
        return found


def judge_prefixes(
    staging_after: Mapping[str, int],
    production_before: Mapping[str, int],
    production_after: Mapping[str, int],
) -> PrefixVerdict:
    return PrefixVerdict(
        staging_keys=tuple(sorted(staging_after)),
        production_written=tuple(written_between(production_before, production_after)),
        production_present=tuple(sorted(production_after)),
    )


# --- P6.6: hit ratio from INFO counters -------------------------------------------------------

#: Counters that only grow while a Redis server runs; any of them going down between two
#: samples means CONFIG RESETSTAT or a restart happened in between (INFO stats, redis.io).
MONOTONIC = ("keyspace_hits", "keyspace_misses", "total_commands_processed",
             "total_connections_received")


class SupportsInfo(Protocol):
    """A Redis client, as far as `CounterSample.read` needs one."""

    def info(self) -> Mapping[str, object]: ...


@dataclass(frozen=True)
class CounterSample:
    """One reading of Redis INFO (sections server and stats). None: the server did not
    report that field."""

    hits: int | None
    misses: int | None
    monotonic: dict[str, int]
    uptime_seconds: int | None
    server: str

    @classmethod
    def from_info(cls, info: Mapping[str, object]) -> CounterSample:
        numbers = {key: _number(info.get(key)) for key in (*MONOTONIC, "uptime_in_seconds")}
        return cls(
            hits=numbers["keyspace_hits"],
            misses=numbers["keyspace_misses"],
            monotonic={k: v for k, v in numbers.items() if v is not None and k in MONOTONIC},
            uptime_seconds=numbers["uptime_in_seconds"],
            server=server_name(info),
        )

    @classmethod
    def read(cls, cache: SupportsInfo) -> CounterSample:
        """One sample of a Redis client's ``INFO`` (all sections: server and stats)."""
        return cls.from_info(cache.info())


@dataclass(frozen=True)
class HitDelta:
    hits: int
    misses: int

    @property
    def ratio(self) -> float | None:
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else None


def _number(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value) if isinstance(value, int | float | str) else None
    except ValueError:
        return None


def server_name(info: Mapping[str, object]) -> str:
    """"Redis 7.0.15", "Valkey 8.0.1", "Dragonfly 1.21.0", … from INFO server."""
    for key, name in (("valkey_version", "Valkey"), ("dragonfly_version", "Dragonfly"),
                      ("keydb_version", "KeyDB"), ("garnet_version", "Garnet")):
        if key in info:
            return f"{name} {info[key]}"
    named = info.get("server_name")
    version = info.get("redis_version")
    if named:
        return f"{named} {version or ''}".strip()
    return f"Redis {version}" if version else "a Redis-compatible server (no version in INFO)"


def hit_delta(before: CounterSample, after: CounterSample) -> HitDelta:
    """Hits and misses between two samples, only when they can be trusted.

    Raises CouldNotVerify when the server reports no keyspace_hits/keyspace_misses (some
    Redis-compatible servers do not), or when a counter went down or the uptime restarted
    between the samples (CONFIG RESETSTAT or a restart: the difference would be made up).
    """
    hits_before, misses_before, hits_after, misses_after = (
        before.hits, before.misses, after.hits, after.misses)
    if hits_before is None or misses_before is None or hits_after is None or misses_after is None:
        raise CouldNotVerify(
            f"the cache hit ratio cannot be measured: {after.server} reports no "
            "keyspace_hits/keyspace_misses in INFO stats",
            "point cache.url_env at a server that reports them (Redis, Valkey) or waive P6.6",
        )
    reset = [f"{key} {before.monotonic[key]}→{after.monotonic[key]}"
             for key in MONOTONIC
             if key in before.monotonic and key in after.monotonic
             and after.monotonic[key] < before.monotonic[key]]
    if (before.uptime_seconds is not None and after.uptime_seconds is not None
            and after.uptime_seconds < before.uptime_seconds):
        reset.append(f"uptime {before.uptime_seconds}→{after.uptime_seconds} s")
    if reset:
        raise CouldNotVerify(
            f"the counters were reset during the check ({', '.join(reset)} on {after.server})",
            "re-run when nothing calls CONFIG RESETSTAT or restarts Redis during the gate",
        )
    return HitDelta(hits_after - hits_before, misses_after - misses_before)


def judge_hit_ratio(delta: HitDelta, budget: float, loads: int, page: str) -> list[str]:
    """Problems with the ratio of `delta` against `budget` (0–1) over `loads` page loads."""
    ratio = delta.ratio
    if ratio is None:
        return [f"{loads} loads of {page} made no Redis lookup at all: the page is not cached"]
    if ratio < budget:
        return [f"cache hit ratio over {loads} loads of {page} was {ratio:.2f} "
                f"({delta.hits} hits, {delta.misses} misses), budget {budget:.2f}"]
    return []
