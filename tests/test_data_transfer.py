"""flask export / flask import: all data out as JSON and back into an empty database."""

import json

import flask_migrate
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from marketplace import create_app
from marketplace.demo import seed_demo
from marketplace.extensions import db
from marketplace.models import AuditEvent, Offer

from .database import database_kind, prepare_postgres


@pytest.fixture
def empty_app(database_url, tmp_path):
    """A second app on a database of its own, built by the migrations and holding no data."""
    if database_kind() == "postgresql":
        url = make_url(database_url)
        url = url.set(database=f"{url.database}_import").render_as_string(hide_password=False)
        prepare_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None})
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_export_import_export_gives_the_same_file(app, empty_app, tmp_path):
    with app.app_context():
        seed_demo()
        highest_event = db.session.scalar(select(func.max(AuditEvent.id)))
        offers = db.session.scalar(select(func.count()).select_from(Offer))
    first, second = tmp_path / "first.json", tmp_path / "second.json"

    exported = run(app, "export", str(first))
    assert exported.exit_code == 0, exported.output
    imported = run(empty_app, "import", str(first))
    assert imported.exit_code == 0, imported.output
    again = run(empty_app, "export", str(second))
    assert again.exit_code == 0, again.output

    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    tables = data["tables"]
    assert list(tables) == [table.name for table in db.metadata.sorted_tables]
    assert all(tables[name] for name in ("offer", "agreement", "review", "audit_event"))
    # Lossless forms: money as a string, times in UTC ISO 8601, JSON as it was.
    offer = tables["offer"][0]
    assert isinstance(offer["price"], str) and "." in offer["price"]
    assert offer["created_at"].endswith("+00:00")
    assert isinstance(offer["service_levels"], list)
    ids = [row["id"] for row in tables["audit_event"]]
    assert ids == sorted(ids)

    # New rows after an import get fresh ids (on PostgreSQL the sequences moved past them).
    with empty_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Offer)) == offers
        event = AuditEvent(action="test.imported", object_type="System", summary="after import")
        db.session.add(event)
        db.session.commit()
        assert event.id > highest_event


def test_import_refuses_a_database_that_is_not_empty(app, empty_app, tmp_path):
    file = tmp_path / "export.json"
    assert run(app, "export", str(file)).exit_code == 0  # the baseline organisations and users
    assert run(empty_app, "import", str(file)).exit_code == 0
    refused = run(empty_app, "import", str(file))
    assert refused.exit_code != 0
    assert "not empty" in refused.output
