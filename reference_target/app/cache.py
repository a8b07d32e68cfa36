"""Redis cache with Laravel's key layout: connection prefix, then cache prefix, then key.

Laravel's Redis connection prefixes every key with ``REDIS_PREFIX`` (config/database.php:
default ``Str::slug(APP_NAME, '_') . '_database_'``), and its cache store puts
``CACHE_PREFIX`` before the cache key (config/cache.php). So with APP_NAME "AskPro AI
Gateway" and CACHE_PREFIX ``askpro_staging_`` the dashboard key is
``askpro_ai_gateway_database_askpro_staging_dashboard_stats_1``.
"""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import redis

STAGING_PREFIX = "askpro_staging_"
PRODUCTION_PREFIX = "askpro_cache_"


def slug(text: str, separator: str = "_") -> str:
    """Laravel's ``Str::slug``: ASCII, lower case, runs of anything else one separator."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("@", f"{separator}at{separator}")
    words = re.sub(r"[^a-z0-9]+", separator, ascii_text.lower())
    return words.strip(separator)


def connection_prefix(redis_prefix: str | None, app_name: str) -> str:
    """``REDIS_PREFIX`` when set, else Laravel's default from ``APP_NAME``."""
    if redis_prefix is not None:
        return redis_prefix
    return slug(app_name or "laravel") + "_database_"


class Cache:
    def __init__(self, host: str, port: int) -> None:
        self.client = redis.Redis(host=host, port=port, socket_connect_timeout=1,
                                  socket_timeout=1)

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def reset_stats(self) -> None:
        """Seeded defect: something (a monitoring agent) runs CONFIG RESETSTAT."""
        with contextlib.suppress(redis.RedisError):
            self.client.config_resetstat()

    def remember(self, key: str, ttl: int, compute: Callable[[], Any], *,
                 prefix: str = STAGING_PREFIX, disabled: bool = False) -> tuple[Any, bool]:
        """(value, hit); ``prefix`` is the whole key prefix (connection + cache prefix).
        ``disabled`` (seeded defect): look, ignore, compute, forget."""
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
