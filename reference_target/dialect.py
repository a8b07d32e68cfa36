"""Dialects: two deployments of the same product, built differently on purpose.

``reference`` is the deployment the README describes. ``filament`` stands in for the
customer's real portal, a Filament 3 panel (askproai-api: ``CustomerPanelProvider``,
``CallHistoryResource``): Filament markup with Livewire-style tables, UUID call ids, other
table and column names, no ``X-Query-Count`` header, an app database user that may not
create databases (a separate scratch user may), and every feature flag off at start - the
production default. A gate that passes on both reads its profile, not our habits.

The dialect is chosen at ``up --dialect NAME`` and kept in ``DIR/runtime.json``; every
command and the app read it from there.

The app and the tools write their SQL with the reference names; :class:`Names` rewrites
identifiers to the dialect's physical names on the way to MariaDB (one pass, word
boundaries, so ``call_id`` -> ``retell_call_id`` and ``call_session_id`` -> ``call_id`` never
chain) and maps result columns back, the way an ORM maps a model to its table.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REFERENCE = "reference"
FILAMENT = "filament"
NAMES = (REFERENCE, FILAMENT)


class Names:
    """Reference identifier -> this dialect's identifier (tables, columns, indexes).

    Every physical column name is unique in the schema, so result columns map back
    unambiguously; table names never do (``COUNT(*) AS calls`` stays ``calls``).
    """

    def __init__(self, renames: Mapping[str, str] | None = None,
                 tables: frozenset[str] = frozenset()) -> None:
        self.renames: dict[str, str] = dict(renames or {})
        self._inverse = {physical: logical for logical, physical in self.renames.items()
                         if logical not in tables}
        self._pattern = re.compile(r"\b(" + "|".join(map(re.escape, self.renames)) + r")\b") \
            if self.renames else None

    def sql(self, statement: str) -> str:
        """The statement with every reference identifier replaced by the physical one."""
        if self._pattern is None:
            return statement
        return self._pattern.sub(lambda match: self.renames[match.group(1)], statement)

    def name(self, identifier: str) -> str:
        """One identifier (a table, a column, an index)."""
        return self.renames.get(identifier, identifier)

    def row(self, row: dict[str, Any]) -> dict[str, Any]:
        """A result row with physical column names turned back into reference names."""
        if not self._inverse:
            return row
        return {self._inverse.get(key, key): value for key, value in row.items()}


@dataclass(frozen=True)
class Dialect:
    name: str
    names: Names
    templates: str | None          # a template folder that overrides the reference set
    uuid_call_ids: bool            # calls keyed by UUID (CHAR(36)), not BIGINT
    query_count_header: bool       # X-Query-Count on every app response
    app_user_creates_scratch: bool  # the app user may create staging_gate_scratch_% DBs
    flags_on_at_start: bool        # portal flags true in the first .env.staging
    session_cookie: str
    app_name: str
    # list query parameters: reference name -> this dialect's (Filament's table query string)
    params: Mapping[str, str] = field(default_factory=dict)

    def param(self, name: str) -> str:
        return self.params.get(name, name)

    def call_key(self, number: int, seed: int) -> int | str:
        """The primary key of the ``number``-th seeded call (deterministic per seed)."""
        if not self.uuid_call_ids:
            return number
        return str(uuid.UUID(int=random.Random(f"{seed}:{number}").getrandbits(128), version=4))


FILAMENT_NAMES = Names({
    # tables
    "retell_call_sessions": "calls",
    "retell_call_events": "call_transcript_segments",
    "staff": "staff_members",
    # columns (calls)
    "call_id": "retell_call_id",
    "caller_number": "from_number",
    "duration_seconds": "duration_sec",
    # columns (transcript segments)
    "call_session_id": "call_id",
    "sequence": "position",
    "speaker": "speaker_role",
    "text": "body",
    "occurred_at": "spoken_at",
    # columns (appointments)
    "starts_at": "scheduled_at",
    "ends_at": "scheduled_until",
    # indexes of the latest migration (Laravel's default index names)
    "idx_calls_company_created": "calls_company_id_created_at_index",
    "idx_appointments_company_starts": "appointments_company_id_scheduled_at_index",
    "customers_company_id_index": "customers_company_id_foreign",
}, tables=frozenset({"retell_call_sessions", "retell_call_events", "staff"}))

DIALECTS: dict[str, Dialect] = {
    REFERENCE: Dialect(
        name=REFERENCE, names=Names(), templates=None, uuid_call_ids=False,
        query_count_header=True, app_user_creates_scratch=True, flags_on_at_start=True,
        session_cookie="askpro_ai_gateway_session", app_name="AskPro AI Gateway"),
    FILAMENT: Dialect(
        name=FILAMENT, names=FILAMENT_NAMES, templates="filament", uuid_call_ids=True,
        query_count_header=False, app_user_creates_scratch=False, flags_on_at_start=False,
        session_cookie="askproai_kundenportal_session", app_name="AskProAI Kundenportal",
        params={"search": "tableSearch", "status": "tableFilters[status][value]",
                "from": "tableFilters[zeitraum][von]", "to": "tableFilters[zeitraum][bis]"}),
}


def get(name: str | None) -> Dialect:
    """The dialect called ``name`` (None = reference); KeyError names the known ones."""
    try:
        return DIALECTS[name or REFERENCE]
    except KeyError:
        raise KeyError(f"unknown dialect {name!r} (known: {', '.join(NAMES)})") from None
