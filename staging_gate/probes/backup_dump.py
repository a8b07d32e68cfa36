"""P7.1: an SQL dump made fit to restore into a scratch database, and restore errors explained.

A dump of staging is meant to be restored into ``<prefix><random>``, never over staging:

- `unsafe_statements` finds ``USE`` / ``CREATE DATABASE`` lines (a dump taken with
  ``--databases``): restored, they would switch to live staging, so the check refuses them.
- `prepare_dump` copies the dump, rewriting what ties it to the live database or server
  (a production copy typically carries both):
  * qualifiers naming the live database — ``askproai_staging.calls.id`` or
    ```askproai_staging`.`calls``` in a view body, routine or trigger — become the scratch
    name, else the view fails with ERROR 1054 (its ``FROM calls`` is the scratch table) or
    the routine reads live staging;
  * ``DEFINER=user@host`` clauses are dropped, so the objects belong to the restoring
    user and the restore needs no SUPER / SET USER privilege (MySQL 8.0 reference,
    "Stored Object Access Control"; MariaDB KB "CREATE VIEW", DEFINER clause).
  Text inside string literals and plain comments is never rewritten (a transcript that
  quotes ``askproai_staging.calls`` is data), versioned comments ``/*!50013 ... */`` are
  code and are rewritten.
- `explain_restore_error` turns ``ERROR 1054 (42S22) at line 105: ...`` into a sentence
  that names the object created at that line and the likely cause.

The dump is read line by line (it can be gigabytes); the tokenizer keeps its state across
lines, so a string literal spanning lines in a routine body stays a literal.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

# Statements that would make the restore leave the scratch database (e.g. a dump taken with
# --databases): restored, they would write over live staging.
UNSAFE_STATEMENT = re.compile(rb"^(USE |CREATE DATABASE)", re.IGNORECASE)

# A quoted or bare account part of DEFINER=user@host.
_ACCOUNT_PART = rb"(?:`(?:[^`]|``)*`|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[\w.%$-]+)"
_DEFINER = re.compile(
    rb"DEFINER\s*=\s*(?:CURRENT_USER(?:\s*\(\s*\))?|" + _ACCOUNT_PART
    + rb"(?:\s*@\s*" + _ACCOUNT_PART + rb")?)\s*",
    re.IGNORECASE,
)
_SINGLE_BODY = re.compile(rb"(?:[^'\\]|\\.|'')*'", re.DOTALL)
_DOUBLE_BODY = re.compile(rb'(?:[^"\\]|\\.|"")*"', re.DOTALL)
_BACKTICK_BODY = re.compile(rb"(?:[^`]|``)*`", re.DOTALL)
_BLOCK_END = re.compile(rb"\*/")
_QUALIFIER_DOT = re.compile(rb"\s*\.")
_PRECEDED_BY_DOT = re.compile(rb"\.\s*$")
# A row of data as dumpers write it (one INSERT per line, or one row per line): literals in
# it never span lines, since dumpers escape newlines as \n.
_DATA_LINE = re.compile(rb"(?:(?:INSERT|REPLACE)\s|\()")
_DATA_LINE_ENDS = (b"),", b");", b")")

# States carried from one line to the next.
_CODE, _SINGLE, _DOUBLE, _BACKTICK, _COMMENT = "code", "'", '"', "`", "comment"
_BODIES = {_SINGLE: _SINGLE_BODY, _DOUBLE: _DOUBLE_BODY, _BACKTICK: _BACKTICK_BODY}


@dataclass
class PreparedDump:
    """What `prepare_dump` changed: counts and the DEFINERs it dropped (for the evidence)."""

    path: Path
    qualifiers_rewritten: int = 0
    definers_dropped: dict[str, int] = field(default_factory=dict)
    lines: int = 0

    def as_evidence(self) -> dict[str, object]:
        return {
            "restored_file": self.path.name,
            "qualifiers naming the live database, rewritten": self.qualifiers_rewritten,
            "DEFINER clauses dropped": dict(self.definers_dropped),
        }


def unsafe_statements(dump_file: Path, limit: int = 3) -> list[str]:
    """``line N: statement`` for the first lines of the dump that start with ``USE`` or
    ``CREATE DATABASE`` (read line by line: dumps can be large)."""
    found: list[str] = []
    with dump_file.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if UNSAFE_STATEMENT.match(line):
                text = line.decode("utf-8", "replace").strip()
                found.append(f"line {number}: {text[:120]}")
                if len(found) >= limit:
                    break
    return found


class _Rewriter:
    """Rewrites one line at a time; `state` is what the previous line left open."""

    def __init__(self, live: str, scratch: str, prepared: PreparedDump) -> None:
        self.live = live.encode()
        self.scratch = scratch.encode()
        self.prepared = prepared
        self.state = _CODE
        live_bytes = re.escape(self.live)
        # In code: the start of a literal, identifier or comment, a DEFINER clause, or the
        # live database name used bare as a qualifier (`askproai_staging.calls`).
        self.code_token = re.compile(
            rb"(?P<open>['\"`])|(?P<block>/\*(?!!|M!))|(?P<line>--(?=\s|$)|\#)"
            rb"|(?P<definer>(?<![\w$])(?i:DEFINER)\s*=)"
            rb"|(?P<bare>(?<![\w$.`])" + live_bytes + rb"(?![\w$])(?=\s*\.))"
        )

    def line(self, text: bytes) -> bytes:
        if self._plain_data(text):
            return text
        out: list[bytes] = []
        pos = 0
        while pos < len(text):
            if self.state in _BODIES:
                pos = self._literal(text, pos, out)
            elif self.state == _COMMENT:
                end = _BLOCK_END.search(text, pos)
                stop = end.end() if end else len(text)
                out.append(text[pos:stop])
                pos = stop
                self.state = _CODE if end else _COMMENT
            else:
                pos = self._code(text, pos, out)
        return b"".join(out)

    def _plain_data(self, text: bytes) -> bool:
        """A complete data row that mentions neither the live database nor a DEFINER: it
        cannot change and leaves no literal open (the fast path for gigabyte dumps)."""
        return (
            self.state == _CODE
            and _DATA_LINE.match(text) is not None
            and text.rstrip().endswith(_DATA_LINE_ENDS)
            and self.live not in text
            and b"definer" not in text.lower()
        )

    def _literal(self, text: bytes, pos: int, out: list[bytes]) -> int:
        """Inside a string or backtick identifier: copy up to and including its end."""
        end = _BODIES[self.state].match(text, pos)
        if end is None:  # continues on the next line
            out.append(text[pos:])
            return len(text)
        out.append(text[pos:end.end()])
        self.state = _CODE
        return end.end()

    def _code(self, text: bytes, pos: int, out: list[bytes]) -> int:
        token = self.code_token.search(text, pos)
        if token is None:
            out.append(text[pos:])
            return len(text)
        out.append(text[pos:token.start()])
        kind = token.lastgroup
        if kind == "open":
            return self._opened(text, token.start(), out)
        if kind == "block":
            self.state = _COMMENT
            out.append(token.group())
            return token.end()
        if kind == "line":
            out.append(text[token.start():])
            return len(text)
        if kind == "definer":
            return self._definer(text, token.start(), out)
        out.append(self.scratch)  # bare qualifier
        self.prepared.qualifiers_rewritten += 1
        return token.end()

    def _opened(self, text: bytes, start: int, out: list[bytes]) -> int:
        quote = text[start:start + 1].decode()
        if quote == _BACKTICK:
            body = _BACKTICK_BODY.match(text, start + 1)
            if (
                body is not None
                and text[start + 1:body.end() - 1] == self.live
                and _QUALIFIER_DOT.match(text, body.end())
                and not _PRECEDED_BY_DOT.search(text, 0, start)
            ):
                out.append(b"`" + self.scratch + b"`")
                self.prepared.qualifiers_rewritten += 1
                return body.end()
        self.state = quote
        out.append(text[start:start + 1])
        return start + 1

    def _definer(self, text: bytes, start: int, out: list[bytes]) -> int:
        clause = _DEFINER.match(text, start)
        if clause is None:  # `DEFINER =` without an account: leave it to the server
            out.append(text[start:start + 7])
            return start + 7
        account = clause.group().strip().decode("utf-8", "replace")
        self.prepared.definers_dropped[account] = self.prepared.definers_dropped.get(account, 0) + 1
        return clause.end()


def prepare_dump(source: Path, target: Path, live: str, scratch: str) -> PreparedDump:
    """Copy `source` to `target` with qualifiers naming database `live` rewritten to
    `scratch` and DEFINER clauses dropped (see the module docstring); returns what changed.
    Lines that mention neither are copied unchanged (the tokenizer still reads them, to
    know whether a literal is open at their end)."""
    prepared = PreparedDump(target)
    rewriter = _Rewriter(live, scratch, prepared)
    with source.open("rb") as lines, target.open("wb") as out:
        for number, text in enumerate(lines, start=1):
            out.write(rewriter.line(text))
            prepared.lines = number
    return prepared


# --- restore errors ------------------------------------------------------------------------

_CLIENT_ERROR = re.compile(
    r"ERROR (?P<code>\d+) \((?P<state>[0-9A-Z]+)\)(?: at line (?P<line>\d+))?[^:]*: (?P<text>.*)"
)
_OBJECT = re.compile(
    rb"(?:(?:structure|data) for (?:table|view) `(?P<comment>(?:[^`]|``)+)`"
    rb"|\b(?P<kind>TABLE|VIEW|PROCEDURE|FUNCTION|TRIGGER|EVENT)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?"
    rb"(?P<name>`(?:[^`]|``)+`|\w+))",
    re.IGNORECASE,
)
#: Error codes of a restore, and what they usually mean in a dump of another database.
CAUSES: dict[int, str] = {
    1054: "a column qualified with a database or table the restored statement does not use "
    "(view or routine body naming another database)",
    1146: "the object reads a table that the dump does not contain (another database, or a "
    "table the dump skipped)",
    1049: "the dump names a database that does not exist on this server",
    1227: "the dump needs SUPER / SET USER (a DEFINER, SQL_LOG_BIN or GTID_PURGED statement)",
    1449: "the DEFINER named by the dump does not exist on this server",
    1044: "the restoring user may not create objects in the scratch database",
    1142: "the restoring user lacks a privilege on the scratch database (CREATE VIEW, "
    "TRIGGER, ...)",
    1370: "the restoring user lacks ALTER ROUTINE / EXECUTE on the scratch database",
}
#: Codes that are the restoring user's privileges, not a property of the backup.
RESTORE_PRIVILEGE_ERRORS = frozenset({1044, 1142, 1143, 1370})


@dataclass(frozen=True)
class RestoreError:
    """One ``ERROR code (state) at line N: text`` from the client, with its place."""

    code: int
    text: str
    line: int | None
    object: str | None  # "view `calls_per_company`", or None if not found

    @property
    def cause(self) -> str | None:
        return CAUSES.get(self.code)

    @property
    def is_privilege(self) -> bool:
        return self.code in RESTORE_PRIVILEGE_ERRORS

    def sentence(self) -> str:
        where = f" at line {self.line}" if self.line else ""
        what = f" while creating {self.object}" if self.object else ""
        cause = f" — likely {self.cause}" if self.cause else ""
        return f"ERROR {self.code}{where}{what}: {self.text}{cause}"


def _describe(text: bytes) -> str | None:
    if text.lstrip().startswith((b"INSERT", b"DROP", b"/*!50001 DROP", b"/*!50003 DROP")):
        return None
    found = _OBJECT.search(text)
    if found is None:
        return None
    if found.group("comment"):
        kind = "view" if b"view" in text[:found.start("comment")].lower() else "table"
        return f"{kind} `{found.group('comment').decode('utf-8', 'replace')}`"
    name = found.group("name").decode("utf-8", "replace").strip("`")
    return f"{found.group('kind').decode().lower()} `{name}`"


def object_at_line(dump_file: Path, line: int, window: int = 400) -> str | None:
    """The object whose statement starts at `line` of `dump_file`: named in that statement
    (``CREATE ... VIEW|TABLE|PROCEDURE|FUNCTION|TRIGGER name``, up to its ``;``), else by the
    nearest dump comment or statement above (``Final view structure for view `v```), within
    `window` lines; ``"view `v`"`` or None."""
    above: deque[bytes] = deque(maxlen=window)
    statement: list[bytes] = []
    with dump_file.open("rb") as lines:
        for number, text in enumerate(lines, start=1):
            if number < line:
                above.append(text)
                continue
            statement.append(text)
            if text.rstrip().endswith(b";") or len(statement) >= 40:
                break
    for text in [*statement, *reversed(above)]:
        described = _describe(text)
        if described:
            return described
    return None


def parse_restore_error(message: str, dump_file: Path | None) -> RestoreError | None:
    """The client's ``ERROR 1054 (42S22) at line 105: Unknown column ...`` in `message`
    (the last stderr line of the restore command), located in `dump_file`; None if the
    message holds no such error."""
    found = _CLIENT_ERROR.search(message)
    if found is None:
        return None
    line = int(found["line"]) if found["line"] else None
    where = object_at_line(dump_file, line) if dump_file is not None and line else None
    return RestoreError(int(found["code"]), found["text"].strip(), line, where)


_ACCOUNT_IN_ERROR = re.compile(r"(?:for|to) user '(?P<user>[^']*)'@'(?P<host>[^']*)'")


def account_in_error(text: str) -> str | None:
    """``'askproai_user'@'127.0.0.1'`` from an access-denied message, or None."""
    found = _ACCOUNT_IN_ERROR.search(text)
    return f"'{found['user']}'@'{found['host']}'" if found else None
