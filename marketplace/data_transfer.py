"""flask export FILE / flask import FILE: every table as JSON, and back.

The file holds every table the models know (``db.metadata.sorted_tables``, so parents come
before children), each row as a column → value object, rows ordered by primary key. Values
are written so that reading them back gives exactly what was stored: Decimal as a string,
dates and times as ISO 8601 (times in UTC), bytes as base64, JSON as it is (its numbers as
JSON numbers, though ExactJSON reads them as Decimal). Exporting,
importing into an empty database and exporting again gives the same file.

Import wants a database built by ``flask db upgrade`` at the same migration and holding no
data. The migrations themselves put reference rows into a few tables (REFERENCE_TABLES); those
are replaced by the file's copy rather than counted as data.
"""

import base64
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    LargeBinary,
    Numeric,
    func,
    insert,
    select,
    text,
)

from .extensions import db

FORMAT = "css-marketplace-export"
FORMAT_VERSION = 1
# Rows the migrations insert: the running cost allowances of 2013-14, the 2012 procurement
# threshold, the plan checks' thresholds and the shared cache's generation tokens. An import
# replaces them with the file's.
REFERENCE_TABLES = ("financial_year_allowance", "procurement_threshold", "plan_check_threshold",
                    "catalogue_generation", "market_generation")
INSERT_BATCH = 1000


class TransferError(click.ClickException):
    """The file cannot be imported into this database."""


def _kind(column) -> type | None:
    column_type = column.type
    impl = getattr(column_type, "impl", None)
    for candidate in (column_type, impl):
        if candidate is None:
            continue
        for kind in (JSON, LargeBinary, DateTime, Date, Numeric):
            if isinstance(candidate, kind) or (
                isinstance(candidate, type) and issubclass(candidate, kind)
            ):
                return kind
    return None


def _dump_value(kind, value):
    if value is None:
        return None
    if kind is DateTime:
        if value.tzinfo is None:  # UTCDateTime never hands one back; plain DateTime may
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if kind is Date:
        return value.isoformat()
    if kind is Numeric or isinstance(value, Decimal):
        return str(value)
    if kind is LargeBinary:
        return base64.b64encode(value).decode("ascii")
    if kind is JSON:
        return _json_numbers(value)
    return value  # strings, integers, booleans


def _json_numbers(value):
    """JSON as the database holds it. ExactJSON hands its numbers to Python as Decimal (the
    OCDS releases' amounts); in the file they are JSON numbers again, as stored, and an
    import stores them back unchanged."""
    if isinstance(value, Decimal):
        return float(value)  # ExactJSON made it from the stored float's repr: exact
    if isinstance(value, dict):
        return {key: _json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_numbers(item) for item in value]
    return value


def _load_value(kind, value):
    if value is None:
        return None
    if kind is DateTime:
        return datetime.fromisoformat(value)
    if kind is Date:
        return date.fromisoformat(value)
    if kind is Numeric:
        return Decimal(value)
    if kind is LargeBinary:
        return base64.b64decode(value)
    return value


def _revision(connection) -> str | None:
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no alembic_version table: not a migrated database
        return None


def export_data() -> dict:
    tables = {}
    with db.engine.connect() as connection:
        revision = _revision(connection)
        for table in db.metadata.sorted_tables:
            kinds = {column.name: _kind(column) for column in table.columns}
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [
                {name: _dump_value(kinds[name], value) for name, value in row._mapping.items()}
                for row in rows
            ]
    return {"format": FORMAT, "version": FORMAT_VERSION, "revision": revision, "tables": tables}


def write_export(path: Path) -> dict[str, int]:
    data = export_data()
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file, ensure_ascii=False, indent=1)
        file.write("\n")
    return {name: len(rows) for name, rows in data["tables"].items()}


def _check_empty(connection) -> None:
    occupied = [
        table.name
        for table in db.metadata.sorted_tables
        if table.name not in REFERENCE_TABLES
        and connection.execute(select(func.count()).select_from(table)).scalar()
    ]
    if occupied:
        raise TransferError(
            "The database is not empty (rows in " + ", ".join(occupied[:5])
            + (" ..." if len(occupied) > 5 else "") + "). Import only into a new database "
            "built with `flask db upgrade`."
        )


def _reset_sequences(connection) -> None:
    """Rows came in with their ids; move each id sequence past them, or the next insert
    would collide."""
    for table in db.metadata.sorted_tables:
        if "id" not in table.columns or not table.columns["id"].primary_key:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \"{table.name}\""
            )
        )


def import_data(data: dict) -> dict[str, int]:
    if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
        raise TransferError(f"This is not a {FORMAT} file of version {FORMAT_VERSION}.")
    known = {table.name for table in db.metadata.sorted_tables}
    unknown = sorted(set(data["tables"]) - known)
    if unknown:
        raise TransferError("The file has tables this version does not know: "
                            + ", ".join(unknown))
    counts = {}
    with db.engine.begin() as connection:
        revision = _revision(connection)
        if revision is None:
            raise TransferError("The database has no schema: run `flask db upgrade` first.")
        if data.get("revision") != revision:
            raise TransferError(
                f"The file was exported at migration {data.get('revision')}, the database is "
                f"at {revision}: migrate one to match the other first."
            )
        _check_empty(connection)
        for name in REFERENCE_TABLES:
            if name in data["tables"]:
                connection.execute(db.metadata.tables[name].delete())
        for table in db.metadata.sorted_tables:
            rows = data["tables"].get(table.name, [])
            kinds = {column.name: _kind(column) for column in table.columns}
            loaded = [
                {name: _load_value(kinds[name], value) for name, value in row.items()}
                for row in rows
            ]
            for start in range(0, len(loaded), INSERT_BATCH):
                connection.execute(insert(table), loaded[start:start + INSERT_BATCH])
            counts[table.name] = len(loaded)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    return counts


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(file: Path) -> None:
    """Write every table to FILE as JSON."""
    counts = write_export(file)
    click.echo(f"Exported {sum(counts.values())} rows from {len(counts)} tables to {file}.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Restore FILE (from flask export) into an empty, migrated database."""
    with open(file, encoding="utf-8") as handle:
        data = json.load(handle)
    counts = import_data(data)
    click.echo(f"Imported {sum(counts.values())} rows into {len(counts)} tables from {file}.")
