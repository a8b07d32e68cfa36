"""P7.4 logic: reading the log since the run started, scanning for PII, the canary."""

import sys
from pathlib import Path

import pytest

from staging_gate.deployment.commands import CommandFailed
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


def test_read_since_from_command_or_says_what_is_missing():
    command = [sys.executable, "-c", "print('x')"]
    assert logs.read_since(logs.LogMark("c", last_line=""), None, command).text == "x\n"
    with pytest.raises(CommandFailed, match=r"neither logs\.path nor logs\.command"):
        logs.read_since(None, None, ())
    with pytest.raises(CommandFailed, match="cannot be read"):
        logs.read_since(None, "/nonexistent/laravel.log", ())


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


# --- issue 9 kind 3: personal data in logs, however it is encoded -----------------------------

ISSUE_SAMPLES = [
    '"GET /password/reset?email=erika.muster%40example.org"',
    '"email":"erika\\u0040example.org"',
    '"email":"erika@müller-bau.de"',
    "01512345678", "0170 123 4567", "030 12345-67", "(030) 1234567", "0171 / 123 45 67",
]
OWN_VARIANTS = [
    # e-mail: twice URL-encoded, HTML entity, JSON-escaped umlaut domain, Unicode local part
    "GET /unsubscribe?u=erika%2540example.org", "<a>erika&#64;example.org</a>",
    '{"email":"erika@m\\u00fcller-bau.de"}', "jürgen.öztürk@example.com",
    # phones: URL-encoded international, national with parentheses/hyphens/slashes
    "callback?to=%2B49%20170%201234567", "Tel. (0171) 123-45-67", "0221/1234567",
    "Rückruf an 0911 12 34 56", '{"phone":"0341-9876543"}',
]
CLEAN = [
    HEALTHY,
    '[2026-11-29 23:59:59] staging.INFO: order 2026-0001234 created {"order":"2026-0001234"}',
    '{"request_id":"550e8400-e29b-41d4-a716-446655440000"}',
    '{"uuid":"01234567-8901-2345-6789-012345678901"}',
    "GET /img/logo@2x.png 200", "Termin am 01.12.2026 08:15:00", "took 0.123 s",
    '{"ts":1732900000000,"ms":1500}', "GET /portal/calls/61028 200 739ms",
    "GET /portal/calls/0123456789 404", "version 10.48.22 build 0001234567",
    "GET /search?q=M%C3%BCller 200", "SQLSTATE[40001]: Serialization failure: 1213",
]


@pytest.fixture(params=["hyperscan", "re"])
def engine(request, monkeypatch):
    """Run each scan test with the Hyperscan prefilter and with the pure-re fallback."""
    if request.param == "re":
        monkeypatch.setattr(logs, "_hyperscan_database", lambda patterns: None)
    else:
        pytest.importorskip("hyperscan")
    return request.param


@pytest.mark.parametrize("sample", ISSUE_SAMPLES + OWN_VARIANTS)
def test_encoded_and_national_pii_is_found_and_masked(sample, engine):
    result = logs.scan_text(f"{HEALTHY}\n[2026-11-29 10:00:00] x {sample}\n{HEALTHY}", PATTERNS)
    assert result.engine == engine
    assert result.total == 1, [m.describe() for m in result.matches]
    match = result.matches[0]
    assert match.line_number == 2
    digits = "".join(c for c in sample if c.isdigit())
    assert "erika" not in match.describe() and "jürgen" not in match.describe()
    assert len(digits) < 7 or digits not in "".join(c for c in match.describe() if c.isdigit())


@pytest.mark.parametrize("line", CLEAN)
def test_timestamps_uuids_and_order_numbers_stay_clean(line, engine):
    assert logs.scan_text(line, PATTERNS).total == 0


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("a%40b.de", "a@b.de"), ("a%2540b.de", "a@b.de"), ("a\\u0040b.de", "a@b.de"),
        ("x&#64;y &commat; z", "x@y @ z"), ("%2B49%20170", "+49 170"), ("a+b", "a+b"),
        ("\\ud83d\\ude00 %ZZ 100%", "😀 %ZZ 100%"), ("M%C3%BCller", "Müller"),
    ],
)
def test_escapes_are_decoded_as_a_reader_sees_them(raw, decoded):
    assert logs.decode_escapes(raw) == decoded


def test_prefilter_form_writes_class_lookarounds_as_consumed_characters():
    assert logs.prefilter_form(r"(?<![\w+])00\d(?![\w-])") == r"(?:^|[^\w+])00\d(?:[^\w-]|$)"
    assert logs.prefilter_form(r"(?<![^a])x(?!y)") == r"(?<![^a])x(?!y)"  # left alone


def test_unicode_classes_in_profile_patterns_still_see_non_ascii_lines(engine):
    """A pattern with \\d (Unicode digits) is checked on every non-ASCII line."""
    result = logs.scan_text("Kunde ruft an: ٠١٧٠١٢٣٤٥٦٧ ü\nplain 123", [r"\d{11}"])
    assert result.total == 1 and result.matches[0].line_number == 1


# --- issue 11 item 4: streamed whole-file scan -------------------------------------------------

def write_log(path: Path, lines: int, pii_every: int) -> int:
    with path.open("w", encoding="utf-8") as handle:
        for number in range(1, lines + 1):
            extra = " Login attempt {\"email\":\"max@müller.de\"}" if number % pii_every == 0 \
                else ""
            handle.write(f"[2026-11-29 10:00:00] staging.INFO: GET /portal/calls/{number} "
                         f"200 12ms {{\"user_id\":3}}{extra}\n")
    return lines // pii_every


@pytest.mark.parametrize("chunk_bytes", [64, 1000, 1 << 20])
def test_scan_file_streams_all_of_the_file_in_any_chunk_size(tmp_path, chunk_bytes, engine):
    log = tmp_path / "laravel.log"
    expected = write_log(log, 2000, 97)
    result = logs.scan_file(log, PATTERNS, limit=5, chunk_bytes=chunk_bytes)
    assert (result.total, result.lines, len(result.matches)) == (expected, 2000, 5)
    assert [m.line_number for m in result.matches] == [97, 194, 291, 388, 485]
    assert result.bytes_scanned == log.stat().st_size and result.mb_per_second > 0


def test_scan_file_from_an_offset_and_the_last_bytes_only(tmp_path, engine):
    log = tmp_path / "laravel.log"
    write_log(log, 200, 10)
    size = log.stat().st_size
    with log.open("a", encoding="utf-8") as handle:
        handle.write("written later: a.person@example.org\nno pii\n")
    since = logs.scan_file(log, PATTERNS, start=size)
    assert (since.total, since.lines, since.start_offset) == (1, 2, size)
    assert since.matches[0].line_number == 1
    tail = logs.scan_file(log, PATTERNS, max_bytes=1000)
    assert tail.bytes_scanned <= 1000 and tail.total >= 1
    with pytest.raises(CommandFailed, match="cannot be read"):
        logs.scan_file(tmp_path / "missing.log", PATTERNS)


def test_a_line_without_newline_at_the_end_is_scanned(tmp_path, engine):
    log = tmp_path / "laravel.log"
    log.write_bytes(b"clean\nlast line erika@example.org")
    result = logs.scan_file(log, PATTERNS, chunk_bytes=8)
    assert (result.total, result.lines) == (1, 2)


def test_invalid_utf8_is_read_not_fatal(tmp_path, engine):
    log = tmp_path / "laravel.log"
    log.write_bytes(b"\xff\xfe broken \xc3 bytes erika@example.org\nok\n")
    assert logs.scan_file(log, PATTERNS).total == 1


# --- issue 8 item 9: the gate's own traffic since the run started ------------------------------

def test_mark_then_scan_reads_only_what_was_written_since(tmp_path):
    log = tmp_path / "laravel.log"
    log.write_text("before the run: polluted@example.org\n")
    mark = logs.mark_log(str(log), ())
    with log.open("a") as handle:
        handle.write("GET /portal 200 {\"user_id\":3}\nGET /portal/calls 200 tenant@example.org\n")
    result = logs.scan_since(mark, str(log), (), PATTERNS)
    assert (result.total, result.lines, result.note) == (1, 2, "")
    assert logs.lines_since(mark, str(log)) == 2
    assert logs.read_since(mark, str(log), ()).text.startswith("GET /portal 200")


def test_truncated_or_rotated_log_is_scanned_from_the_start_and_says_so(tmp_path):
    log = tmp_path / "laravel.log"
    log.write_text("x" * 500 + "\n")
    mark = logs.mark_log(str(log), ())
    log.write_text("after truncation: a@example.org\n")  # smaller than the mark
    truncated = logs.scan_since(mark, str(log), (), PATTERNS)
    assert truncated.total == 1 and "shrank below its run-start size" in truncated.note
    rotated_mark = logs.mark_log(str(log), ())
    log.rename(tmp_path / "laravel.log.1")
    log.write_text("y" * 100 + "\nnew file b@example.org\n")  # a new inode, larger
    rotated = logs.scan_since(rotated_mark, str(log), (), PATTERNS)
    assert rotated.total == 1 and "replaced since the run started" in rotated.note


def test_command_logs_are_read_after_the_marks_last_line():
    script = "print('old@example.org'); print('line A'); print('new@example.org')"
    command = (sys.executable, "-c", script)
    mark = logs.LogMark("cmd", last_line="line A")
    result = logs.scan_since(mark, None, command, PATTERNS)
    assert (result.total, result.lines) == (1, 1)
    gone = logs.scan_since(logs.LogMark("cmd", last_line="rotated away"), None, command, PATTERNS)
    assert gone.total == 2 and "no longer in the command's output" in gone.note
    assert logs.mark_log(None, command).last_line == "new@example.org"
    assert logs.mark_log(None, ()).error and logs.mark_log("/nonexistent.log", ()).error


def test_no_mark_scans_everything_and_says_so(tmp_path):
    log = tmp_path / "laravel.log"
    log.write_text("a@example.org\n")
    result = logs.scan_since(None, str(log), (), PATTERNS)
    assert result.total == 1 and "no run-start mark" in result.note


def test_profile_rejects_a_pattern_that_is_not_a_python_regex():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="is not a regular expression"):
        LogsSection(pii_patterns=("(unclosed",))
    assert LogsSection().max_bytes is None


def test_required_characters_skip_lines_cheaply_and_never_wrongly():
    import re

    assert logs._required_characters(re.compile(PATTERNS[0])) == "@."
    assert logs._required_characters(re.compile(r"(?i)kunde@x")) == ""  # any case: unknown
    assert logs._required_characters(re.compile(r"a|b")) == ""
    result = logs.scan_text("KUNDE@X\nkunde@x", [r"(?i)kunde@x"])
    assert result.total == 2


def test_only_the_pattern_hyperscan_refuses_is_left_to_re():
    """`(?u)` and `\\N{…}` are Python, not Hyperscan: those patterns alone go to `re` on every
    line; the others keep the prefilter, and every match is still found."""
    pytest.importorskip("hyperscan")
    patterns = [PATTERNS[0], r"(?u)kunde-\d{4}", r"\N{EURO SIGN}\d+"]
    scanner = logs.PiiScanner(patterns)
    assert scanner.engine == "hyperscan (re for 2 pattern(s))"
    assert scanner.re_only == tuple(patterns[1:])
    text = "login anna@example.org\nkunde-1234 paid €15\nGET /health 200\n"
    result = logs.scan_text(text, patterns)
    assert sorted((m.line_number, m.pattern) for m in result.matches) == [
        (1, patterns[0]), (2, patterns[1]), (2, patterns[2])]


def test_a_pattern_hyperscan_cannot_take_falls_back_to_re():
    pytest.importorskip("hyperscan")
    scanner = logs.PiiScanner([r"(?P<user>[a-z]+)@(?P=user)\.de"])  # a backreference
    assert scanner.engine in ("hyperscan", "re")  # prefilter mode may approximate it
    result = logs.scan_text("anna@anna.de\nanna@bert.de", [r"(?P<user>[a-z]+)@(?P=user)\.de"])
    assert result.total == 1 and result.matches[0].line_number == 1
