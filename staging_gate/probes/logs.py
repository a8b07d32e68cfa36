"""P7.4: no personal data in the application log.

Two checks share this module: a scan of the log's recent tail with the profile's PII
patterns (minus its allow-list), and a canary — a unique, obviously fake e-mail address and
phone number the gate submits itself and then looks for. Matches are masked before they
reach a message or the report: the gate must not copy the PII it found into its own output.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from staging_gate.commands import CommandFailed, run_command

CANARY_DOMAIN = "staging-gate.invalid"
# The gate's own canary addresses belong to the canary check: it fails the run that leaks
# them. Left in the log afterwards they are not a person's data, so the scan passes them.
CANARY_ALLOW = r"@staging-gate\.invalid$"


@dataclass(frozen=True)
class LogText:
    source: str
    text: str
    size: int | None = None  # bytes in the file (path logs), to see whether it grew


def read_tail(path: Path, max_bytes: int) -> LogText:
    """The last `max_bytes` of a log file, starting at a whole line."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            handle.seek(max(0, size - max_bytes))
            data = handle.read(max_bytes)
    except OSError as error:
        raise CommandFailed(f"log file {path} cannot be read: {error.strerror or error}") from None
    text = data.decode("utf-8", "replace")
    if size > max_bytes:
        text = text.partition("\n")[2]
    return LogText(str(path), text, size)


def read_log(path: str | None, command: Sequence[str], max_bytes: int) -> LogText:
    """The log from the profile: a local file, else the output of its command."""
    if path:
        return read_tail(Path(path), max_bytes)
    if command:
        result = run_command(command, timeout=120)
        return LogText(" ".join(command), result.stdout[-max_bytes:])
    raise CommandFailed("profile sets neither logs.path nor logs.command; no log to read")


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


def scan(
    text: str, patterns: Sequence[str], allow: Sequence[str], limit: int = 50
) -> tuple[list[PiiMatch], int]:
    """PII matches not excused by an allow pattern: the first `limit` of them, and the total."""
    compiled = [re.compile(p) for p in patterns]
    allowed = [re.compile(a) for a in allow]
    found: list[PiiMatch] = []
    total = 0
    for number, line in enumerate(text.splitlines(), start=1):
        hits = [
            (pattern.pattern, match.group(0))
            for pattern in compiled
            for match in pattern.finditer(line)
            if not any(a.search(match.group(0)) for a in allowed)
        ]
        total += len(hits)
        for pattern_text, value in hits:
            if len(found) < limit:
                masked_line = line.replace(value, mask(value))
                found.append(PiiMatch(number, pattern_text, mask(value), masked_line))
    return found, total


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
