"""Pilot rollout (seed Part 6.1 Phase 2, Part 8.3): with the portal flag on and
FEATURE_CUSTOMER_PORTAL_TEST_COMPANIES a non-empty comma-separated list of company ids, only
users of those companies get the portal; everyone else - other companies' users, anonymous
visitors - gets exactly the flag-off answer. Empty list = every company. The login and logout
forms stay open (no one could log in otherwise).

Defects: ``pilot_list_ignored`` (every company gets the portal) and ``pilot_list_cached``
(the list the app acted on before the defect came on is kept: a change never applies).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reference_target.app import sessions

if TYPE_CHECKING:
    from reference_target.app.context import Ctx

SETTING = "FEATURE_CUSTOMER_PORTAL_TEST_COMPANIES"
_ACTED_ON: dict[int, str] = {}  # per app: the list as last read while it was re-read


def pilot_list(ctx: Ctx) -> frozenset[str]:
    """The company ids of the pilot list as the app applies it (empty = every company)."""
    live = ctx.app.env.get(SETTING)
    if ctx.on("pilot_list_cached"):
        live = _ACTED_ON.setdefault(id(ctx.app), live)
    else:
        _ACTED_ON[id(ctx.app)] = live
    return frozenset(part.strip() for part in live.split(",") if part.strip())


def _company_of_session(ctx: Ctx) -> str | None:
    # Read without attaching the session to the request: a refused request must not set the
    # cookies a missing page does not set.
    session = sessions.load(ctx.db, ctx.request.cookies.get(ctx.app.dialect.session_cookie))
    if session is None or session.user_id is None:
        return None
    row = ctx.db.first("SELECT company_id FROM users WHERE id = %s", (session.user_id,))
    company = row["company_id"] if row else None
    return str(company) if company is not None else None


def admits(ctx: Ctx, needs_login: bool) -> bool:
    """Whether this request may see the (flag-on) portal under the pilot list."""
    pilots = pilot_list(ctx)
    if not pilots or not needs_login or ctx.on("pilot_list_ignored"):
        return True
    return _company_of_session(ctx) in pilots
