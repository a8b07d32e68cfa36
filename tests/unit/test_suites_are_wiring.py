"""The suites hold checks and their wiring only (ARCHITECTURE.md, "Layers").

A check in ``suites/`` is wiring and one judgement: every module-level function there is a
check (``test_*``), a pytest hook (``pytest_*``) or a fixture (``@pytest.fixture``). Logic
that can be unit tested lives in ``staging_gate/probes/`` (or the target layer) instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

SUITES = Path(__file__).resolve().parents[2] / "suites"


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr == "fixture"
    return isinstance(target, ast.Name) and target.id == "fixture"


def _helpers(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("Test"):
            found.append(f"class {node.name}")
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if node.name.startswith(("test_", "pytest_")):
            continue
        if any(_is_fixture(d) for d in node.decorator_list):
            continue
        found.append(node.name)
    return found


def test_suites_hold_only_checks_hooks_and_fixtures() -> None:
    offenders = {
        str(path.relative_to(SUITES)): names
        for path in sorted(SUITES.rglob("*.py"))
        if (names := _helpers(path))
    }
    assert not offenders, (
        "helper functions in suites/ (move them to staging_gate/probes/ with a unit test, "
        f"or make them fixtures): {offenders}"
    )


def test_the_walk_sees_the_suites() -> None:
    assert any(SUITES.rglob("test_*.py"))
