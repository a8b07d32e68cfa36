"""Record ids and rows read back from a target's responses (P5.1, P5.2, P5.6).

What the security checks replay: the ids a tenant's lists show (`harvest_ids`), the portal
surface including every harvested detail page (`portal_surface`), how many rows a list
answer holds (`row_count`, `listed_rows`), and one injection request judged
(`injection_probe`). Every name, attribute and path comes from the profile's
`security.records` (`RecordResource`), never from code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx

from staging_gate.probes import isolation, security
from staging_gate.probes.http_checks import observe
from staging_gate.profile import RecordResource, RoutesSection


@dataclass(frozen=True)
class Harvest:
    """Ids (strings) of one record resource read as their owner, the owners' company ids from
    the API list, and an id of their shape that no record has."""

    resource: RecordResource
    ids: list[str]
    companies: list[str]
    missing_id: str

    def detail_paths(self) -> list[tuple[str, bool]]:
        """(path, is_api) for every harvested id, API and HTML detail page."""
        paths = []
        for record_id in self.ids:
            paths.append((self.resource.api_detail.format(id=record_id), True))
            paths.append((self.resource.page_detail.format(id=record_id), False))
        return paths

    def replay_paths(self) -> list[tuple[str, bool]]:
        """(path, is_api) for everything the owner read: both lists and every detail."""
        lists = [(self.resource.api_list, True), (self.resource.page_list, False)]
        return lists + self.detail_paths()

    def evidence(self) -> dict[str, object]:
        return {"resource": self.resource.name, "ids": self.ids, "companies": self.companies,
                "missing_id": self.missing_id}


class HarvestFailed(Exception):
    """No ids to replay. `responses` are the two list answers (for the evidence); `fix` is
    set when both lists answered 200 without ids ("could not verify": the profile's id
    attribute or pattern is wrong), None when a list did not answer 200 (a failure)."""

    def __init__(self, message: str, responses: list[httpx.Response], fix: str | None) -> None:
        super().__init__(message)
        self.responses = responses
        self.fix = fix


def harvest_ids(client: httpx.Client, resource: RecordResource, limit: int,
                missing: str = "") -> Harvest:
    """Ids (strings: integers, UUIDs, ULIDs) from GET `resource.api_list` (JSON, field `id`)
    and GET `resource.page_list` (HTML attribute `id_attribute`), at most `limit` of them;
    an id of their shape that no record has (`missing` when the profile sets one).

    Raises HarvestFailed when there are no ids (see there for the two kinds).
    """
    api = client.get(resource.api_list)
    page = client.get(resource.page_list)
    payload = api.json() if api.status_code == 200 else None
    ids = security.api_ids(payload) + security.html_ids(
        page.text, resource.id_attribute, resource.id_pattern
    )
    companies = sorted(set(security.api_ids(payload, resource.company_field)))
    if api.status_code == 200 and page.status_code == 200 and not ids:
        raise HarvestFailed(
            f"no {resource.name} ids found in GET {resource.api_list} (field id) or GET "
            f"{resource.page_list} (attribute {resource.id_attribute!r})",
            [api, page],
            f"correct [security] records {resource.name}: id_attribute / id_pattern, or give "
            "the owning tenant records",
        )
    if api.status_code != 200 or page.status_code != 200 or not ids:
        raise HarvestFailed(
            f"no {resource.name} ids to replay: GET {resource.api_list} answered "
            f"{api.status_code}, GET {resource.page_list} answered {page.status_code} "
            f"({len(ids)} ids found)",
            [api, page],
            None,
        )
    kept = security.bounded_ids(ids, limit)
    return Harvest(resource, kept, companies, security.missing_id(kept, missing))


def portal_surface(routes: RoutesSection, harvests: Iterable[Harvest]) -> list[str]:
    """Every portal path: the profile's portal pages, API paths and login form, then each
    harvested resource's lists and detail pages; in that order, without repeats."""
    paths = [*routes.portal_paths, *routes.portal_api_paths, routes.portal_login]
    for found in harvests:
        paths += [found.resource.page_list, found.resource.api_list]
        paths += [path for path, _ in found.detail_paths()]
    return list(dict.fromkeys(paths))


def missing_responses(client: httpx.Client, harvest: Harvest) -> dict[bool, httpx.Response]:
    """What `client` gets for the harvest's missing id, keyed by is_api (True: API detail,
    False: HTML detail page)."""
    return {
        is_api: client.get(template.format(id=harvest.missing_id))
        for is_api, template in ((True, harvest.resource.api_detail),
                                 (False, harvest.resource.page_detail))
    }


def row_count(response: httpx.Response, is_api: bool, id_attribute: str,
              id_pattern: str = "") -> int | None:
    """Rows in a list answer: JSON rows (API) or elements carrying `id_attribute` whose value
    matches `id_pattern` (HTML, e.g. Filament's ``wire:key``); None when it did not answer 200."""
    if response.status_code != 200:
        return None
    if is_api:
        return len(security.api_rows(response.json()))
    return len(security.html_ids(response.text, id_attribute, id_pattern))


def listed_rows(response: httpx.Response, record: RecordResource,
                surface: isolation.Surface, by_owner: isolation.Judge | None = None,
                ) -> isolation.ListedRows | None:
    """The rows and their tenants in a list answer ("page": HTML attributes, "api": JSON
    field `company_field`); a page that shows no tenant per row is judged by `by_owner`
    (`isolation.owner_judge`). None when it did not answer 200 or the API body is not JSON."""
    if response.status_code != 200:
        return None
    if surface == "page":
        rows = isolation.ListedRows.from_page(response.text, record.id_attribute,
                                              record.company_attribute, record.id_pattern)
        return by_owner(rows) if by_owner is not None else rows
    try:
        return isolation.ListedRows.from_api(response.json(), record.company_field)
    except ValueError:
        return None


@dataclass(frozen=True)
class InjectionResult:
    """One injection request: the problem (None when clean), a `"<status> <path?query>"`
    line for the evidence, and the response."""

    problem: str | None
    line: str
    response: httpx.Response


def injection_probe(client: httpx.Client, path: str, params: Mapping[str, str], is_api: bool,
                    resource: RecordResource, literal: bool) -> InjectionResult:
    """GET `path` with `params` and judge it (`security.injection_problem`); with `literal`,
    a search parameter, the answer's row count must show the payload was searched literally."""
    response = client.get(path, params=params)
    rows = row_count(response, is_api, resource.id_attribute, resource.id_pattern) \
        if literal else None
    problem = security.injection_problem(observe(response), response.text, rows)
    return InjectionResult(problem,
                           f"{response.status_code} {response.request.url.raw_path.decode()}",
                           response)
