"""P1.6: Redis answers, and the app writes its cache under the staging prefix only.

Keys are listed with SCAN (never KEYS, which blocks the server) and read with TTL only:
the checks never write to the cache. "Written by the app during the check" is told apart
from leftovers by comparing snapshots taken before and after a request that fills the cache:
a key that is new, or whose TTL went up, was (re)written in between.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis

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
