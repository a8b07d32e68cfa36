"""What a migration status command printed: which migrations it reports as ran or pending.

Understands every generation of Laravel's ``php artisan migrate:status`` (the command's
source: ``Illuminate/Database/Console/Migrations/StatusCommand.php``):

- Laravel 5.0–5.4: a box table ``| Ran? | Migration |`` with ``Y`` / ``N``;
- Laravel 5.5–9.x: ``| Ran? | Migration | Batch |`` with ``Yes`` / ``No`` (``Y`` / ``N`` in
  5.5–5.8), pending rows with an empty batch cell; box-drawing borders (``│``, ``┌─┬``) too;
- Laravel 9.x (new console output) to 12: dotted lines
  ``2014_10_12_000000_create_users_table ........ [1] Ran``, ``… Pending`` and (12.x,
  ``Migration::shouldRun()``) ``… Skipped``, a ``Migration name … Batch / Status`` header;
  ``--pending`` (9.x+) prints only pending rows or ``INFO  No pending migrations.``, and
  ``--pending=N`` (11.x+) exits N when some are pending;
- the one-line answers ``Migration table not found.`` (9+), ``No migrations found``
  (5.x says this also when the migrations table is missing) and ``Nothing to migrate.``;
- a plain list, one pending migration name per line (a project's own script).

ANSI colour codes, Symfony console tags left in the text (``<info>Yes</info>``), Windows
line endings and dotted lines wrapped by a narrow terminal are read as well. Lines that are
none of these (PHP notices, banners) are kept as `StatusOutput.unread` for the evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_CONSOLE_TAG = re.compile(
    r"</?(?:info|comment|question|error|warning|(?:fg|bg|options|href)=[^<>]*)?>", re.IGNORECASE
)
_CELL_BORDER = re.compile(r"[|│┃║]")
_RULE = re.compile(r"^[\s+\-=:|\u2500-\u257f]*$")
_NAME = re.compile(r"^[\w*.\-]+$")
_STATUS = re.compile(
    r"^(?:\[\s*(?P<before>\d+)\s*\]\s*)?(?P<word>ran|pending|skipped)"
    r"(?:\s*\[\s*(?P<after>\d+)\s*\])?$",
    re.IGNORECASE,
)
_DOTTED = re.compile(r"^(?P<name>\S+)\s+(?:\.+\s*)?(?P<status>\S.*?)\s*$")
_LONE_STATUS = re.compile(r"^(?:\.+\s*)?(?P<status>\S.*?)\s*$")
_DOTTED_HEADER = re.compile(r"^migration\s+name\b.*\bbatch\s*/\s*status$", re.IGNORECASE)
_STATES = {"y": "ran", "yes": "ran", "ran": "ran", "n": "pending", "no": "pending",
           "pending": "pending", "skipped": "skipped"}
_MESSAGES = (
    ("no-pending", re.compile(r"\bno pending migrations\b|\bnothing to migrate\b", re.I)),
    ("table-missing", re.compile(r"\bmigration table not found\b", re.I)),
    ("none-found", re.compile(r"\bno migrations found\b", re.I)),
)

#: What each recognised one-line answer means, for messages.
MESSAGE_TEXT = {
    "no-pending": "No pending migrations",
    "table-missing": "Migration table not found.",
    "none-found": "No migrations found",
}


@dataclass(frozen=True)
class StatusRow:
    """One migration the command listed: `state` is ``ran``, ``pending`` or ``skipped``
    (Laravel 12: the migration's ``shouldRun()`` said no); `batch` is None when none shown."""

    name: str
    state: str
    batch: int | None = None

    @property
    def ran(self) -> bool:
        return self.state == "ran"


@dataclass(frozen=True)
class StatusOutput:
    """What the command said, line by line.

    `layouts`: which shapes were seen (``table``, ``dotted``, ``list``); `messages`: the
    one-line answers recognised (keys of `MESSAGE_TEXT`); `unread`: other non-empty lines.
    """

    rows: tuple[StatusRow, ...] = ()
    layouts: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()

    @property
    def pending(self) -> tuple[str, ...]:
        """Names the command reports as not run, in its order, each once."""
        return tuple(dict.fromkeys(row.name for row in self.rows if row.state == "pending"))

    def as_evidence(self) -> dict[str, object]:
        return {
            "layouts": list(self.layouts),
            "pending": list(self.pending),
            "ran": sum(1 for row in self.rows if row.ran),
            "skipped": [row.name for row in self.rows if row.state == "skipped"],
            "messages": [MESSAGE_TEXT[key] for key in self.messages],
            "unread_lines": list(self.unread),
        }


def clean_line(line: str) -> str:
    """One console line without colour codes, console tags or trailing ``\\r``."""
    return _CONSOLE_TAG.sub("", _ANSI.sub("", line)).replace("\r", "").strip()


class _Reader:
    def __init__(self) -> None:
        self.rows: list[StatusRow] = []
        self.layouts: list[str] = []  # per row: the shape it was read from
        self.messages: list[str] = []
        self.unread: list[str] = []
        self.columns: dict[str, int] = {}
        self.bare_name: int | None = None  # index in rows of a name that may continue

    def add(self, row: StatusRow, layout: str) -> None:
        self.rows.append(row)
        self.layouts.append(layout)

    def read(self, line: str) -> None:
        continues, self.bare_name = self.bare_name, None
        if not line or line.startswith("#") or _RULE.match(line):
            return
        if _CELL_BORDER.search(line):
            self.table_line(line)
        else:
            self.text_line(line, continues)

    def table_line(self, line: str) -> None:
        cells = [cell.strip() for cell in _CELL_BORDER.split(line)]
        if cells and not cells[0]:
            cells = cells[1:]
        if cells and not cells[-1]:
            cells = cells[:-1]
        lowered = [cell.lower() for cell in cells]
        if "migration" in lowered and any(c in ("ran?", "ran") for c in lowered):
            self.columns = {c.rstrip("?"): i for i, c in enumerate(lowered)}
            return
        ran_at = self.columns.get("ran", 0)
        name_at = self.columns.get("migration", 1)
        batch_at = self.columns.get("batch", 2)
        if max(ran_at, name_at) >= len(cells) or lowered[ran_at] not in _STATES:
            self.unread.append(line)
            return
        name = cells[name_at]
        if not _NAME.match(name):
            self.unread.append(line)
            return
        batch = cells[batch_at] if batch_at < len(cells) else ""
        state, batch_number = _STATES[lowered[ran_at]], int(batch) if batch.isdigit() else None
        self.add(StatusRow(name, state, batch_number), "table")

    def text_line(self, line: str, continues: int | None) -> None:
        for key, pattern in _MESSAGES:
            if pattern.search(line):
                if key not in self.messages:
                    self.messages.append(key)
                return
        if _DOTTED_HEADER.match(line):
            return
        if continues is not None and (lone := _LONE_STATUS.match(line)):
            status = _STATUS.match(lone["status"])
            if status:  # a dotted line the terminal wrapped after the migration name
                self.rows[continues] = _status_row(self.rows[continues].name, status)
                self.layouts[continues] = "dotted"
                return
        dotted = _DOTTED.match(line)
        status = _STATUS.match(dotted["status"]) if dotted else None
        if dotted and status and _NAME.match(dotted["name"]):
            self.add(_status_row(dotted["name"], status), "dotted")
        elif _NAME.match(line.rstrip(". ")):
            self.add(StatusRow(line.rstrip(". "), "pending"), "list")
            self.bare_name = len(self.rows) - 1
        else:
            self.unread.append(line)


def _status_row(name: str, status: re.Match[str]) -> StatusRow:
    batch = status["before"] or status["after"]
    return StatusRow(name, _STATES[status["word"].lower()], int(batch) if batch else None)


def parse_status_output(text: str) -> StatusOutput:
    """Read a status command's output (stdout, optionally followed by stderr).

    Returns the rows in the command's order; never raises — what it cannot read is in
    `StatusOutput.unread`, and `unreadable_reason` judges whether the answer is usable.
    """
    reader = _Reader()
    for raw in text.splitlines():
        reader.read(clean_line(raw))
    return StatusOutput(
        rows=tuple(reader.rows),
        layouts=tuple(dict.fromkeys(reader.layouts)),
        messages=tuple(reader.messages),
        unread=tuple(reader.unread),
    )


def unreadable_reason(status: StatusOutput, returncode: int) -> str | None:
    """Why the command's answer cannot say what is pending, or None when it can.

    Usable: rows were listed (a non-zero exit code with pending rows is Laravel 11's
    ``--pending=N`` signal), "No pending migrations", or empty output with exit code 0.
    Not usable: "Migration table not found." or "No migrations found" (the command looks
    at another database or directory than the one judged), output that lists no migration
    and is no known answer, or a failure exit without a pending row.
    """
    if "table-missing" in status.messages:
        return f"it says '{MESSAGE_TEXT['table-missing']}'"
    if "none-found" in status.messages and not status.rows:
        return (
            f"it says '{MESSAGE_TEXT['none-found']}' (no migration files where it looked, "
            "or — Laravel 5 — no migrations table)"
        )
    if returncode != 0 and not status.pending:
        last = status.unread[-1] if status.unread else "no output"
        return f"it exited {returncode} without listing a pending migration ({last})"
    if not status.rows and not status.messages and status.unread:
        return (
            f"none of its {len(status.unread)} line(s) is a migration row or a known answer "
            f"(first: {status.unread[0][:120]!r})"
        )
    return None
