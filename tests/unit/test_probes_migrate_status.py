"""`php artisan migrate:status` of every Laravel generation, read into the right verdict."""

import pytest

from staging_gate.probes.migrate_status import parse_status_output, unreadable_reason

USERS = "2014_10_12_000000_create_users_table"
RESETS = "2014_10_12_100000_create_password_resets_table"
COMPANY = "2021_06_15_093000_add_company_id_to_calls"
GREEN, YELLOW, GRAY, RESET = "\x1b[32;1m", "\x1b[33;1m", "\x1b[90m", "\x1b[39;22m"


def dotted(name: str, status: str, width: int = 90) -> str:
    """One Laravel 10–12 ``twoColumnDetail`` line, coloured as with ``--ansi``."""
    dots = "." * max(width - len(name) - len(status) - 6, 0)
    return f"  {name} {GRAY}{dots}{RESET} {status}  "


CASES = {
    # The sample: Laravel 8, Yes/No, no rule lines; fails with the old reader.
    "laravel-8-issue-sample": (
        "| Ran? | Migration                                 | Batch |\n"
        f"| Yes  | {USERS}      | 1     |\n"
        f"| No   | {COMPANY} |       |\n",
        0,
        (COMPANY,),
    ),
    "laravel-5.4-y-n-two-columns": (
        "+------+------------------------------------------------+\n"
        "| Ran? | Migration                                      |\n"
        "+------+------------------------------------------------+\n"
        f"| Y    | {USERS}           |\n"
        f"| N    | {RESETS} |\n"
        "+------+------------------------------------------------+\n",
        0,
        (RESETS,),
    ),
    "laravel-5.8-y-n-with-batch": (
        "+------+------------------------------------------------+-------+\n"
        "| Ran? | Migration                                      | Batch |\n"
        "+------+------------------------------------------------+-------+\n"
        f"| Y    | {USERS}           | 1     |\n"
        f"| Y    | {RESETS} | 1     |\n"
        "+------+------------------------------------------------+-------+\n",
        0,
        (),
    ),
    "laravel-8-box-crlf": (
        "+------+-------------------------------------------+-------+\r\n"
        "| Ran? | Migration                                 | Batch |\r\n"
        "+------+-------------------------------------------+-------+\r\n"
        f"| Yes  | {USERS}      | 1     |\r\n"
        f"| Yes  | {RESETS} | 2     |\r\n"
        f"| No   | {COMPANY} |       |\r\n"
        "+------+-------------------------------------------+-------+\r\n",
        0,
        (COMPANY,),
    ),
    "box-drawing-borders": (
        "┌──────┬───────────────────────────────────────────┬───────┐\n"
        "│ Ran? │ Migration                                 │ Batch │\n"
        "├──────┼───────────────────────────────────────────┼───────┤\n"
        f"│ Yes  │ {USERS}      │ 1     │\n"
        f"│ No   │ {COMPANY} │       │\n"
        "└──────┴───────────────────────────────────────────┴───────┘\n",
        0,
        (COMPANY,),
    ),
    "console-tags-left-in": (
        "| Ran? | Migration | Batch |\n"
        f"| <info>Yes</info> | {USERS} | 1 |\n"
        f"| <fg=red>No</fg=red> | {COMPANY} |  |\n",
        0,
        (COMPANY,),
    ),
    "odd-names-in-a-table": (
        "| Ran? | Migration | Batch |\n"
        "| Yes | *_fix_staff_branch_id_field | 1 |\n"
        "| No | 2025_01_13_add_capacity_fields_to_staff | |\n"
        "| No | 001_create_users_and_auth_tables | |\n",
        0,
        ("2025_01_13_add_capacity_fields_to_staff", "001_create_users_and_auth_tables"),
    ),
    "laravel-11-all-ran-ansi": (
        "\n" + dotted(f"{GRAY}Migration name{RESET}", f"{GRAY}Batch / Status{RESET}") + "\n"
        + dotted(USERS, f"[1] {GREEN}Ran{RESET}") + "\n"
        + dotted(RESETS, f"[2] {GREEN}Ran{RESET}") + "\n\n",
        0,
        (),
    ),
    "laravel-10-pending-ansi-crlf": (
        "\r\n" + dotted("Migration name", "Batch / Status") + "\r\n"
        + dotted(USERS, f"[1] {GREEN}Ran{RESET}") + "\r\n"
        + dotted(COMPANY, f"{YELLOW}Pending{RESET}") + "\r\n",
        0,
        (COMPANY,),
    ),
    "laravel-11-pending-option-exits-100": (
        "\n" + dotted("Migration name", "Batch / Status") + "\n"
        + dotted(COMPANY, "Pending") + "\n"
        + dotted("2025_10_26_115644_add_customer_portal_performance_indexes", "Pending") + "\n",
        100,
        (COMPANY, "2025_10_26_115644_add_customer_portal_performance_indexes"),
    ),
    "laravel-12-skipped-is-not-pending": (
        "\n" + dotted("Migration name", "Batch / Status") + "\n"
        + dotted(USERS, "[1] Ran") + "\n" + dotted(RESETS, "Skipped") + "\n"
        + dotted(COMPANY, "Pending") + "\n",
        0,
        (COMPANY,),
    ),
    "laravel-12-no-pending": ("\n   INFO  No pending migrations.\n\n", 0, ()),
    "laravel-12-no-pending-ansi": (
        "\n  \x1b[37;44;1m INFO \x1b[39;49;22m No pending migrations.\n\n", 0, ()
    ),
    "zero-dots-on-a-long-name": (
        f"  {'2025_10_26_115644_' + 'x' * 80}  [3] Ran\n  {COMPANY}  Pending\n",
        0,
        (COMPANY,),
    ),
    "terminal-wrapped-dotted-line": (
        f"  {'2025_10_26_115644_' + 'y' * 90}\n  ................... {YELLOW}Pending{RESET}\n"
        + dotted(USERS, "[1] Ran") + "\n",
        0,
        ("2025_10_26_115644_" + "y" * 90,),
    ),
    "php-notices-around-rows": (
        "PHP Deprecated:  Return type of Foo::offsetGet($key) should be compatible in x.php\n"
        + dotted(USERS, "[1] Ran") + "\n" + dotted(COMPANY, "Pending") + "\n",
        0,
        (COMPANY,),
    ),
    "status-after-batch-reference-style": (
        f"Migration name  Batch / Status\n{USERS}  Ran [1]\n{COMPANY}  Pending\n", 0, (COMPANY,)
    ),
    "plain-list": (f"# pending migrations\n{COMPANY}\n\n{RESETS}\n", 0, (COMPANY, RESETS)),
    "empty-output": ("", 0, ()),
    "nothing-to-migrate": ("Nothing to migrate.\n", 0, ()),
}


@pytest.mark.parametrize(("output", "code", "pending"), CASES.values(), ids=CASES.keys())
def test_pending_read_from_every_laravel_generation(output, code, pending):
    status = parse_status_output(output)
    assert status.pending == pending
    assert unreadable_reason(status, code) is None


def test_rows_that_ran_keep_their_batch():
    status = parse_status_output(CASES["laravel-8-box-crlf"][0])
    assert [(r.name, r.state, r.batch) for r in status.rows] == [
        (USERS, "ran", 1), (RESETS, "ran", 2), (COMPANY, "pending", None)
    ]
    assert status.layouts == ("table",)
    dotted_status = parse_status_output(CASES["laravel-10-pending-ansi-crlf"][0])
    assert [(r.ran, r.batch) for r in dotted_status.rows] == [(True, 1), (False, None)]
    assert dotted_status.layouts == ("dotted",)


def test_wrapped_line_is_one_dotted_row():
    status = parse_status_output(CASES["terminal-wrapped-dotted-line"][0])
    assert status.layouts == ("dotted",)
    assert len(status.rows) == 2


def test_notices_are_kept_for_the_evidence():
    status = parse_status_output(CASES["php-notices-around-rows"][0])
    assert status.unread == (
        "PHP Deprecated:  Return type of Foo::offsetGet($key) should be compatible in x.php",
    )
    assert status.as_evidence()["unread_lines"] == list(status.unread)


UNREADABLE = {
    "laravel-10-table-missing": ("\n   ERROR  Migration table not found.\n\n", 1,
                                 "it says 'Migration table not found.'"),
    "laravel-5-no-table": ("No migrations found.\n", 0, "it says 'No migrations found'"),
    "php-fatal": ("PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002]\n", 255,
                  "it exited 255 without listing a pending migration (PHP Fatal error"),
    "failure-with-only-ran-rows": (dotted(USERS, "[1] Ran") + "\n", 1,
                                   "it exited 1 without listing a pending migration"),
    "banner-only": ("Laravel Framework 11.9.2\nUsage: command [options]\n", 0,
                    "none of its 2 line(s) is a migration row or a known answer"),
}


@pytest.mark.parametrize(("output", "code", "said"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_answers_that_cannot_be_judged_say_why(output, code, said):
    reason = unreadable_reason(parse_status_output(output), code)
    assert reason is not None and said in reason
