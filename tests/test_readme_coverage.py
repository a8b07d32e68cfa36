"""The README's coverage tables are the matrix's, never a hand-edited claim."""

from __future__ import annotations

from tests.matrix.coverage import README, coverage_section, readme_with_coverage


def test_readme_coverage_section_is_generated_from_the_matrix() -> None:
    text = README.read_text(encoding="utf-8")
    assert readme_with_coverage(text) == text, (
        "README.md's coverage section is stale: run `python -m tests.matrix.coverage --write`"
    )


def test_coverage_names_every_checklist_item() -> None:
    section = coverage_section()
    for item_id in ("P1.1", "P4.1", "P7.4", "PV.6"):
        assert f"| {item_id} |" in section
