from __future__ import annotations

import pytest

from staging_gate.deployment.guard import REFUSAL_PREFIX, require_staging, take_fingerprint
from staging_gate.errors import GuardRefusal

STAGING = {
    "host": "staging.example.test",
    "production_host": "api.example.test",
    "health": {"environment": "staging"},
    "health_error": None,
    "database_name": "app_staging",
    "production_database_name": "app_db",
    "expected_environment": "staging",
}


def test_staging_target_is_confirmed() -> None:
    fingerprint = take_fingerprint(**STAGING)  # type: ignore[arg-type]
    assert fingerprint.is_staging
    require_staging(fingerprint, "toggle")


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"host": "api.example.test"}, "is the production host"),
        ({"health": {"environment": "production"}}, "environment='production'"),
        ({"health": None, "health_error": "timeout"}, "health endpoint unreadable"),
        ({"database_name": "app_db"}, "is the production database"),
        ({"database_name": None}, "database name unknown"),
        ({"read_only": True}, "--read-only"),
    ],
)
def test_any_doubt_refuses(override: dict[str, object], reason: str) -> None:
    fingerprint = take_fingerprint(**{**STAGING, **override})  # type: ignore[arg-type]
    assert not fingerprint.is_staging
    with pytest.raises(GuardRefusal, match=reason) as refusal:
        require_staging(fingerprint, "toggling feature flag customer_portal")
    assert str(refusal.value).startswith(REFUSAL_PREFIX)
