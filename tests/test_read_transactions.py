"""A transaction that wrote nothing ends with COMMIT on PostgreSQL (extensions.
end_reads_with_commit), so that psycopg keeps the statements it prepared; one that wrote,
flushed or not, is never committed by it."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db, end_reads_with_commit
from marketplace.models import Organisation

from .database import database_kind

ON_POSTGRESQL = database_kind() == "postgresql"


def _name(organisation_id: int) -> str:
    return db.session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))


@pytest.fixture
def arden_id(app_context) -> int:
    found = db.session.scalar(select(Organisation.id).where(Organisation.name == "Arden CSS"))
    db.session.commit()
    return found


def test_a_flushed_change_is_never_committed(arden_id):
    db.session.get(Organisation, arden_id).name = "Renamed, not saved"
    db.session.flush()
    end_reads_with_commit(None)
    db.session.rollback()
    assert _name(arden_id) == "Arden CSS"


def test_a_change_not_yet_flushed_is_never_committed(arden_id):
    db.session.get(Organisation, arden_id).name = "Renamed, not saved"
    end_reads_with_commit(None)
    db.session.rollback()
    assert _name(arden_id) == "Arden CSS"


def test_a_request_that_failed_is_left_to_the_rollback(arden_id):
    assert _name(arden_id) == "Arden CSS"
    end_reads_with_commit(RuntimeError("the view failed"))
    assert db.session().in_transaction()


def test_a_read_ends_with_commit_on_postgresql_only(arden_id):
    assert _name(arden_id) == "Arden CSS"
    end_reads_with_commit(None)
    # Committed on PostgreSQL; on SQLite left to Flask-SQLAlchemy's rollback.
    assert db.session().in_transaction() is not ON_POSTGRESQL


@pytest.mark.skipif(not ON_POSTGRESQL, reason="prepared statements are psycopg's")
def test_pages_that_only_read_keep_their_statements_prepared(app):
    with app.app_context():
        client = app.test_client()
        client.sign_in_as("bdu@demo.test")
    # Each request in an app context of its own, ended and its connection given back to
    # the pool, as in a web worker.
    for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
        assert client.get("/dashboard").status_code == 200
    with app.app_context():
        pool = db.engine.pool
        held = [db.engine.raw_connection() for _ in range(pool.checkedin())]
        try:
            prepared = []
            for connection in held:
                cursor = connection.cursor()
                cursor.execute("SELECT count(*) FROM pg_prepared_statements")
                prepared.append(cursor.fetchone()[0])
                connection.rollback()
        finally:
            for connection in held:
                connection.close()
    assert prepared and max(prepared) > 0, prepared


@pytest.mark.skipif(not ON_POSTGRESQL, reason="prepared statements are psycopg's")
def test_a_connection_keeps_more_statements_prepared_than_psycopgs_hundred(app):
    """A worker runs some three hundred distinct statements; psycopg's own limit of 100
    would forget each before its next run (extensions.PREPARED_MAX)."""
    distinct = 150
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            for _ in range(6):  # prepared on the fifth run
                for n in range(distinct):
                    cursor.execute(f"SELECT {n} + %s", (1,))
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            prepared = cursor.fetchone()[0]
            connection.rollback()
        finally:
            connection.close()
    assert prepared >= distinct, prepared
