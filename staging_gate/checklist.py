"""The customer's staging checklist (seed Part 4.1) as data: IDs, phases, titles.

Every check in `suites/` is named ``test_P<phase>_<item>_<what>`` so its ID can be read
from the name; the plugin turns the ID into Allure labels that read as this checklist.

A second, shorter checklist is the production verification right after the production deploy
(seed Part 8.2 step 5, Part 8.4): ids ``PV.1``…, checks named ``test_PV_<item>_<what>``, phase
``production``. Only `staging-gate verify-production` runs it; `staging-gate run` never does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

Severity = Literal["blocker", "critical", "normal", "minor", "trivial"]

#: The phases, in checklist order (P1 … P7) — their one home: `profile.PHASES` and
#: `profile.PhaseName` are these, and `suites/<phase>/` folders are named so
#: (tests/unit/test_checklist.py holds the folders to it).
PhaseName = Literal["infra", "database", "boot", "portal", "security", "performance", "backup"]
PHASES: tuple[str, ...] = get_args(PhaseName)
PHASE_BY_NUMBER: dict[int, str] = dict(enumerate(PHASES, start=1))

PHASE_TITLES: dict[str, str] = {
    "infra": "Phase 1: Infrastructure Validation",
    "database": "Phase 2: Database Validation",
    "boot": "Phase 3: Application Startup",
    "portal": "Phase 4: Customer Portal Features",
    "security": "Phase 5: Security & Isolation",
    "performance": "Phase 6: Performance Baseline",
    "backup": "Phase 7: Database Safety",
}

PRODUCTION_PHASE = "production"
PRODUCTION_TITLE = "Production verification (Part 8.2 step 5)"
_PRODUCTION_PREFIX = "PV."


def phase_title(phase: str) -> str:
    """The report title of a phase (staging phases and ``production``); the name if unknown."""
    if phase == PRODUCTION_PHASE:
        return PRODUCTION_TITLE
    return PHASE_TITLES.get(phase, phase)


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    title: str
    severity: Severity = "critical"

    @property
    def phase(self) -> str:
        if self.id.startswith(_PRODUCTION_PREFIX):
            return PRODUCTION_PHASE
        return PHASE_BY_NUMBER[int(self.id[1:].split(".")[0])]

    @property
    def story(self) -> str:
        return f"{self.id} {self.title}"


ITEMS: tuple[ChecklistItem, ...] = (
    ChecklistItem("P1.1", "Staging domain resolves"),
    ChecklistItem("P1.2", "SSL certificate valid", "blocker"),
    ChecklistItem("P1.3", "nginx vhost loads"),
    ChecklistItem("P1.4", "Application server processes requests", "blocker"),
    ChecklistItem("P1.5", "Database connection successful", "blocker"),
    ChecklistItem("P1.6", "Redis cache working"),
    ChecklistItem("P1.7", "Baseline health check"),
    ChecklistItem("P2.1", "Staging database created", "blocker"),
    ChecklistItem("P2.2", "Migrations run successfully", "blocker"),
    ChecklistItem("P2.3", "Tables created"),
    ChecklistItem("P2.4", "Row-level security (tenant column) enforced", "blocker"),
    ChecklistItem("P2.5", "Test data loaded", "normal"),
    ChecklistItem("P2.6", "Multi-tenant isolation verified", "blocker"),
    ChecklistItem("P3.1", "Application boots"),
    ChecklistItem("P3.2", "Portal routes registered"),
    ChecklistItem("P3.3", "Admin panel accessible"),
    ChecklistItem("P3.4", "Portal feature flag disabled: /portal is 404", "blocker"),
    ChecklistItem("P3.5", "Feature flag can be enabled"),
    ChecklistItem("P3.6", "Customer portal accessible"),
    ChecklistItem("P4.1", "Call history page"),
    ChecklistItem("P4.2", "Appointments page"),
    ChecklistItem("P4.3", "Dashboard"),
    ChecklistItem("P5.1", "User cannot access other tenant's data", "blocker"),
    ChecklistItem("P5.2", "SQL injection prevention verified", "blocker"),
    ChecklistItem("P5.3", "CSRF protection enabled", "blocker"),
    ChecklistItem("P5.4", "XSS protection headers present", "blocker"),
    ChecklistItem("P5.5", "Authentication required for all /portal/* routes", "blocker"),
    ChecklistItem("P5.6", "Feature flag blocks access when disabled", "blocker"),
    ChecklistItem("P6.1", "Homepage load time < 2s", "normal"),
    ChecklistItem("P6.2", "Admin dashboard load < 3s", "normal"),
    ChecklistItem("P6.3", "Portal dashboard load < 3s", "normal"),
    ChecklistItem("P6.4", "API endpoints respond < 500ms", "normal"),
    ChecklistItem("P6.5", "No N+1 query issues", "normal"),
    ChecklistItem("P6.6", "Cache hit ratio > 60%", "normal"),
    ChecklistItem("P7.1", "Backup/restore procedure tested"),
    ChecklistItem("P7.2", "Migration rollback tested"),
    ChecklistItem("P7.3", "Data sanitization verified"),
    ChecklistItem("P7.4", "No production data exposed in logs", "blocker"),
)

#: Production verification (seed Part 8.2 step 5 "Verify Deployment", Part 8.4 "Verify"):
#: read-only, anonymous, no database or cache connection.
PRODUCTION_ITEMS: tuple[ChecklistItem, ...] = (
    ChecklistItem("PV.1", "HTTPS valid and HTTP redirects to it", "blocker"),
    ChecklistItem("PV.2", "Health check: production, database and cache connected", "blocker"),
    ChecklistItem("PV.3", "No staging marker on production"),
    ChecklistItem("PV.4", "Security headers and session cookie flags", "blocker"),
    ChecklistItem("PV.5", "Portal should return 404 (feature disabled)", "blocker"),
    ChecklistItem("PV.6", "No exposed files, no debug pages", "blocker"),
)

BY_ID: dict[str, ChecklistItem] = {item.id: item for item in ITEMS}
PRODUCTION_BY_ID: dict[str, ChecklistItem] = {item.id: item for item in PRODUCTION_ITEMS}

_TEST_NAME = re.compile(r"^test_P(?P<phase>\d)_(?P<item>\d+)_")
_PRODUCTION_TEST_NAME = re.compile(r"^test_PV_(?P<item>\d+)_")


def item_for_test_name(name: str) -> ChecklistItem | None:
    """The checklist item a test belongs to, read from ``test_P1_2_...`` or ``test_PV_1_...``;
    None if unnamed."""
    match = _TEST_NAME.match(name)
    if match is None:
        production = _PRODUCTION_TEST_NAME.match(name)
        return PRODUCTION_BY_ID.get(f"PV.{production['item']}") if production else None
    return BY_ID.get(f"P{match['phase']}.{match['item']}")
