"""The test database: built by the real migrations, reset to a seeded baseline per test.

TEST_DATABASE=sqlite (default) uses a file in a temporary folder; TEST_DATABASE=postgresql
uses TEST_POSTGRES_URL (default: the local server's marketplace_test database, created if
missing). Both are built with ``flask db upgrade``, never create_all.
"""

import os

import psycopg
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from marketplace.extensions import db

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/marketplace_test"

# Tables restored to their seeded rows before every test; every other table starts empty.
# financial_year_allowance and procurement_threshold are reference data the migrations
# themselves put in.
BASELINE_TABLES = (
    "region",
    "organisation",
    "user_account",
    "financial_year_allowance",
    "procurement_threshold",
    "plan_check_threshold",
    "catalogue_generation",  # the rows the migrations put there
    "market_generation",
)


def database_kind() -> str:
    kind = os.environ.get("TEST_DATABASE", "sqlite")
    if kind not in ("sqlite", "postgresql"):
        raise RuntimeError(f"TEST_DATABASE must be sqlite or postgresql, not {kind!r}")
    return kind


def postgres_url() -> str:
    url = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    # Under pytest-xdist every worker gets a database of its own.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        url = url.set(database=f"{url.database}_{worker}")
    return url.render_as_string(hide_password=False)


def prepare_postgres(url: str) -> None:
    """Create the test database if needed and empty it, so the migrations start from nothing."""
    parsed = make_url(url)
    admin = parsed.set(database="postgres", drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')
    target = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(target, autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
        connection.execute("CREATE SCHEMA public")


def _fingerprint(connection, table) -> tuple:
    """Cheap enough to take before every test, and it changes whenever a row does:
    every baseline table is small, so hashing its rows costs less than rewriting it."""
    rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
    return hash(tuple(tuple(row) for row in rows))


def snapshot_baseline() -> dict:
    snapshot = {"rows": {}, "fingerprints": {}}
    with db.engine.connect() as connection:
        for name in BASELINE_TABLES:
            table = db.metadata.tables[name]
            snapshot["rows"][name] = [
                dict(row._mapping) for row in connection.execute(select(table))
            ]
            snapshot["fingerprints"][name] = _fingerprint(connection, table)
    return snapshot


def reset_to_baseline(snapshot: dict) -> None:
    """Empty every table the test may have written to, and restore the baseline rows if a
    test changed them. DELETE, not TRUNCATE: on PostgreSQL, truncating thirty mostly empty
    tables before every test costs far more than deleting the few rows a test leaves."""
    db.session.remove()
    engine = db.engine
    baseline = [db.metadata.tables[name] for name in BASELINE_TABLES]
    with engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in BASELINE_TABLES:
                connection.execute(table.delete())
        changed = any(
            _fingerprint(connection, table) != snapshot["fingerprints"][table.name]
            for table in baseline
        )
        if not changed:
            return
        for table in reversed(db.metadata.sorted_tables):
            if table.name in BASELINE_TABLES:
                connection.execute(table.delete())
        for table in db.metadata.sorted_tables:
            rows = snapshot["rows"].get(table.name)
            if rows:
                connection.execute(insert(table), rows)
