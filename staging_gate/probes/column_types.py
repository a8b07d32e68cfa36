"""SQL column types compared for joins: does a tenant column hold every tenant key's value,
and do the two compare as equals without conversion?

Input is ``information_schema.COLUMNS.COLUMN_TYPE`` text of MySQL or MariaDB, e.g.
``bigint(20) unsigned`` (MariaDB, MySQL 5.7), ``bigint unsigned`` (MySQL 8.0.19+, display
widths dropped), ``varchar(255)``, ``char(36)``, ``uuid`` (MariaDB 10.7+). Display widths
and ``zerofill`` do not change the values a column holds and are ignored. The rules follow
MySQL's comparison (MySQL 8.0 reference, 14.3 "Type Conversion in Expression Evaluation": a
string compared with an integer is compared as floating point, so ``'12abc' = 12``) and
InnoDB's foreign-key rule (15.1.20.5: integer columns must have the same size and sign).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_INTEGER_BYTES = {"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "integer": 4, "bigint": 8}
_TEXT_CHARS = {"tinytext": 255, "text": 65_535, "mediumtext": 16_777_215, "longtext": 4_294_967_295}
_FAMILIES = {
    **dict.fromkeys(_INTEGER_BYTES, "integer"),
    **dict.fromkeys(("char", "varchar", "enum", "set", *_TEXT_CHARS), "text"),
    **dict.fromkeys(
        ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"), "binary"
    ),
    **dict.fromkeys(("decimal", "numeric", "dec", "fixed"), "decimal"),
    **dict.fromkeys(("float", "double", "real"), "floating point"),
    **dict.fromkeys(("date", "datetime", "timestamp", "time", "year"), "date/time"),
    "uuid": "uuid",
}
_TYPE = re.compile(r"^\s*(?P<base>[a-z]+)\s*(?:\((?P<args>[^)]*)\))?(?P<rest>.*)$")


@dataclass(frozen=True)
class SqlType:
    """One column type: `base` (``bigint``), `family` (``integer``, ``text``, …), `size`
    (bytes for integers, characters for text, bytes for binary; None when unbounded or not
    applicable), `unsigned`, `args` (what the parentheses held, spaces removed)."""

    base: str
    family: str
    size: int | None
    unsigned: bool
    args: str = ""

    @property
    def label(self) -> str:
        return f"{self.family} ({self.base}{' unsigned' if self.unsigned else ''})"


def parse_type(column_type: str) -> SqlType:
    """Read a COLUMN_TYPE; an unknown base type is its own family (compared by name)."""
    match = _TYPE.match(column_type.lower())
    if not match:
        return SqlType(column_type.lower().strip(), column_type.lower().strip(), None, False)
    base, args, rest = match["base"], match["args"] or "", match["rest"]
    base = "int" if base == "integer" else base
    size: int | None = None
    if base in _INTEGER_BYTES:
        size = _INTEGER_BYTES[base]
    elif base in _TEXT_CHARS:
        size = _TEXT_CHARS[base]
    elif args.strip().isdigit():
        size = int(args)
    return SqlType(base, _FAMILIES.get(base, base), size, "unsigned" in rest, args.replace(" ", ""))


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeio' else 'a'} {noun}"  # a uuid, an integer


def _integer_range(sql_type: SqlType) -> tuple[int, int]:
    bits = 8 * (sql_type.size or 8)
    if sql_type.unsigned:
        return 0, 2**bits - 1
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def mismatch(
    column_type: str, key_type: str, column_collation: str | None = None,
    key_collation: str | None = None,
) -> str | None:
    """Why a column of `column_type` referring to a key of `key_type` is a problem, or None.

    Different families (text vs integer): the database converts silently on every join
    and cannot use an index on the converted side. Integers of another size or sign: no
    foreign key can link them, and a smaller or signed column cannot hold every key.
    Text: shorter than the key, or another collation (``Illegal mix of collations`` or a
    skipped index). ``char`` vs ``varchar`` of a sufficient length is no problem.
    """
    column, key = parse_type(column_type), parse_type(key_type)
    if column.family != key.family:
        numeric = {"integer", "decimal", "floating point"}
        example = (
            " (text '12abc' equals 12)"
            if {column.family, key.family} & numeric and "text" in {column.family, key.family}
            else ""
        )
        return (
            f"{_a(column.family)} column refers to {_a(key.family)} key, so every join "
            f"converts one side silently{example} and cannot use the index on it"
        )
    if column.family == "integer":
        if (column.base, column.unsigned) == (key.base, key.unsigned):
            return None
        low, high = _integer_range(column)
        key_low, key_high = _integer_range(key)
        fits = low <= key_low and high >= key_high
        return (
            "integer size or sign differs, so no foreign key can link them"
            + ("" if fits else f" and {column.base} cannot hold every {key.label} value")
        )
    if column.family in ("text", "binary"):
        if column.size is not None and key.size is not None and column.size < key.size:
            return f"it holds {column.size} characters, the key up to {key.size}"
        if column.family == "text" and column_collation and key_collation and (
            column_collation != key_collation
        ):
            return (
                f"collation {column_collation} differs from {key_collation}, so joins fail "
                "('Illegal mix of collations') or skip the index"
            )
        return None
    same = (column.base, column.args, column.unsigned) == (key.base, key.args, key.unsigned)
    return None if same else "the types differ"
