"""``flag``: the seed's toggle-feature-flag.php for DIR/app/.env.staging.

``main(state_dir, ["customer_portal", "true"])`` sets a flag, ``main(state_dir,
["customer_portal"])`` prints ``true`` or ``false``. The app re-reads the file on change.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reference_target import envfile
from reference_target.dbconfig import env_file_path

FLAGS: dict[str, str] = {
    "customer_portal": "FEATURE_CUSTOMER_PORTAL",
    "customer_portal_calls": "FEATURE_CUSTOMER_PORTAL_CALLS",
    "customer_portal_appointments": "FEATURE_CUSTOMER_PORTAL_APPOINTMENTS",
    "customer_portal_crm": "FEATURE_CUSTOMER_PORTAL_CRM",
    "customer_portal_services": "FEATURE_CUSTOMER_PORTAL_SERVICES",
    "customer_portal_staff": "FEATURE_CUSTOMER_PORTAL_STAFF",
    "phonetic_matching_enabled": "FEATURE_PHONETIC_MATCHING_ENABLED",
}
ALIASES: dict[str, str] = {
    "portal_calls": "customer_portal_calls",
    "portal_appointments": "customer_portal_appointments",
    "portal_crm": "customer_portal_crm",
    "portal_services": "customer_portal_services",
    "portal_staff": "customer_portal_staff",
    "phonetic_matching": "phonetic_matching_enabled",
}


# Settings with a value, not true/false (seed Part 6.1: FEATURE_CUSTOMER_PORTAL_TEST_COMPANIES=15).
SETTINGS: dict[str, str] = {
    "customer_portal_test_companies": "FEATURE_CUSTOMER_PORTAL_TEST_COMPANIES",
}


def setting_var(name: str) -> str | None:
    """``customer_portal_test_companies`` (or its env variable) -> env variable, else None."""
    key = name.strip()
    if key.upper() in SETTINGS.values():
        return key.upper()
    return SETTINGS.get(key.lower())


def _setting_main(state_dir: Path, var: str, argv: list[str]) -> int:
    """Read (print) or write a company-id list setting: ``2,3`` or empty for none."""
    path = env_file_path(state_dir)
    if len(argv) == 1:
        print(envfile.read(path).get(var, ""))
        return 0
    ids = [part.strip() for part in argv[1].split(",") if part.strip()]
    if not all(part.isdigit() for part in ids):
        print(f"{var} takes comma-separated company ids, not {argv[1]!r}", file=sys.stderr)
        return 1
    envfile.set_value(path, var, ",".join(ids))
    print(f"Updated {var}={','.join(ids)} in {path}")
    return 0


def env_var(name: str) -> str | None:
    """``customer_portal``, ``portal_calls`` or ``FEATURE_CUSTOMER_PORTAL`` -> env variable."""
    key = name.strip()
    if key.upper() in FLAGS.values():
        return key.upper()
    key = key.lower()
    return FLAGS.get(ALIASES.get(key, key))


def get(state_dir: Path, name: str) -> bool:
    var = env_var(name)
    if var is None:
        raise KeyError(name)
    return envfile.read(env_file_path(state_dir)).get(var, "false").lower() == "true"


def set_flag(state_dir: Path, name: str, value: bool) -> str:
    var = env_var(name)
    if var is None:
        raise KeyError(name)
    envfile.set_value(env_file_path(state_dir), var, "true" if value else "false")
    return var


def main(state_dir: Path, argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print("Usage: flag FEATURE [true|false]   e.g. flag customer_portal true",
              file=sys.stderr)
        return 1
    name = argv[0]
    setting = setting_var(name)
    if setting is not None:
        return _setting_main(state_dir, setting, argv)
    if env_var(name) is None:
        print(f"Unknown feature: {name} (known: {', '.join(FLAGS)})", file=sys.stderr)
        return 1
    if len(argv) == 1:
        print("true" if get(state_dir, name) else "false")
        return 0
    value = argv[1].strip().lower()
    if value not in ("true", "false"):
        print(f"Value must be true or false, not {argv[1]!r}", file=sys.stderr)
        return 1
    var = set_flag(state_dir, name, value == "true")
    print(f"Updated {var}={value} in {env_file_path(state_dir)}")
    return 0
