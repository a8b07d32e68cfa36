"""Laravel-style migrations: one ``NAME.sql`` file each, with ``-- @up`` and ``-- @down``.

The file name (without ``.sql``) is the migration name recorded in the ``migrations`` table.
The reference dialect's migrations live here; another dialect's in a subfolder of its name
(``filament/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Migration:
    name: str
    up: tuple[str, ...]
    down: tuple[str, ...]


def _statements(block: str) -> tuple[str, ...]:
    parts = (part.strip() for part in block.split(";\n"))
    return tuple(part.rstrip(";").strip() for part in parts if part.strip())


def parse(name: str, text: str) -> Migration:
    _, _, rest = text.partition("-- @up")
    up_block, _, down_block = rest.partition("-- @down")
    return Migration(name=name, up=_statements(up_block + "\n"),
                     down=_statements(down_block + "\n"))


def folder(dialect: str = "reference") -> Path:
    return MIGRATIONS_DIR if dialect == "reference" else MIGRATIONS_DIR / dialect


def all_migrations(dialect: str = "reference") -> list[Migration]:
    """Every migration the app (of that dialect) knows, oldest first."""
    files = sorted(folder(dialect).glob("*.sql"))
    return [parse(path.stem, path.read_text(encoding="utf-8")) for path in files]


def latest(dialect: str = "reference") -> Migration:
    return all_migrations(dialect)[-1]
