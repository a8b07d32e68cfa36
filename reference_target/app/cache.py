"""Redis cache with the Laravel-style key prefix (``askpro_staging_``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis

STAGING_PREFIX = "askpro_staging_"
PRODUCTION_PREFIX = "askpro_cache_"


class Cache:
    def __init__(self, host: str, port: int) -> None:
        self.client = redis.Redis(host=host, port=port, socket_connect_timeout=1,
                                  socket_timeout=1)

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def remember(self, key: str, ttl: int, compute: Callable[[], Any], *,
                 prefix: str = STAGING_PREFIX, disabled: bool = False) -> tuple[Any, bool]:
        """(value, hit). ``disabled`` (seeded defect): look, ignore, compute, forget."""
        full = prefix + key
        try:
            raw = self.client.get(full)
        except redis.RedisError:
            return compute(), False
        if raw is not None and not disabled:
            return json.loads(raw), True
        value = compute()
        try:
            if disabled:
                self.client.delete(full)
            else:
                self.client.set(full, json.dumps(value, default=str), ex=ttl)
        except redis.RedisError:
            pass
        return value, False
