"""P2.1: the staging database exists, is not the production database, and is utf8mb4."""

from dataclasses import asdict

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import schema


def test_P2_1_staging_database_exists(query, profile, target):
    """The connection lands in the profile's staging database, and it holds the schema."""
    name, where = profile.database.name, target.dsn().address
    info = schema.server_info(query)
    found = schema.schema_info(query, name)
    tables = schema.base_tables(query, name)
    attach_json("database", {"server": where, "version": info.version,
                             "current_database": info.current_database,
                             "schema": asdict(found) if found else None, "tables": sorted(tables)})
    expect.that(found is not None, f"database {name} does not exist on {where}")
    expect.that(
        info.current_database == name,
        f"the DSN connects to database {info.current_database!r} on {where}, expected {name!r}",
    )
    expect.that(bool(tables), f"database {name} on {where} exists but holds no tables")


def test_P2_1_database_is_not_production(query, profile, target):
    """No database with the production name is reachable with the staging credentials."""
    production, where = profile.database.production_name, target.dsn().address
    info = schema.server_info(query)
    visible = schema.visible_schemas(query)
    attach_json("visible databases", {"server": where, "user": info.user, "databases": visible})
    expect.that(
        info.current_database != production,
        f"the staging DSN connects to {production}, the production database ({where})",
    )
    tables = sorted(schema.base_tables(query, production)) if production in visible else []
    expect.that(
        production not in visible,
        f"the staging user on {where} can see database {production} (the production name)"
        + (f" holding {len(tables)} tables ({', '.join(tables[:5])}, …)" if tables else ""),
    )


def test_P2_1_database_charset_utf8mb4(query, profile):
    """The database and every table use the profile's charset, so names and transcripts fit."""
    name, charset = profile.database.name, profile.database.charset
    found = expect.present(schema.schema_info(query, name), f"database {name} does not exist")
    tables = schema.table_charsets(query, name)
    attach_json("charsets", {"database": asdict(found), "tables": tables})
    problems = [f"table {t} is {c}" for t, c in sorted(tables.items()) if c != charset]
    if found.charset != charset:
        problems.insert(0, f"database default is {found.charset} ({found.collation})")
    expect.no_problems(problems, f"expected charset {charset} in {name}", 10)
