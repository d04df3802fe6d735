"""Extensions are created unbound here and bound to an app in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Stable constraint names so Alembic migrations can drop and alter them on every engine.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


PREPARED_MAX = 1000


def tune_connection(dbapi_connection, connection_record) -> None:
    """Settings for each new database connection.

    SQLite's defaults (a 2 MB page cache, reads through system calls) make search re-read
    the offer table from the OS on every query once it outgrows them. A bigger cache and
    memory-mapped reads keep a demo-scale or benchmark database in memory.

    PostgreSQL's planner by default prices a random page read at four sequential ones, as
    for spinning disks; with the data cached or on SSD that makes it hash-join all of a
    table where a few index lookups would do (loading a page of search results read every
    organisation). 1.1 is the usual setting for such storage.

    psycopg prepares a statement once it has run five times, but keeps at most 100 prepared
    per connection, forgetting the least recently used. A worker serving every kind of page
    runs some three hundred distinct statements, so in turn each was forgotten before its
    next run and planned afresh every time (a page's joins take longer to plan than to
    run). PREPARED_MAX keeps them all, for a few kilobytes each on the server."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA cache_size = -65536")  # KiB: 64 MB
        cursor.execute("PRAGMA mmap_size = 268435456")  # 256 MB
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        dbapi_connection.prepared_max = PREPARED_MAX
        dbapi_connection.execute("SET random_page_cost = 1.1")
        dbapi_connection.commit()  # a rollback would otherwise undo it


def end_reads_with_commit(error: BaseException | None) -> None:
    """At the end of a request (or any app context), commit a PostgreSQL transaction that
    wrote nothing, rather than leave Flask-SQLAlchemy to roll it back.

    Either ends it alike when nothing was written, but psycopg forgets the statements it
    has prepared at every ROLLBACK. A page that only reads ended with one, so no statement
    was ever run often enough in one transaction to be prepared, and PostgreSQL parsed and
    planned every statement of every page afresh (for the joins of a review page, longer
    than running them). Whether the transaction wrote anything is asked of PostgreSQL (an
    id is assigned at the first write), so nothing that a request changed and did not
    commit, flushed or not, is ever committed here."""
    from sqlalchemy.exc import SQLAlchemyError

    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return  # changes never flushed: left to the rollback
    try:
        if session.get_bind().dialect.name != "postgresql":
            return
        wrote = session.connection().exec_driver_sql(
            "SELECT pg_current_xact_id_if_assigned() IS NOT NULL").scalar()
        if not wrote:
            session.commit()
    except SQLAlchemyError:
        return  # the database went away: the rollback that follows ends it
