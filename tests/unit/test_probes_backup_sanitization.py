"""P7.3 logic: allowed domains, masking, column choice, the SQL-side judging."""

import re

import pytest

from staging_gate.probes import sanitization
from staging_gate.probes.sanitization import Column


def test_domains_and_their_subdomains_are_allowed():
    allowed = ["staging.askproai.de", "example.test"]
    assert sanitization.domain_allowed("example.test", allowed)
    assert sanitization.domain_allowed("Mail.Example.Test", allowed)
    assert not sanitization.domain_allowed("askproai.de", allowed)
    assert not sanitization.domain_allowed("notexample.test", allowed)


def test_samples_are_masked():
    assert sanitization.mask_email("maria.schneider1978@gmail.com") == "m***@gmail.com"
    assert sanitization.mask_text("+49 170 1234567") == "+49**********67"
    assert sanitization.mask_text("12345") == "*****"


def test_configured_columns_replace_or_extend_discovered_ones():
    found = [Column("users", "email")]
    assert sanitization.columns_to_check(found, ["customers.email"], replace=True) == [
        Column("customers", "email")]
    assert sanitization.columns_to_check(found, [], replace=True) == found
    assert sanitization.columns_to_check(found, ["calls.caller_number"], replace=False) == [
        *found, Column("calls", "caller_number")]
    with pytest.raises(ValueError):
        Column.parse("no_dot")


def test_email_finding_counts_offending_domains_with_masked_samples():
    def query(sql, args):
        if "GROUP BY" in sql:
            return [{"domain": "example.test", "n": 177}, {"domain": "gmail.com", "n": 2},
                    {"domain": "web.de", "n": 1}]
        return [{"v": "j.weber@web.de"}] if args == ("web.de",) else [{"v": "maria@gmail.com"}]

    finding = sanitization.email_finding(query, Column("customers", "email"),
                                         ["example.test"], samples=3)
    assert (finding.checked, finding.offending) == (180, 3)
    assert finding.samples == ("m***@gmail.com", "j***@web.de")
    assert "customers.email: 3 of 180 addresses outside example.test" in finding.describe()


def test_phone_regex_is_anchored_and_validated():
    assert sanitization.phone_regex([r"\+49 30 5550\d{4}"]) == r"^(?:(?:\+49 30 5550\d{4}))$"
    with pytest.raises(re.error):
        sanitization.phone_regex(["("])


def test_phone_finding_counts_numbers_outside_the_range():
    def query(sql, args):
        if "COUNT(*)" in sql:
            return [{"total": 40, "bad": 1}]
        return [{"v": "+49 170 1234567"}]

    finding = sanitization.phone_finding(query, Column("customers", "phone"),
                                         [r"\+49 30 5550\d{4}"], samples=2)
    assert finding.offending == 1 and finding.samples == ("+49**********67",)
