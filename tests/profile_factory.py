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

# What every phase needs besides the target: users, flag toggle, backup and log access.
COMPLETE_SECTIONS = """
[flags]
toggle_command = ["true"]

[backup]
dump_command = ["true"]

[rollback]
rollback_command = ["true"]
migrate_command = ["true"]

[logs]
path = "/dev/null"

[[tenants]]
key = "a"
company = "A"
email_env = "SG_TEST_A_EMAIL"
password_env = "SG_TEST_A_PASSWORD"

[[tenants]]
key = "b"
company = "B"
email_env = "SG_TEST_B_EMAIL"
password_env = "SG_TEST_B_PASSWORD"

[admin]
email_env = "SG_TEST_ADMIN_EMAIL"
password_env = "SG_TEST_ADMIN_PASSWORD"
"""

SECRETS = {
    "SG_TEST_DB_DSN": "mysql://user:secret@127.0.0.1:1/app_staging",
    "SG_TEST_REDIS_URL": "redis://127.0.0.1:1/0",
}
COMPLETE_SECRETS = {
    **SECRETS,
    **{
        f"SG_TEST_{who}_{what}": f"{who.lower()}-{what.lower()}"
        for who in ("A", "B", "ADMIN")
        for what in ("EMAIL", "PASSWORD")
    },
}


def write_profile(
    directory: Path, base_url: str = "https://127.0.0.1:1", extra: str = "", complete: bool = False
) -> Path:
    path = directory / "profile.toml"
    text = MINIMAL_PROFILE.format(base_url=base_url) + (COMPLETE_SECTIONS if complete else "")
    path.write_text(text + extra, encoding="utf-8")
    return path
