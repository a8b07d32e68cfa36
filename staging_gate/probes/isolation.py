"""P5.1 through every declared parameter: a list can be scoped to the tenant while a search
or filter over it is not (the search query built apart from the list's, the tenant condition
forgotten in one branch). So each record type's search and filter parameters are replayed as
the other tenant, on the API list and the HTML page, with a value that matches records of
every tenant (``security.records[].probe_values``: a term all tenants' data contains, a
status, a wide date), and every row that comes back is judged by its own tenant field
(``company_field`` in the API, ``company_attribute`` in the page). A page that shows no tenant
per row (a Filament table: only the record key in ``wire:key``) has its rows judged by their
owner in the database instead: the row ids (``id_attribute`` / ``id_pattern``) the profile's
ownership SQL (``[portal.<name>.sql].owned``) does not return for the replaying tenant's
company are another tenant's.

Ids and tenant values are compared as strings (integers, UUIDs, ULIDs alike).
A replay that lists no row at all proves nothing (the value matched none of the tenant's
own records either): it is reported as could-not-verify naming the profile key, never as
a pass. Source of the idea: OWASP WSTG-ATHZ-02 (bypassing authorization schema) and
WSTG-ATHZ-04 (IDOR) — every way to reach the data must be scoped, not only the plain list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from staging_gate.errors import CouldNotVerify
from staging_gate.probes import portal
from staging_gate.probes.security import api_rows, html_ids
from staging_gate.profile import Profile, RecordResource

Surface = Literal["api", "page"]


@dataclass(frozen=True)
class ParamReplay:
    """One request of the replay: `param`=`value` on the `surface` list of `resource`."""

    resource: str
    surface: Surface
    path: str
    param: str
    value: str

    @property
    def label(self) -> str:
        return f"GET {self.path}?{self.param}={self.value}"

    @property
    def params(self) -> dict[str, str]:
        return {self.param: self.value}


def param_replays(resource: RecordResource) -> tuple[list[ParamReplay], list[str]]:
    """Every (parameter, surface) of `resource` with its probe value, and the parameters that
    have no probe value in the profile (those cannot be replayed)."""
    replays: list[ParamReplay] = []
    missing: list[str] = []
    for param in dict.fromkeys((*resource.search_params, *resource.filter_params)):
        value = resource.probe_values.get(param)
        if not value:
            missing.append(param)
            continue
        replays += [ParamReplay(resource.name, "api", resource.api_list, param, value),
                    ParamReplay(resource.name, "page", resource.page_list, param, value)]
    return replays, missing


def attribute_values(html: str, attribute: str) -> list[str]:
    """Values of every ``attribute="…"`` (or single-quoted) in `html`, in page order (none
    for an empty `attribute`)."""
    if not attribute:
        return []
    pattern = re.compile(rf"""\b{re.escape(attribute)}\s*=\s*(?:"([^"]*)"|'([^']*)')""")
    return [(m.group(1) if m.group(1) is not None else m.group(2)).strip()
            for m in pattern.finditer(html)]


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value).strip() or None


def api_row_tenants(payload: Any, company_field: str) -> list[str | None]:
    """The tenant of each row of an API list (None where a row has no such field)."""
    return [_text(row.get(company_field)) for row in api_rows(payload)]


@dataclass(frozen=True)
class ListedRows:
    """What one list answer showed: how many rows, and the tenant of each that says one."""

    rows: int
    tenants: tuple[str, ...]
    #: The row ids (page rows: group 1 of `id_pattern`), for judging rows by their owner.
    ids: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, payload: Any, company_field: str) -> ListedRows:
        tenants = api_row_tenants(payload, company_field)
        return cls(len(tenants), tuple(t for t in tenants if t is not None))

    @classmethod
    def from_page(cls, html: str, id_attribute: str, company_attribute: str,
                  id_pattern: str = "") -> ListedRows:
        ids = tuple(html_ids(html, id_attribute, id_pattern))
        return cls(len(ids), tuple(attribute_values(html, company_attribute)), ids)

    def judged_by_owner(self, owned: Iterable[object], company: str) -> ListedRows:
        """These rows with a tenant per row from ownership: `company` for the ids in `owned`
        (what the profile's ownership SQL returned for that company), ``not company …`` for
        the others. Ids compare as strings."""
        mine = {str(i) for i in owned}
        return ListedRows(self.rows, tuple(company if i in mine else f"not company {company}"
                                           for i in self.ids), self.ids)


def own_tenants(plain_lists: Iterable[ListedRows]) -> set[str]:
    """The replaying tenant's own tenant values: what its plain (unsearched) lists show."""
    return {tenant for listed in plain_lists for tenant in listed.tenants}


def foreign_tenants(listed: ListedRows, own: set[str]) -> dict[str, int]:
    """Rows per tenant value that is not the replaying tenant's own."""
    counts: dict[str, int] = {}
    for tenant in listed.tenants:
        if tenant not in own:
            counts[tenant] = counts.get(tenant, 0) + 1
    return counts


def replay_problem(replay: ParamReplay, status: int, listed: ListedRows | None, own: set[str],
                   who: str) -> str | None:
    """The application finding of one replay, or None: it must answer 200 and list only rows
    of `who`'s own tenant."""
    if status != 200 or listed is None:
        return f"{who}'s {replay.label} answered {status}, expected 200 (the filtered list)"
    foreign = foreign_tenants(listed, own)
    if not foreign:
        return None
    shown = ", ".join(f"{tenant} ({rows} row{'s' if rows > 1 else ''})"
                      for tenant, rows in sorted(foreign.items()))
    return (f"{who}'s {replay.label} listed rows of other tenants — {shown}; its own is "
            f"{', '.join(sorted(own))}: the {replay.param} parameter is not scoped to the tenant")


def unproven_what(resource: str, empty: Sequence[ParamReplay], missing: Sequence[str],
                  who: str) -> str:
    """Why part of the replay proves nothing (for CouldNotVerify)."""
    parts = [f"{who}'s {r.label} listed no rows (the value matches none of its records)"
             for r in empty]
    if missing:
        parts.append(f"no probe value for {', '.join(missing)}")
    return f"tenant isolation of {resource} through its parameters: " + "; ".join(parts)


def unproven_fix(resource: str, params: Iterable[str]) -> str:
    names = ", ".join(dict.fromkeys(params))
    return (f"set security.records (name = {resource!r}) probe_values for {names}: a value "
            "that matches records of every tenant (a term all their data contains, a status, "
            "a wide date)")


Judge = Callable[["ListedRows"], "ListedRows"]


def owner_judge(profile: Profile, record: RecordResource, who: str,
                db: Callable[[], Any]) -> Judge | None:
    """For a page that shows no tenant per row (``company_attribute = ""``): a judge that marks
    each row by its owner in the database — the profile's ``[portal.<record>.sql].owned`` for
    `who`'s company (``[portal].company_sql``), run read-only over ``db()`` (a pymysql
    connection factory). None when the page shows tenants itself.

    Raises: CouldNotVerify when the SQL is missing or the tenant has no company.
    """
    if record.company_attribute:
        return None
    key = f"[portal.{record.name}.sql].owned"
    pages = getattr(profile.portal, record.name, None)
    sql = getattr(getattr(pages, "sql", None), "owned", "")
    if not sql:
        raise CouldNotVerify(
            f"the {record.name} page shows no tenant per row and {key} is not set",
            f"set company_attribute of security.records ({record.name!r}), or {key}")
    oracle = portal.Oracle(portal.read_only_runner(db()))
    tenant = next(t for t in profile.tenants if t.key == who)
    company = portal.company_of(oracle, profile.portal.company_sql,
                                profile.secret(tenant.email_env))
    if company is None:
        raise CouldNotVerify(f"tenant {who} has no company",
                             "make [portal].company_sql return the tenant's company id")
    oracle.company = company

    def judge(rows: ListedRows) -> ListedRows:
        return rows.judged_by_owner(oracle.owned(key, sql, rows.ids), str(company))
    return judge
