from __future__ import annotations

import pytest

from staging_gate.evidence import REDACTED, redact_headers, redact_mapping, redact_text


def test_dsn_password_is_redacted() -> None:
    assert redact_text("mysql://user:s3cret@db:3306/x") == f"mysql://user:{REDACTED}@db:3306/x"


def test_secret_headers_are_redacted() -> None:
    headers = redact_headers({"Cookie": "a=b", "Content-Type": "text/html"})
    assert headers == {"Cookie": REDACTED, "Content-Type": "text/html"}


def test_secret_fields_are_redacted_recursively() -> None:
    data = redact_mapping({"user": {"password": "x", "email_env": "E"}, "_token": "t"})
    assert data == {"user": {"password": REDACTED, "email_env": "E"}, "_token": REDACTED}


def test_password_without_user_is_redacted() -> None:
    assert redact_text("redis://:s3cret@127.0.0.1:6379/0") == f"redis://:{REDACTED}@127.0.0.1:6379/0"


def test_names_that_merely_contain_a_secret_word_are_kept() -> None:
    """A schema's evidence: table charsets and index names of AskPro's real database."""
    data = {
        "tables": {"personal_access_tokens": "utf8mb4", "password_resets": "utf8mb4",
                   "api_credentials": "utf8mb4", "webauthn_credentials": "utf8mb4"},
        "personal_access_tokens.personal_access_tokens_token_unique": ["token"],
        "token_count": 3,
        "dsn_env": "STAGING_DB_DSN",
    }
    assert redact_mapping(data) == data


@pytest.mark.parametrize(
    "key",
    ["password", "DB_PASSWORD", "password_confirmation", "_token", "api_token", "XSRF-TOKEN",
     "remember_token", "clientSecret", "accessToken", "STAGING_DB_DSN", "app_key",
     "Authorization", "Cookie", "client_secret"],
)
def test_keys_naming_a_secret_are_redacted(key: str) -> None:
    assert redact_mapping({key: "s3cret"}) == {key: REDACTED}
