"""The production guard: state-changing and load checks run only on a confirmed staging target.

The fingerprint is taken from the outside (URL host, `/health`, database name) once per
run. Any doubt refuses: a guard that cannot confirm staging treats the target as production.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from staging_gate.errors import GuardRefusal

REFUSAL_PREFIX = "Refused by production guard:"


@dataclass(frozen=True)
class Fingerprint:
    host: str
    production_host: str
    health: Mapping[str, object] | None
    health_error: str | None
    database_name: str | None
    production_database_name: str
    expected_environment: str
    reasons: tuple[str, ...] = field(default=())

    @property
    def is_staging(self) -> bool:
        return not self.reasons

    @property
    def environment(self) -> str | None:
        if self.health is None:
            return None
        value = self.health.get("environment")
        return value if isinstance(value, str) else None


def take_fingerprint(
    *,
    host: str,
    production_host: str,
    health: Mapping[str, object] | None,
    health_error: str | None,
    database_name: str | None,
    production_database_name: str,
    expected_environment: str,
    read_only: bool = False,
) -> Fingerprint:
    """Judge whether the target is staging; every reason against it is kept for the report."""
    reasons: list[str] = ["the run is --read-only"] if read_only else []
    if host.lower() == production_host.lower():
        reasons.append(f"target host {host} is the production host")
    if health is None:
        reasons.append(f"health endpoint unreadable ({health_error or 'no answer'})")
    elif health.get("environment") != expected_environment:
        reasons.append(
            f"health says environment={health.get('environment')!r}, "
            f"expected {expected_environment!r}"
        )
    if database_name is None:
        reasons.append("database name unknown")
    elif database_name == production_database_name:
        reasons.append(f"database {database_name} is the production database")
    return Fingerprint(
        host=host,
        production_host=production_host,
        health=health,
        health_error=health_error,
        database_name=database_name,
        production_database_name=production_database_name,
        expected_environment=expected_environment,
        reasons=tuple(reasons),
    )


def require_staging(fingerprint: Fingerprint, action: str) -> None:
    """Raise GuardRefusal unless the fingerprint confirms a staging target."""
    if not fingerprint.is_staging:
        raise GuardRefusal(f"{REFUSAL_PREFIX} {action} needs a confirmed staging target; "
                           + "; ".join(fingerprint.reasons))
