"""P5.1 ids are strings: integers, UUIDs, ULIDs, Filament wire:keys — harvested whole, and a
missing id made in the same shape."""

import re

import pytest

from staging_gate.probes import security

UUID_A = "9b2f4c1e-3a5d-4e6f-8a7b-1c2d3e4f5a6b"
UUID_B = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
ULID_A = "01HZX3J5N8Q9R2S4T6V8W0Y2Z4"
UUID4 = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


def test_html_ids_keep_uuids_whole():
    html = f'<tr data-call-id="{UUID_A}"></tr><tr data-call-id={UUID_B}></tr>'
    assert security.html_ids(html, "data-call-id") == [UUID_A, UUID_B]


def test_html_ids_read_filament_wire_keys_with_a_pattern():
    html = (
        f'<tr class="fi-ta-row" wire:key="Xq1.table.records.{UUID_A}">'
        f'<td wire:key="Xq1.table.record.{UUID_A}.column.call_status"></td></tr>'
        '<tr class="fi-ta-row" wire:key="Xq1.table.records.38264"></tr>'
    )
    pattern = r"\.table\.records\.(.+)$"
    assert security.html_ids(html, "wire:key", pattern) == [UUID_A, "38264"]


def test_html_ids_do_not_match_a_longer_attribute_name():
    html = '<tr data-call-id-old="5" data-call-id="7"></tr>'
    assert security.html_ids(html, "data-call-id") == ["7"]


def test_html_ids_unescape_entities():
    assert security.html_ids('<a data-id="a&amp;b">', "data-id") == ["a&b"]


def test_api_ids_keep_uuid_strings():
    payload = {"data": [{"id": UUID_A, "company_id": UUID_B}, {"id": ""}, {"id": None}]}
    assert security.api_ids(payload) == [UUID_A]
    assert security.api_ids(payload, "company_id") == [UUID_B]
    assert security.api_ids(payload, "") == []


@pytest.mark.parametrize(
    ("ids", "shape"),
    [
        (["12", "9"], r"^2147483000$"),
        (["3000000000"], r"^30000000009$"),
        ([UUID_A, UUID_B], UUID4),
        ([UUID_A.upper()], UUID4.replace("a-f", "A-F").replace("89ab", "89AB")),
        ([ULID_A], r"^7ZZZZZZZZZ[0-9A-HJKMNP-TV-Z]{16}$"),
        (["call-abc"], r"^stagingGateNoSuchRecord$"),
    ],
)
def test_missing_id_has_the_shape_of_the_harvest(ids, shape):
    made = security.missing_id(ids)
    assert re.match(shape, made), made
    assert made not in ids


def test_missing_id_from_the_profile_wins():
    assert security.missing_id([UUID_A], "00000000-0000-4000-8000-000000000000") == (
        "00000000-0000-4000-8000-000000000000"
    )
