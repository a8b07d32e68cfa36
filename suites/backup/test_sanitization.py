"""P7.3: staging holds sanitized data only (seed 7.2): every e-mail address in an allowed
fake domain, every phone number in the profile's fake range. Read-only; samples masked."""

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import sanitization


def test_P7_3_data_sanitized(query, profile):
    """No customer, user or company e-mail outside the allowed domains and no phone number
    outside the fake range (when the profile names one) in the staging database."""
    rules, name = profile.sanitization, profile.database.name
    email_columns = sanitization.columns_to_check(
        sanitization.discover_columns(query, name, "email"), rules.email_columns, replace=True)
    expect.that(bool(email_columns), f"no e-mail columns found in {name} to verify")
    findings = [sanitization.email_finding(query, c, rules.allowed_email_domains, rules.samples)
                for c in email_columns]
    if rules.allowed_phone_patterns:
        phone_columns = sanitization.columns_to_check(
            sanitization.discover_columns(query, name, "phone"), rules.phone_columns,
            replace=False)
        findings += [sanitization.phone_finding(query, c, rules.allowed_phone_patterns,
                                                rules.samples) for c in phone_columns]
    attach_json("sanitization", {
        "allowed_email_domains": list(rules.allowed_email_domains),
        "allowed_phone_patterns": list(rules.allowed_phone_patterns),
        "columns": sanitization.as_evidence(findings),
    })
    expect.no_problems([f.describe() for f in findings if f.offending],
                       f"unsanitized data in {name}")
