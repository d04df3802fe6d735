"""The statements_from_requirements migration, run on a database holding old requirements."""

from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from marketplace import create_app
from marketplace.extensions import db

from ..database import database_kind, prepare_postgres

BEFORE = "auth_user_sessions"
NOW = datetime(2012, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def old_app(database_url, tmp_path):
    """An app on a database of its own, migrated to the revision before statements."""
    if database_kind() == "postgresql":
        url = make_url(database_url)
        url = url.set(database=f"{url.database}_statements").render_as_string(
            hide_password=False)
        prepare_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None})
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        yield app
        db.session.remove()
        db.engine.dispose()


def _insert(connection, table_name: str, /, **values) -> int:
    """Insert a row, filling columns the test does not care about with plain values."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key \
                or column.server_default is not None:
            continue
        try:
            kind = column.type.python_type
        except NotImplementedError:
            kind = str
        values[column.name] = {int: 1, bool: False, datetime: NOW}.get(kind, "x")
    return connection.execute(table.insert().values(**values).returning(table.c.id)).scalar()


def _rows(connection, sql: str, **params) -> list:
    return connection.execute(sa.text(sql), params).mappings().all()


def test_requirements_become_draft_statements_and_come_back(old_app):
    with db.engine.begin() as connection:
        coventry = _insert(connection, "organisation", kind="ccg", name="NHS Coventry CCG",
                           ods_code="05A", population=464_596)
        darlington = _insert(connection, "organisation", kind="ccg", name="NHS Darlington",
                             ods_code="00C", population=106_079)
        specs = {code: _insert(connection, "service_specification", code=code, name=name,
                               phase="business_support", nature="transactional",
                               scale="local", retired_at=None)
                 for code, name in (("BI-01", "Business intelligence"),
                                    ("CM-01", "Contract monitoring"),
                                    ("HR-01", "HR and payroll"))}

        def answer(ccg, code, needed, priority="high", mode="buy", notes=""):
            _insert(connection, "requirement", organisation_id=ccg,
                    specification_id=specs[code], needed=needed, priority=priority,
                    intended_mode=mode, notes=notes, created_at=NOW, updated_at=NOW)

        answer(coventry, "BI-01", True, "high", "buy", "Weekly dashboards")
        answer(coventry, "CM-01", True, "low", "share")
        answer(coventry, "HR-01", False, notes="Kept in-house by the council")
        answer(darlington, "HR-01", False)

    flask_migrate.upgrade()

    with db.engine.connect() as connection:
        assert "requirement" not in sa.inspect(connection).get_table_names()
        found = _rows(connection, "SELECT * FROM statement ORDER BY lead_ccg_id")
        assert [row["lead_ccg_id"] for row in found] == [coventry, darlington]
        first = found[0]
        assert first["status"] == "draft" and first["split_method"] == "population"
        assert "Answered as not needed: HR and payroll (HR-01): Kept in-house by the " \
               "council." in first["summary"]
        lines = _rows(connection, "SELECT * FROM statement_line WHERE statement_id = :id "
                                  "ORDER BY specification_id", id=first["id"])
        assert [(row["specification_id"], row["priority"], row["mode"], row["notes"])
                for row in lines] == [(specs["BI-01"], "high", "buy", "Weekly dashboards"),
                                      (specs["CM-01"], "low", "share", "")]
        assert all(row["budget_annual"] is None and row["confirmed_at"] is None
                   for row in lines)
        parties = _rows(connection, "SELECT * FROM statement_party ORDER BY statement_id")
        assert [(p["ccg_id"], bool(p["is_lead"]), p["status"]) for p in parties] == [
            (coventry, True, "invited"), (darlington, True, "invited")]
        # Darlington said no to everything: an empty draft that still records its answer.
        assert "HR and payroll (HR-01)" in found[1]["summary"]
        events = _rows(connection, "SELECT * FROM audit_event WHERE action = "
                                   "'statement.created' ORDER BY object_id")
        assert [e["object_id"] for e in events] == [str(first["id"]), str(found[1]["id"])]
        assert "organisation" in sa.inspect(connection).get_table_names()
        assert "pct_cluster" in {c["name"] for c in sa.inspect(connection).get_columns(
            "organisation")}

    flask_migrate.downgrade(revision=BEFORE)

    with db.engine.connect() as connection:
        back = _rows(connection, "SELECT organisation_id, specification_id, needed, priority,"
                                 " intended_mode, notes FROM requirement "
                                 "ORDER BY specification_id")
        assert [tuple(row.values()) for row in back] == [
            (coventry, specs["BI-01"], True, "high", "buy", "Weekly dashboards"),
            (coventry, specs["CM-01"], True, "low", "share", "")]
        assert _rows(connection, "SELECT id FROM statement") == []
        assert "pct_cluster" not in {c["name"] for c in sa.inspect(connection).get_columns(
            "organisation")}
