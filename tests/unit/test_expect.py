import pytest

from staging_gate import expect


def test_a_long_list_is_summarised_and_attached_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """AskPro's ledger: 416 unknown migrations made one 28,367-character message."""
    attached: dict[str, str] = {}
    monkeypatch.setattr(expect, "attach_text", lambda name, text: attached.update({name: text}))
    problems = [f"unknown migration 2025_01_{i:04d}_x" for i in range(416)]
    with pytest.raises(pytest.fail.Exception) as failure:
        expect.no_problems(problems, "migrations in db.migrations", shown=3)
    message = str(failure.value)
    assert message.startswith(
        "migrations in db.migrations: 416 problems: unknown migration 2025_01_0000_x; "
    )
    assert "… and 413 more (all in the attachment 'migrations in db.migrations: all 416')" in (
        message
    )
    assert len(message) < 300
    assert attached["migrations in db.migrations: all 416"].splitlines() == problems


def test_a_short_list_is_named_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expect, "attach_text", lambda name, text: pytest.fail("no attachment"))
    with pytest.raises(pytest.fail.Exception, match=r"^db: a; b$"):
        expect.no_problems(["a", "b"], "db", shown=3)
    expect.no_problems([], "db", shown=3)
