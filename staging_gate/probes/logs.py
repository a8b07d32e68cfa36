"""P7.4: no personal data in the application log.

Two checks share this module: a scan of the log with the profile's PII patterns (minus its
allow-list), and a canary — a unique, obviously fake e-mail address and phone number the gate
submits itself and then looks for. Matches are masked before they reach a message or the
report: the gate must not copy the PII it found into its own output.

What the scan understands: each candidate line is decoded before the
patterns run — JSON ``\\u0040`` escapes, URL ``%40`` escapes (also twice encoded) and HTML
entities (``&#64;``) — and the default patterns read Unicode addresses
(``erika@müller-bau.de``) and German national phone spellings (``0170 123 4567``,
``(030) 1234567``, ``0171 / 123 45 67``, ``030 12345-67``, ``01512345678``), while
timestamps, UUIDs and order numbers such as ``2026-0001234`` stay clean.

How it reads: `scan_file` streams the file in chunks (memory stays flat at about
two chunks), over all of it by default. A compiled multi-pattern prefilter — Hyperscan in
prefilter mode (``HS_FLAG_PREFILTER``: lookarounds and other constructs it cannot run are
widened, never narrowed), so it finds a superset of the lines that match — picks the
candidate lines at memory speed (lines with an escape or a non-ASCII character always are
candidates: its classes are ASCII); Python's ``re`` then applies the exact patterns to those
lines only. Where Hyperscan is not installed (it ships x86-64 wheels only), each pattern
runs with ``re`` over the text, around its required characters where it has some: same
verdicts, slower.

Which lines: the gate scans what was written since its run started
(`LogMark`, taken before the first check), i.e. the traffic of its own logged-in checks,
not a tail that may predate every login. A log that shrank below the mark, or was replaced
by another file, was rotated or truncated: then it is scanned from its start, and the
result says so.
"""

from __future__ import annotations

import html
import importlib
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from staging_gate.deployment.commands import CommandFailed, run_command
from staging_gate.deployment.sessions import LoginFailed, csrf_token, logout
from staging_gate.profile import RoutesSection

CANARY_DOMAIN = "staging-gate.invalid"
# The gate's own canary addresses belong to the canary check: it fails the run that leaks
# them. Left in the log afterwards they are not a person's data, so the scan passes them.
CANARY_ALLOW = r"@staging-gate\.invalid$"

#: Escapes that can hide PII from a pattern; a line holding one is always decoded and checked.
ESCAPE_MARKERS = (r"%[0-9A-Fa-f]{2}", r"\\u[0-9A-Fa-f]{4}", r"&#?[0-9A-Za-z]{2,8};")
#: The prefilter's classes are ASCII: a line holding a non-ASCII byte is always checked.
NON_ASCII_MARKER = r"[\x80-\xff]"
CHUNK_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class LogText:
    source: str
    text: str
    size: int | None = None  # bytes in the file (path logs), to see whether it grew


# --- the run-start mark -----------------------------------------------------------------------

@dataclass(frozen=True)
class LogMark:
    """Where the log stood when the gate's run started.

    Path logs: the file's size (byte offset) and inode. Command logs: the last line the
    command printed then (the scan reads what follows it). `error`: the log could not be
    read at the start (the scan then reads all of it and says so).
    """

    source: str
    offset: int | None = None
    inode: int | None = None
    last_line: str | None = None
    error: str | None = None
    taken_at: float = field(default_factory=time.time)


def mark_log(path: str | None, command: Sequence[str]) -> LogMark:
    """The log's position now (see `LogMark`); never raises — a failure is in `error`."""
    if path:
        try:
            stat = os.stat(path)
        except OSError as error:
            return LogMark(path, error=f"{path}: {error.strerror or error}")
        return LogMark(path, offset=stat.st_size, inode=stat.st_ino)
    if command:
        source = " ".join(command)
        try:
            output = run_command(command, timeout=120).stdout
        except CommandFailed as error:
            return LogMark(source, error=str(error))
        lines = output.rstrip("\n").rsplit("\n", 1)
        return LogMark(source, last_line=lines[-1] if output.strip() else "")
    return LogMark("", error="profile sets neither logs.path nor logs.command")


def start_offset(mark: LogMark | None, path: str) -> tuple[int, str]:
    """Byte offset to scan `path` from, and a note when it is not the mark's offset."""
    if mark is None or mark.offset is None:
        why = mark.error if mark and mark.error else "no run-start mark"
        return 0, f"scanned from byte 0 ({why})"
    try:
        stat = os.stat(path)
    except OSError:
        return mark.offset, ""  # scan_file reports the unreadable file
    if mark.inode is not None and stat.st_ino != mark.inode:
        return 0, "the log was replaced since the run started (rotated): scanned from byte 0"
    if stat.st_size < mark.offset:
        return 0, (f"the log shrank below its run-start size ({stat.st_size} < {mark.offset} "
                   "bytes: truncated or rotated): scanned from byte 0")
    return mark.offset, ""


def text_since(mark: LogMark | None, text: str) -> tuple[str, str]:
    """Command logs: the part of `text` after the mark's last line, and a note when the
    mark's line is not in it (then all of `text` is returned)."""
    if mark is None or mark.last_line is None:
        return text, "no run-start mark: scanned all the command printed"
    if not mark.last_line:
        return text, ""
    cut = text.rfind(mark.last_line)
    if cut < 0:
        return text, ("the run-start line is no longer in the command's output (rotated, or "
                      "more written than it prints): scanned all it printed")
    return text[cut + len(mark.last_line):].lstrip("\n"), ""


# --- matches ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PiiMatch:
    line_number: int
    pattern: str
    masked: str
    masked_line: str

    def describe(self) -> str:
        return f"line {self.line_number}: {self.masked} in {self.masked_line[:200]!r}"


def mask(value: str) -> str:
    """Keep the shape, drop the person: first character, the domain for e-mail addresses."""
    local, at, domain = value.partition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    return value[:3] + "*" * max(0, len(value) - 5) + value[-2:] if len(value) > 6 else "***"


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _unquote_run(match: re.Match[str]) -> str:
    return bytes.fromhex(match.group(0).replace("%", "")).decode("utf-8", "replace")


def decode_escapes(line: str) -> str:
    """A log line as a reader would see it: JSON ``\\uXXXX`` escapes, URL ``%XX`` escapes
    (up to twice encoded; ``+`` stays ``+``) and HTML character references decoded."""
    if "\\u" in line:
        line = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), line)
        line = line.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    for _ in range(2):
        if "%" not in line:
            break
        decoded = _PERCENT_RUN.sub(_unquote_run, line)
        if decoded == line:
            break
        line = decoded
    if "&" in line:
        line = html.unescape(line)
    return line


@dataclass(frozen=True)
class ScanResult:
    """What a scan read and found. `matches`: the first `limit` (masked); `total`: all of
    them; `lines`/`bytes_scanned`: what was read, from byte `start_offset`; `engine`: the
    prefilter used ("hyperscan" or "re"); `note`: why it read other than asked (rotation)."""

    source: str
    matches: tuple[PiiMatch, ...]
    total: int
    lines: int
    bytes_scanned: int
    start_offset: int = 0
    seconds: float = 0.0
    engine: str = ""
    note: str = ""

    @property
    def mb_per_second(self) -> float:
        return self.bytes_scanned / 1e6 / self.seconds if self.seconds > 0 else 0.0


class PiiScanner:
    """The profile's PII patterns and allow-list, compiled once.

    `patterns`/`allow`: Python regexes (``re`` syntax, lookarounds allowed). A match that
    any allow regex finds (``search`` on the matched text) is excused.
    Raises re.error for an invalid pattern (the profile validates them first).

    The Hyperscan prefilter reads bytes with ASCII classes, so it is exact only for ASCII
    text: every line holding a non-ASCII byte (``müller``, a non-breaking space before a
    number) is a candidate, checked with every pattern — correct for any pattern, and as
    fast as the share of such lines allows.
    """

    def __init__(self, patterns: Sequence[str], allow: Sequence[str] = (),
                 limit: int = 50) -> None:
        self.patterns = [re.compile(p) for p in patterns]
        self._required = [_required_characters(p) for p in self.patterns]
        self.allow = [re.compile(a) for a in allow]
        self.limit = limit
        built = _hyperscan_database((*patterns, *ESCAPE_MARKERS, NON_ASCII_MARKER))
        self._hyperscan: Any = built[0] if built else None
        self._markers = re.compile("|".join(ESCAPE_MARKERS))
        #: The patterns Hyperscan could not take, each checked on every line with `re`.
        self.re_only: tuple[str, ...] = tuple(patterns[i] for i in (built[1] if built else ())
                                              if i < len(patterns))
        self.engine = ("re" if built is None else
                       f"hyperscan (re for {len(self.re_only)} pattern(s))" if self.re_only
                       else "hyperscan")

    def line_hits(self, line: str, ids: frozenset[int] | None = None
                  ) -> list[tuple[str, str, str]]:
        """(pattern, value, decoded line) for every match in `line` not excused. `ids`: the
        prefilter's ids that fired on the line (None: run every pattern)."""
        count = len(self.patterns)
        decoded = line
        if ids is None or max(ids) >= count:  # an escape or non-ASCII marker
            decoded = decode_escapes(line)
            if ids is None or not decoded.isascii():
                ids = None
            elif decoded == line:
                ids = frozenset(i for i in ids if i < count)
            else:
                ids = self._ids_in(decoded)
        wanted = [self.patterns[i] for i in (range(count) if ids is None else sorted(ids))
                  if all(c in decoded for c in self._required[i])]
        return [
            (pattern.pattern, match.group(0), decoded)
            for pattern in wanted
            for match in pattern.finditer(decoded)
            if not any(a.search(match.group(0)) for a in self.allow)
        ]

    def _ids_in(self, text: str) -> frozenset[int]:
        """The pattern ids the prefilter finds in one decoded ASCII line."""
        found: set[int] = set()

        def on_match(id_: int, _from: int, _to: int, _flags: int, _ctx: object) -> None:
            found.add(id_)

        self._hyperscan.scan(text.encode("ascii"), match_event_handler=on_match)
        return frozenset(i for i in found if i < len(self.patterns))

    def candidate_lines(self, data: bytes, first_line: int
                        ) -> Iterator[tuple[int, str, frozenset[int] | None]]:
        """(line number, line, prefilter ids or None) of the lines in `data` that may hold
        a match, in order."""
        if self._hyperscan is None:
            text = data.decode("utf-8", "replace")
            ends = sorted(self._match_ends(text))
            for number, line in _spans(text, ends, first_line):
                yield number, line, None
            return
        events: list[tuple[int, int]] = []
        append = events.append

        def on_match(id_: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            append((to, id_))

        self._hyperscan.scan(data, match_event_handler=on_match)
        events.sort()
        # One pass over the sorted match ends: a line is yielded once, with every id that
        # ended in it. Hyperscan reports no empty matches, so `to - 1` is the last byte.
        number, position, start, line_end = first_line, 0, 0, -1
        ids: set[int] = set()
        for to, id_ in events:
            if to - 1 <= line_end:
                ids.add(id_)
                continue
            if ids:
                yield number, data[start:line_end].decode("utf-8", "replace"), frozenset(ids)
            start = data.rfind(b"\n", 0, to - 1) + 1
            line_end = data.find(b"\n", to - 1)
            if line_end < 0:
                line_end = len(data)
            number += data.count(b"\n", position, start)
            position = start
            ids = {id_}
        if ids:
            yield number, data[start:line_end].decode("utf-8", "replace"), frozenset(ids)

    def _match_ends(self, text: str) -> Iterator[int]:
        """Without Hyperscan: where each pattern (or an escape) may end a match in `text`.
        A pattern with a required character is looked for only around it (an e-mail
        pattern's ``@``: Python's re would otherwise try every position); others run over
        the text, where re skips fast to their possible first characters."""
        yield from (m.end() for m in self._markers.finditer(text))
        for pattern, required in zip(self.patterns, self._required, strict=True):
            if not required:
                yield from (m.end() for m in pattern.finditer(text))
                continue
            at = text.find(required[0])
            while at >= 0:
                yield at + 1  # the line holding it is checked exactly
                line_end = text.find("\n", at)
                if line_end < 0:
                    break
                at = text.find(required[0], line_end + 1)


def _required_characters(pattern: re.Pattern[str]) -> str:
    """Characters every match of `pattern` contains (its top-level literals, e.g. the ``@``
    of an e-mail pattern), so a line without them skips it; "" when unknown."""
    if pattern.flags & re.IGNORECASE:
        return ""
    try:
        parser: Any = importlib.import_module("re._parser")
        parsed = parser.parse(pattern.pattern, pattern.flags)
        literal = importlib.import_module("re._constants").LITERAL
    except (ImportError, AttributeError, re.error):
        return ""
    return "".join(chr(value) for op, value in parsed.data if op is literal)


def _spans(buffer: str, ends: Sequence[int], first_line: int) -> Iterator[tuple[int, str]]:
    """The lines of `buffer` holding the sorted match `ends`, each once: (number, line)."""
    line_end, position, number = -1, 0, first_line
    for to in ends:
        last = max(to - 1, 0)
        if last <= line_end:
            continue
        start = buffer.rfind("\n", 0, last) + 1
        line_end = buffer.find("\n", last)
        if line_end < 0:
            line_end = len(buffer)
        number += buffer.count("\n", position, start)
        position = start
        yield number, buffer[start:line_end]


# What a pattern Hyperscan cannot take is replaced by: one report per non-empty line, so
# every line is a candidate for that pattern alone (checked with `re`), the others stay fast.
_EVERY_LINE = "^[^\\n]"


def _hyperscan_database(patterns: Sequence[str]) -> tuple[object, tuple[int, ...]] | None:
    """A Hyperscan block database of `patterns` in prefilter mode over bytes (ASCII classes:
    Unicode classes cost seconds to compile), each in `prefilter_form`, and the indexes of
    the patterns it could not take (``(?u)``, ``\\N{…}``, too large): those are replaced by
    a match on every line and judged by `re` alone. None when Hyperscan is not installed, or
    when the patterns together are too large for one database (the caller then uses re)."""
    try:
        import hyperscan
    except ImportError:
        return None
    flags = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_MULTILINE

    def compiled(expressions: Sequence[str]) -> object:
        database = hyperscan.Database()
        database.compile(expressions=[e.encode("utf-8") for e in expressions],
                         ids=list(range(len(expressions))), elements=len(expressions),
                         flags=[flags] * len(expressions))
        return database

    forms = [prefilter_form(p) for p in patterns]
    try:
        return compiled(forms), ()
    except hyperscan.error:
        pass
    refused = []
    for index, form in enumerate(forms):
        try:
            compiled([form])
        except hyperscan.error:
            refused.append(index)
    try:
        return compiled([_EVERY_LINE if i in refused else f for i, f in enumerate(forms)]), \
            tuple(refused)
    except hyperscan.error:  # together too large for one database
        return None


_LOOKBEHIND_CLASS = re.compile(r"\(\?<!\[(?!\^)([^\]]*)\]\)")
_LOOKAHEAD_CLASS = re.compile(r"\(\?!\[(?!\^)([^\]]*)\]\)")


def prefilter_form(pattern: str) -> str:
    """`pattern` with one-character-class lookarounds written as what they consume:
    ``(?<![\\w+])`` → ``(?:^|[^\\w+])``, ``(?![\\w-])`` → ``(?:[^\\w-]|$)`` (line-wise
    the same matches exist). Hyperscan's prefilter mode would otherwise drop them and
    report every digit run inside an id as a possible phone number."""
    pattern = _LOOKBEHIND_CLASS.sub(lambda m: f"(?:^|[^{m.group(1)}])", pattern)
    return _LOOKAHEAD_CLASS.sub(lambda m: f"(?:[^{m.group(1)}]|$)", pattern)


class _Collector:
    def __init__(self, scanner: PiiScanner) -> None:
        self.scanner = scanner
        self.found: list[PiiMatch] = []
        self.total = 0

    def add(self, line_number: int, line: str, ids: frozenset[int] | None = None) -> None:
        hits = self.scanner.line_hits(line, ids)
        self.total += len(hits)
        for pattern_text, value, decoded in hits:
            if len(self.found) < self.scanner.limit:
                masked_line = decoded.replace(value, mask(value))
                self.found.append(PiiMatch(line_number, pattern_text, mask(value), masked_line))


def _scan_block(scanner: PiiScanner, data: bytes, first_line: int, sink: _Collector) -> int:
    """Scan whole lines in `data`; returns how many lines it held."""
    for number, line, ids in scanner.candidate_lines(data, first_line):
        sink.add(number, line, ids)
    lines = data.count(b"\n")
    return lines + (0 if not data or data.endswith(b"\n") else 1)


def scan_file(
    path: str | Path,
    patterns: Sequence[str],
    allow: Sequence[str] = (),
    *,
    start: int = 0,
    max_bytes: int | None = None,
    limit: int = 50,
    chunk_bytes: int = CHUNK_BYTES,
    note: str = "",
    scanner: PiiScanner | None = None,
) -> ScanResult:
    """Stream a log file from byte `start` to its size when the scan began, in chunks of
    `chunk_bytes` cut at line ends (memory: about two chunks, whatever the file's size).

    `max_bytes`: only the last bytes of that range (from a whole line); None: all of it.
    Line numbers count from `start` (1 = the first line read). Raises CommandFailed when
    the file cannot be read.
    """
    began = time.perf_counter()
    scanner = scanner or PiiScanner(patterns, allow, limit)
    sink = _Collector(scanner)
    lines = read = 0
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            begin = min(max(start, 0), size)
            skip_partial = False
            if max_bytes is not None and size - begin > max_bytes:
                begin, skip_partial = size - max_bytes, True
            handle.seek(begin)
            remaining = size - begin
            carry = b""
            while remaining > 0 or carry:
                block = handle.read(min(chunk_bytes, remaining)) if remaining > 0 else b""
                remaining -= len(block)
                read += len(block)
                data = carry + block
                if skip_partial:
                    data = data.partition(b"\n")[2]
                    skip_partial = False
                cut = data.rfind(b"\n") + 1 if remaining > 0 else len(data)
                if cut == 0 and len(data) < 4 * chunk_bytes:  # one very long line: read on
                    carry = data
                    continue
                data, carry = (data[:cut], data[cut:]) if cut else (data, b"")
                lines += _scan_block(scanner, data, lines + 1, sink)
    except OSError as error:
        raise CommandFailed(f"log file {path} cannot be read: {error.strerror or error}") from None
    return ScanResult(str(path), tuple(sink.found), sink.total, lines, read, begin,
                      time.perf_counter() - began, scanner.engine, note)


def scan_text(
    text: str,
    patterns: Sequence[str],
    allow: Sequence[str] = (),
    *,
    source: str = "",
    limit: int = 50,
    note: str = "",
) -> ScanResult:
    """`scan_file` for a log already in memory (the output of `logs.command`)."""
    began = time.perf_counter()
    scanner = PiiScanner(patterns, allow, limit)
    sink = _Collector(scanner)
    data = text.encode("utf-8", "replace")
    lines = _scan_block(scanner, data, 1, sink)
    return ScanResult(source, tuple(sink.found), sink.total, lines, len(data), 0,
                      time.perf_counter() - began, scanner.engine, note)


def scan(
    text: str, patterns: Sequence[str], allow: Sequence[str], limit: int = 50
) -> tuple[list[PiiMatch], int]:
    """PII matches not excused by an allow pattern: the first `limit` of them, and the total."""
    result = scan_text(text, patterns, allow, limit=limit)
    return list(result.matches), result.total


def scan_since(
    mark: LogMark | None,
    path: str | None,
    command: Sequence[str],
    patterns: Sequence[str],
    allow: Sequence[str] = (),
    *,
    max_bytes: int | None = None,
    limit: int = 50,
) -> ScanResult:
    """Scan what the log gained since `mark` (the gate's run start): a file from the mark's
    offset (from 0 after rotation or truncation), a command's output after the mark's last
    line. Raises CommandFailed when the log cannot be read."""
    if path:
        offset, note = start_offset(mark, path)
        return scan_file(path, patterns, allow, start=offset, max_bytes=max_bytes, limit=limit,
                         note=note)
    if command:
        output = run_command(command, timeout=120).stdout
        text, note = text_since(mark, output)
        if max_bytes is not None and len(text) > max_bytes:
            text = text[-max_bytes:].partition("\n")[2]
        return scan_text(text, patterns, allow, source=" ".join(command), limit=limit, note=note)
    raise CommandFailed("profile sets neither logs.path nor logs.command; no log to read")


def read_since(mark: LogMark | None, path: str | None, command: Sequence[str]) -> LogText:
    """The text the log gained since `mark` (for short windows such as the canary's; use
    `scan_since` for long ones). Raises CommandFailed when the log cannot be read."""
    if path:
        offset, _ = start_offset(mark, path)
        try:
            with open(path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                handle.seek(offset)
                data = handle.read(max(0, size - offset))
        except OSError as error:
            raise CommandFailed(f"log file {path} cannot be read: "
                                f"{error.strerror or error}") from None
        return LogText(path, data.decode("utf-8", "replace"), size)
    if command:
        text, _ = text_since(mark, run_command(command, timeout=120).stdout)
        return LogText(" ".join(command), text)
    raise CommandFailed("profile sets neither logs.path nor logs.command; no log to read")


def lines_since(mark: LogMark, path: str | None) -> int | None:
    """Lines a path log gained since `mark` (None for command logs or an unreadable file)."""
    if not path or mark.offset is None:
        return None
    offset, _ = start_offset(mark, path)
    count = 0
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
                count += block.count(b"\n")
    except OSError:
        return None
    return count


@dataclass(frozen=True)
class Canary:
    email: str
    phone: str

    @classmethod
    def new(cls, token: str | None = None) -> Canary:
        token = token or secrets.token_hex(6)
        digits = "".join(str(int(c, 16) % 10) for c in token)[:8].ljust(8, "0")
        return cls(f"canary-{token}@{CANARY_DOMAIN}", f"+49 155 {digits}")

    def needles(self) -> list[str]:
        """What would show the canary leaked: the address (any case), the number in any
        spacing, and the random part alone (a log that masks the domain still leaks it)."""
        local = self.email.partition("@")[0]
        digits = re.sub(r"\D", "", self.phone)
        return [self.email, local, self.phone, digits]

    def found_in(self, text: str) -> list[str]:
        lowered = text.lower()
        digits_only = re.sub(r"[ ()/-]", "", text)
        hits = [n for n in self.needles()[:3] if n.lower() in lowered]
        if self.needles()[3] in digits_only and self.phone not in hits:
            hits.append(self.phone)
        return hits


def lines_with(text: str, needles: Iterable[str], limit: int = 5) -> list[str]:
    wanted = [n.lower() for n in needles]
    return [line for line in text.splitlines() if any(n in line.lower() for n in wanted)][:limit]


def wait_for_new_lines(mark: LogMark, path: str | None, command: Sequence[str],
                       settle_seconds: float = 2.0, poll_seconds: float = 0.25) -> LogText:
    """Re-read the log (`read_since`) until it gained text since `mark` or `settle_seconds`
    passed (writes may lag a little); the last reading. Raises CommandFailed when the log
    cannot be read."""
    deadline = time.monotonic() + settle_seconds
    while True:
        after = read_since(mark, path, command)
        if after.text or time.monotonic() >= deadline:
            return after
        time.sleep(poll_seconds)


def submit_canary(client: httpx.Client, path: str, canary: Canary) -> str:
    """POST the login form at `path` with the canary as e-mail and its phone number as
    password (a failed login); what happened, for the evidence: `"POST <path> → <status>
    <location>"`, or `"<path>: not submitted (<why>)"` when the form gave no CSRF token."""
    try:
        token = csrf_token(client, path)
    except (LoginFailed, httpx.HTTPError) as error:
        return f"{path}: not submitted ({error})"
    response = client.post(path, data={"_token": token, "email": canary.email,
                                       "password": canary.phone})
    return f"POST {path} → {response.status_code} {response.headers.get('location', '')}"


def portal_journey(client: httpx.Client, routes: RoutesSection) -> list[str]:
    """With `client` logged in: GET every portal page and API path, then log out; one
    `"GET <path> → <status>"` per request (and `"logout failed"` on an HTTP error), for the
    evidence. HTTP errors of the GETs propagate."""
    visited = [f"GET {path} → {client.get(path).status_code}"
               for path in (*routes.portal_paths, *routes.portal_api_paths)]
    try:
        logout(client, routes.portal, routes.portal_logout)
    except httpx.HTTPError:
        visited.append("logout failed")
    return visited
