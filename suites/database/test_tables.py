"""P2.3, P2.4: expected tables and indexes exist; every tenant table has a NOT NULL, indexed
tenant column (the row-level isolation the portal relies on)."""

from dataclasses import asdict

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import schema


def test_P2_3_expected_tables_exist(query, profile):
    """Every table the profile expects exists in the staging database."""
    name = profile.database.name
    expect.that(bool(profile.database.expected_tables),
                "profile lists no database.expected_tables; nothing to check")
    present = schema.base_tables(query, name)
    attach_json("tables", {"expected": list(profile.database.expected_tables),
                           "present": sorted(present)})
    missing = [table for table in profile.database.expected_tables if table not in present]
    expect.no_problems([f"table {t} missing" for t in missing], f"database {name}")


def test_P2_3_latest_migration_indexes_exist(query, profile):
    """The indexes the latest migration creates exist (the portal's performance depends on them)."""
    settings = profile.database
    expect.that(bool(settings.latest_migration_indexes),
                "profile lists no database.latest_migration_indexes; nothing to check")
    index_map = schema.indexes(query, settings.name)
    wanted = [(i.table, i.index) for i in settings.latest_migration_indexes]
    attach_json("indexes", {f"{t}.{i}": list(cols) for (t, i), cols in index_map.items()
                            if t in {table for table, _ in wanted}})
    expect.no_problems(
        [f"index {name} missing" for name in schema.missing_indexes(index_map, wanted)],
        f"indexes of {settings.latest_migration} in {settings.name}",
    )


def test_P2_4_tenant_column_not_null(query, profile):
    """Every tenant-scoped table has the tenant column and it can never be NULL."""
    settings = profile.database
    expect.that(bool(settings.tenant_tables),
                "profile lists no database.tenant_tables; nothing to check")
    columns = schema.column_by_table(query, settings.name, settings.tenant_column)
    attach_json(f"{settings.tenant_column} columns", {t: asdict(c) for t, c in columns.items()})
    expect.no_problems(
        schema.tenant_column_problems(
            settings.tenant_tables, schema.base_tables(query, settings.name), columns,
            settings.tenant_column,
        ),
        f"tenant column {settings.tenant_column} in {settings.name}",
    )


def test_P2_4_tenant_column_indexed(query, profile):
    """Every tenant table has an index led by the tenant column, so tenant filters stay cheap."""
    settings = profile.database
    expect.that(bool(settings.tenant_tables),
                "profile lists no database.tenant_tables; nothing to check")
    index_map = schema.indexes(query, settings.name)
    attach_json("indexes", {f"{t}.{i}": list(cols) for (t, i), cols in index_map.items()
                            if t in settings.tenant_tables})
    unindexed = schema.unindexed_tenant_tables(
        settings.tenant_tables, index_map, settings.tenant_column
    )
    expect.no_problems(
        [f"{table}.{settings.tenant_column} has no index led by it" for table in unindexed],
        f"tenant indexes in {settings.name}",
    )
