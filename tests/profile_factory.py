"""A minimal valid profile as TOML text, for tests that need one on disk."""

from __future__ import annotations

from pathlib import Path

MINIMAL_PROFILE = """
[target]
base_url = "{base_url}"
production_url = "https://api.example.test"

[database]
dsn_env = "SG_TEST_DB_DSN"
name = "app_staging"
production_name = "app_db"
latest_migration = "2025_10_26_115644_add_customer_portal_performance_indexes"

[cache]
url_env = "SG_TEST_REDIS_URL"
prefix = "app_staging_"
production_prefix = "app_cache_"
"""

SECRETS = {
    "SG_TEST_DB_DSN": "mysql://user:secret@127.0.0.1:1/app_staging",
    "SG_TEST_REDIS_URL": "redis://127.0.0.1:1/0",
}


def write_profile(directory: Path, base_url: str = "https://127.0.0.1:1", extra: str = "") -> Path:
    path = directory / "profile.toml"
    path.write_text(MINIMAL_PROFILE.format(base_url=base_url) + extra, encoding="utf-8")
    return path
