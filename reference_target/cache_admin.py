"""Cache maintenance shared by ``artisan`` and ``db_defects`` (like ``artisan cache:clear``)."""

from __future__ import annotations

import redis

from reference_target.dbconfig import Runtime

PREFIXES = ("askpro_staging_", "askpro_cache_")


def clear(runtime: Runtime) -> int:
    """Delete every app cache key under the staging and production prefixes (behind any
    connection prefix); 0 if Redis is down."""
    client = redis.Redis(host=runtime.redis_host, port=runtime.redis_port,
                         socket_connect_timeout=1, socket_timeout=2)
    deleted = 0
    try:
        for prefix in PREFIXES:
            keys = list(client.scan_iter(match=f"*{prefix}*", count=500))
            if keys:
                deleted += int(client.delete(*keys))
    except redis.RedisError:
        return 0
    finally:
        client.close()
    return deleted
