import pytest

from staging_gate.probes.column_types import mismatch, parse_type


@pytest.mark.parametrize(
    ("column", "key"),
    [
        ("bigint(20) unsigned", "bigint(20) unsigned"),
        ("bigint unsigned", "bigint(20) unsigned"),  # MySQL 8.0.19+ vs MariaDB
        ("BIGINT(20) UNSIGNED ZEROFILL", "bigint unsigned"),
        ("int(11)", "integer"),
        ("varchar(36)", "char(36)"),
        ("char(36)", "char(36)"),
        ("uuid", "uuid"),
    ],
)
def test_same_values_same_comparison_is_no_problem(column, key):
    assert mismatch(column, key) is None


@pytest.mark.parametrize(
    ("column", "key", "said"),
    [
        ("varchar(255)", "bigint(20) unsigned", "a text column refers to an integer key"),
        ("text", "int unsigned", "text '12abc' equals 12"),
        ("char(36)", "binary(16)", "a text column refers to a binary key"),
        ("uuid", "char(36)", "a uuid column refers to a text key"),
        ("int(11)", "bigint unsigned", "int cannot hold every integer (bigint unsigned) value"),
        ("bigint", "bigint unsigned", "cannot hold every"),
        ("bigint unsigned", "int", "no foreign key can link them"),
        ("varchar(20)", "char(36)", "it holds 20 characters, the key up to 36"),
        ("decimal(10,0)", "decimal(20,0)", "the types differ"),
    ],
)
def test_differing_types_are_named(column, key, said):
    reason = mismatch(column, key)
    assert reason is not None and said in reason


def test_integer_of_another_size_that_still_fits_says_only_the_foreign_key_problem():
    reason = mismatch("bigint unsigned", "int unsigned")
    assert reason == "integer size or sign differs, so no foreign key can link them"


def test_text_collations_must_match():
    reason = mismatch("char(36)", "char(36)", "utf8mb4_general_ci", "utf8mb4_unicode_ci")
    assert reason is not None and "Illegal mix of collations" in reason
    assert mismatch("char(36)", "char(36)", "utf8mb4_unicode_ci", "utf8mb4_unicode_ci") is None


def test_parse_type_reads_size_and_sign():
    assert parse_type("bigint(20) unsigned").size == 8
    assert parse_type("bigint(20) unsigned").unsigned
    assert parse_type("varchar(191)").size == 191
    assert parse_type("longtext").family == "text"
    assert parse_type("geometry").family == "geometry"
