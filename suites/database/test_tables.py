"""P2.3, P2.4: expected tables and indexes exist; every tenant table has a NOT NULL, indexed
tenant column of the tenant key's type (the row-level isolation the portal relies on)."""

from dataclasses import asdict

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import schema

SHOWN = 10  # problems named in a message; the full list is attached


def test_P2_3_expected_tables_exist(query, profile):
    """Every table the profile expects exists in the staging database."""
    name = profile.database.name
    if not profile.database.expected_tables:
        expect.unverified("which tables must exist", "list them in database.expected_tables")
    present = schema.base_tables(query, name)
    attach_json("tables", {"expected": list(profile.database.expected_tables),
                           "present": sorted(present)})
    missing = [table for table in profile.database.expected_tables if table not in present]
    expect.no_problems([f"table {t} missing" for t in missing], f"database {name}", SHOWN)


def test_P2_3_latest_migration_indexes_exist(query, profile):
    """The indexes the latest migration creates exist (the portal's performance depends on them)."""
    settings = profile.database
    if not settings.latest_migration_indexes:
        expect.unverified("which indexes the latest migration creates",
                          "list them in database.latest_migration_indexes")
    index_map = schema.indexes(query, settings.name)
    wanted = [(i.table, i.index) for i in settings.latest_migration_indexes]
    attach_json("indexes", {f"{t}.{i}": list(cols) for (t, i), cols in index_map.items()
                            if t in {table for table, _ in wanted}})
    expect.no_problems(
        [f"index {name} missing" for name in schema.missing_indexes(index_map, wanted)],
        f"indexes of {settings.latest_migration} in {settings.name}", SHOWN,
    )


def test_P2_4_tenant_column_not_null(query, profile):
    """Every tenant-scoped table has the tenant column and it can never be NULL."""
    settings = profile.database
    if not settings.tenant_tables:
        expect.unverified("which tables are tenant-scoped", "list them in database.tenant_tables")
    columns = schema.column_by_table(query, settings.name, settings.tenant_column)
    attach_json(f"{settings.tenant_column} columns", {t: asdict(c) for t, c in columns.items()})
    expect.no_problems(
        schema.tenant_column_problems(
            settings.tenant_tables, schema.base_tables(query, settings.name), columns,
            settings.tenant_column,
        ),
        f"tenant column {settings.tenant_column} in {settings.name}", SHOWN,
    )


def test_P2_4_tenant_column_indexed(query, profile):
    """Every tenant table has an index led by the tenant column, so tenant filters stay cheap."""
    settings = profile.database
    if not settings.tenant_tables:
        expect.unverified("which tables are tenant-scoped", "list them in database.tenant_tables")
    index_map = schema.indexes(query, settings.name)
    attach_json("indexes", {f"{t}.{i}": list(cols) for (t, i), cols in index_map.items()
                            if t in settings.tenant_tables})
    unindexed = schema.unindexed_tenant_tables(
        settings.tenant_tables, index_map, settings.tenant_column
    )
    expect.no_problems(
        [f"{table}.{settings.tenant_column} has no index led by it" for table in unindexed],
        f"tenant indexes in {settings.name}", SHOWN,
    )


def test_P2_4_tenant_column_type_matches_tenant_key(query, profile):
    """Every tenant table's tenant column has the tenant key's type (companies.id), so joins
    and tenant filters compare like with like — no silent text↔number conversion."""
    settings = profile.database
    if not settings.tenant_tables:
        expect.unverified("which tables are tenant-scoped", "list them in database.tenant_tables")
    key_name = schema.tenant_key(query, settings.name, settings.tenant_key,
                                 settings.tenant_tables, settings.tenant_column)
    key_table, _, key_column = key_name.partition(".")
    key = schema.column_by_table(query, settings.name, key_column).get(key_table)
    if key is None:
        expect.unverified(f"the tenant key {key_name} does not exist in {settings.name}",
                          "set database.tenant_key to the column the tenant column refers to")
    columns = schema.column_by_table(query, settings.name, settings.tenant_column)
    attach_json("tenant column types", {
        "tenant_key": {key_name: asdict(key)},
        "tenant_columns": {t: asdict(c) for t, c in columns.items() if t in settings.tenant_tables},
    })
    expect.no_problems(
        schema.tenant_type_problems(columns, settings.tenant_tables, key_name, key,
                                    settings.tenant_column),
        f"tenant column {settings.tenant_column} in {settings.name}", SHOWN,
    )
