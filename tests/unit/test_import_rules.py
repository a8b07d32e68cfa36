"""The rooms of `staging_gate` keep their import rules (ARCHITECTURE.md, [tool.importlinter])."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("run", "verdict", "probes", "deployment")


def test_every_import_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("room", ROOMS)
def test_each_room_says_in_one_line_what_it_may_import(room: str) -> None:
    init = ROOT / "staging_gate" / room / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text())) or ""
    assert "may import" in docstring.splitlines()[0], f"{init}: first line {docstring[:80]!r}"


def test_no_module_is_left_in_the_flat_room() -> None:
    """Only the foundation sits beside the rooms; a new module goes into its room."""
    foundation = {"__init__", "__main__", "checklist", "errors", "evidence", "expect",
                  "findings", "portal_contract", "profile", "resources"}
    top = {path.stem for path in (ROOT / "staging_gate").glob("*.py")}
    assert top == foundation, f"not in a room: {sorted(top - foundation)}"
