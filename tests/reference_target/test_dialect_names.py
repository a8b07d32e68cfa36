"""The filament dialect's name mapping (pure, no deployment needed)."""

from __future__ import annotations

import pytest

from reference_target.dialect import DIALECTS, FILAMENT_NAMES, Names, get


def test_one_pass_never_chains_renames() -> None:
    # call_id -> retell_call_id and call_session_id -> call_id must not become retell_call_id
    sql = "SELECT c.call_id, e.call_session_id FROM retell_call_events e"
    assert FILAMENT_NAMES.sql(sql) == \
        "SELECT c.retell_call_id, e.call_id FROM call_transcript_segments e"


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT staff_name FROM staff s", "SELECT staff_name FROM staff_members s"),
    ("WHERE a.starts_at >= %s", "WHERE a.scheduled_at >= %s"),
    ("ORDER BY sequence", "ORDER BY position"),
    ("SELECT textual, text FROM t", "SELECT textual, body FROM t"),
])
def test_only_whole_identifiers_are_renamed(sql: str, expected: str) -> None:
    assert FILAMENT_NAMES.sql(sql) == expected


def test_result_columns_map_back_but_aliases_named_like_tables_stay() -> None:
    row = {"retell_call_id": "x", "call_id": "uuid", "from_number": "+49", "calls": 3}
    assert FILAMENT_NAMES.row(row) == {"call_id": "x", "call_session_id": "uuid",
                                       "caller_number": "+49", "calls": 3}


def test_reference_dialect_changes_nothing() -> None:
    names = Names()
    assert names.sql("SELECT call_id FROM retell_call_sessions") == \
        "SELECT call_id FROM retell_call_sessions"
    assert DIALECTS["reference"].call_key(7, 1) == 7


def test_filament_call_keys_are_stable_version_4_uuids() -> None:
    first = get("filament").call_key(7, 1)
    assert first == get("filament").call_key(7, 1) != get("filament").call_key(8, 1)
    assert isinstance(first, str) and first[14] == "4" and len(first) == 36


def test_unknown_dialect_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: reference, filament"):
        get("symfony")
