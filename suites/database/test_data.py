"""P2.5, P2.6: sanitized test data is loaded, and no row points at a missing or foreign record."""

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import schema


def test_P2_5_test_data_loaded(query, profile):
    """Each table holds at least the profile's minimum rows, so later phases have data to read."""
    minimums = profile.database.min_rows
    if not minimums:
        expect.unverified("how much test data must be loaded", "set database.min_rows")
    counts = schema.row_counts(query, minimums)
    attach_json("row counts", {"counts": counts, "minimums": minimums})
    expect.no_problems(schema.below_minimum(counts, minimums), f"{profile.database.name} data")


def test_P2_6_no_orphan_or_cross_tenant_rows(query, profile):
    """Every reference resolves, and to a record of the same tenant (no cross-tenant links)."""
    settings = profile.database
    references = [(r.table, r.column, r.references) for r in settings.tenant_references]
    if not references:
        expect.unverified("which references must stay within a tenant",
                          "list them in database.tenant_references")
    breaches = schema.reference_breaches(query, references, settings.tenant_column)
    attach_json("reference checks", {
        "checked": [f"{t}.{c} → {r}.id" for t, c, r in references],
        "breaches": [{"kind": b.kind, "reference": b.reference, "rows": list(b.rows)}
                     for b in breaches],
    })
    expect.no_problems([b.describe() for b in breaches], f"references in {settings.name}", 10)
