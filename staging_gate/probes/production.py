"""Production verification (seed Part 8.2 step 5, Part 8.4): pure judgements over what
production answered to anonymous, read-only requests.

The flag-off rule of the seed ("Portal should return 404") is read strictly: a disabled
feature must be indistinguishable from a route that does not exist — same status, same media
type, same body (per-session tokens masked), no cookie the missing page does not set. A 404
with its own body ("Portal coming soon") still tells the world the portal is there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from staging_gate.probes.http_checks import Observation, observe
from staging_gate.probes.security import DEBUG_PATTERNS, first_match, normalized_body
from staging_gate.profile import ProductionSection, RoutesSection


@dataclass(frozen=True)
class PageAnswer:
    """One anonymous answer, reduced to what tells a disabled route from a missing one."""

    seen: Observation
    media_type: str
    body: str
    cookies: frozenset[str]

    def describe(self) -> str:
        return self.seen.describe()


def page_answer(response: httpx.Response) -> PageAnswer:
    """`response` -> its status, media type (no parameters), masked body and cookie names."""
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    cookies = frozenset(
        line.split("=", 1)[0].strip() for line in response.headers.get_list("set-cookie")
    )
    return PageAnswer(observe(response), media_type, normalized_body(response.text), cookies)


def missing_page_difference(got: PageAnswer, missing: PageAnswer) -> str | None:
    """How `got` (a flag-off portal path) differs from `missing` (a path no route has), or
    None when a visitor cannot tell them apart. Status, media type, body and cookie names are
    compared, in that order; the first difference is named."""
    if got.seen.status != missing.seen.status:
        return f"{got.describe()}, a missing page answers {missing.seen.status}"
    if got.media_type != missing.media_type:
        return (f"{got.describe()} as {got.media_type or 'no content type'}, a missing page "
                f"as {missing.media_type or 'no content type'}")
    if got.body != missing.body:
        return (f"{got.describe()} with its own body ({len(got.body)} characters), not the "
                f"missing page's ({len(missing.body)} characters): the portal shows through")
    extra = sorted(got.cookies - missing.cookies)
    if extra:
        return f"{got.describe()} and sets cookie(s) {', '.join(extra)} a missing page does not"
    return None


def staging_marker_problem(headers: Mapping[str, str], name: str) -> str | None:
    """Production must not carry the staging marker header (seed Part 3.1 sets it on staging
    only): a problem naming the header and its value, or None."""
    value = headers.get(name)
    if value is None:
        return None
    return f"staging marker header {name}: {value} is sent (a staging config on production?)"


def debug_endpoint_problem(seen: Observation, body: str) -> str | None:
    """Debug tooling (Ignition, Debugbar, Telescope, phpinfo) answers 403/404 without any
    debug output on production (OWASP WSTG-CONF-05, WSTG-ERRH-01); else the problem."""
    trace = first_match(body, DEBUG_PATTERNS)
    if trace:
        return f"{seen.describe()} with debug output ({trace!r})"
    if seen.status not in (403, 404):
        return f"{seen.describe()}, expected 403 or 404: debug tooling reachable on production"
    return None


def refused_problems(client: httpx.Client, who: str, routes: RoutesSection,
                     where: ProductionSection) -> list[str]:
    """Every portal page and API path as `who` (a label) sees it through `client`, compared
    with what a missing page (`where.missing_page`) or API path (`where.missing_api_path`)
    answers; one `"<who>: <difference>"` per path that answers differently."""
    missing = {False: page_answer(client.get(where.missing_page)),
               True: page_answer(client.get(where.missing_api_path))}
    paths = [(p, False) for p in routes.portal_paths] + [(p, True) for p in routes.portal_api_paths]
    problems = []
    for path, is_api in paths:
        difference = missing_page_difference(page_answer(client.get(path)), missing[is_api])
        problems += [f"{who}: {difference}"] if difference else []
    return problems


def pilot_problems(client: httpx.Client, who: str, routes: RoutesSection) -> list[str]:
    """The pilot user gets the portal: its dashboard (`routes.portal`) and every API path
    answer 200; one `"<who>: <status line>, expected the portal"` per path that does not."""
    seen = [observe(client.get(routes.portal))]
    seen += [observe(client.get(path)) for path in routes.portal_api_paths]
    return [f"{who}: {o.describe()}, expected the portal" for o in seen
            if o.status != 200]
