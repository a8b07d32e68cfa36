"""P7.4 logic: reading the log's tail, scanning for PII, the canary."""

import sys
from pathlib import Path

import pytest

from staging_gate.commands import CommandFailed
from staging_gate.probes import logs
from staging_gate.profile import LogsSection

PATTERNS = LogsSection().pii_patterns
HEALTHY = '[2026-11-25 10:00:00] staging.INFO: GET /portal/calls/12345678 200 12ms {"user_id":3}'


def test_healthy_lines_and_timestamps_are_not_pii():
    assert logs.scan(HEALTHY, PATTERNS, ()) == ([], 0)


@pytest.mark.parametrize("value", ["maria.schneider@gmail.com", "+49 170 1234567",
                                   "0049 30 5550123", "030 1234567"])
def test_email_and_phone_numbers_are_found_and_masked(value):
    matches, total = logs.scan(f"{HEALTHY}\nLogin attempt {{\"who\":\"{value}\"}}", PATTERNS, ())
    assert total == 1 and matches[0].line_number == 2
    assert value not in matches[0].describe()


def test_allow_list_and_canary_domain_excuse_matches():
    text = "a admin@staging.askproai.de b canary-ab@staging-gate.invalid"
    allow = [r"@staging\.askproai\.de$", logs.CANARY_ALLOW]
    assert logs.scan(text, PATTERNS, allow) == ([], 0)
    assert logs.scan(text, PATTERNS, [])[1] == 2


def test_scan_keeps_a_bounded_number_of_samples():
    text = "\n".join(f"user{i}@gmail.com" for i in range(100))
    matches, total = logs.scan(text, PATTERNS, (), limit=5)
    assert len(matches) == 5 and total == 100


def test_read_tail_starts_at_a_whole_line(tmp_path: Path):
    log = tmp_path / "laravel.log"
    log.write_text("".join(f"line {i}\n" for i in range(1000)))
    tail = logs.read_tail(log, 1000)
    assert tail.text.startswith("line ") and tail.text.endswith("line 999\n")
    assert tail.size == log.stat().st_size


def test_read_log_from_command_or_says_what_is_missing():
    assert logs.read_log(None, [sys.executable, "-c", "print('x')"], 1000).text == "x\n"
    with pytest.raises(CommandFailed, match=r"neither logs\.path nor logs\.command"):
        logs.read_log(None, (), 1000)
    with pytest.raises(CommandFailed, match="cannot be read"):
        logs.read_log("/nonexistent/laravel.log", (), 1000)


def test_canary_is_unique_and_found_in_any_spacing():
    canary = logs.Canary.new("ab12cd34ef56")
    assert canary.email == "canary-ab12cd34ef56@staging-gate.invalid"
    assert logs.Canary.new().email != logs.Canary.new().email
    assert canary.found_in(HEALTHY) == []
    assert canary.email in canary.found_in(f'{{"email":"{canary.email.upper()}"}}')
    spaced = canary.phone.replace(" ", "")
    assert canary.phone in canary.found_in(f"password={spaced}")
    assert logs.lines_with(f"{HEALTHY}\nx {canary.email}", [canary.email]) == [
        f"x {canary.email}"]
