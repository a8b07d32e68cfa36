"""Read and update a dotenv file the way the seed's toggle-feature-flag.php does."""

from __future__ import annotations

import os
import re
from pathlib import Path


def parse(text: str) -> dict[str, str]:
    """KEY=value lines; comments, blank lines and trailing ``# comments`` are ignored."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, _, raw = stripped.partition("=")
        value = raw.strip()
        if value.startswith('"') and value.count('"') >= 2:
            value = value[1 : value.index('"', 1)]
        else:
            value = value.split(" #", 1)[0].strip()
        values[key.strip()] = value
    return values


def read(path: Path) -> dict[str, str]:
    try:
        return parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def set_value(path: Path, key: str, value: str) -> None:
    """Replace ``KEY=...`` (or append it), writing atomically so readers never see half."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(rf"^{re.escape(key)}=.*$", re.MULTILINE)
    line = f"{key}={value}"
    if pattern.search(text):
        new_text = pattern.sub(lambda _m: line, text, count=1)
    else:
        new_text = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    os.replace(tmp, path)
