"""Faults: the database going away and coming back, a process killed mid-transaction, and
Redis down for login throttling. Each uses servers of its own (tests/throwaway.py)."""

import os
import signal
import subprocess
import sys
import textwrap

import flask_migrate
import pytest
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.demo.organisations import seed_organisations
from marketplace.demo.users import seed_users
from marketplace.extensions import db, limiter
from marketplace.models import Agreement, AuditEvent
from marketplace.services import agreements

from .conftest import DEMO_PASSWORD, Client, user
from .factories import (
    create_agreement,
    market,  # noqa: F401  (fixture)
)
from .throwaway import (  # noqa: F401  (fixtures)
    bin_version,
    free_port,
    postgres_bin,
    postgres_server,
    redis_server,
)

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# PostgreSQL's server binaries are found whatever version the machine has.


def test_postgres_binaries_are_found_without_a_fixed_version():
    folder = postgres_bin()
    assert folder is not None and (folder / "initdb").exists() and (folder / "pg_ctl").exists()


def test_the_newest_postgres_version_is_preferred(tmp_path):
    folders = [tmp_path / version / "bin" for version in ("9.6", "16", "15", "latest")]
    assert sorted(folders, key=bin_version, reverse=True)[:3] == [
        tmp_path / "16" / "bin", tmp_path / "15" / "bin", tmp_path / "9.6" / "bin"]


# The database stops while the app runs, then comes back.


def test_database_down_gives_503_without_a_trace_and_the_app_recovers(
    postgres_server,  # noqa: F811
):
    app = create_app({
        "ENV_NAME": "test",
        "SQLALCHEMY_DATABASE_URI": postgres_server.url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                      "connect_args": {"connect_timeout": 2}},
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "REDIS_URL": None,
    })
    app.test_client_class = Client
    with app.app_context():
        flask_migrate.upgrade()
        seed_organisations()
        seed_users()
        db.session.commit()
    client = app.test_client()
    with app.app_context():
        client.sign_in_as("ccg@demo.test")
        db.session.remove()

    assert client.get("/dashboard").status_code == 200
    assert client.get("/api/v1/specifications").status_code == 200

    postgres_server.stop()
    page = client.get("/dashboard")
    body = page.get_data(as_text=True)
    assert page.status_code == 503
    assert "Sorry, the service is unavailable" in body
    assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body
    api = client.get("/api/v1/specifications")
    assert api.status_code == 503
    assert api.get_json() == {"errors": [{"field": None,
                                          "message": "Sorry, the service is unavailable"}]}
    assert "psycopg" not in api.get_data(as_text=True)
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200  # the process itself is fine

    postgres_server.start()
    # No restart: the pool notices its dead connections and makes new ones.
    assert client.get("/dashboard").status_code == 200
    assert client.get("/api/v1/specifications").status_code == 200
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()


# A process killed in the middle of a write leaves nothing half-written.

KILLED_MID_WRITE = textwrap.dedent("""
    import os, signal, sys
    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.models import Agreement, User
    from marketplace.services import agreements

    def die_after_the_first_writes(*args, **kwargs):
        db.session.flush()  # the signature is written, not yet committed
        print("flushed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                      "REDIS_URL": None})
    with app.app_context():
        agreements.record_event = die_after_the_first_writes
        actor = db.session.scalar(db.select(User).where(User.email == "ccg@demo.test"))
        agreement = db.session.get(Agreement, int(sys.argv[2]))
        agreements.sign_for_ccg(actor, agreement, agreement.lock_version)
""")


def _draft(market):  # noqa: F811
    return create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                            status="draft")


def test_a_worker_killed_mid_transaction_leaves_no_half_written_signature(
    app, database_url, market  # noqa: F811
):
    agreement_id = _draft(market).id
    db.session.remove()  # hold no lock the killed process would wait on
    result = subprocess.run(
        [sys.executable, "-c", KILLED_MID_WRITE, database_url, str(agreement_id)],
        capture_output=True, text=True, timeout=60, cwd=os.getcwd(),
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert result.stdout.strip() == "flushed"
    agreement = db.session.get(Agreement, agreement_id)
    assert agreement.status == "draft" and agreement.ccg_signed_at is None
    assert count(AuditEvent, AuditEvent.action == "agreement.signed_by_ccg") == 0
    # And the database takes the same write afterwards.
    agreements.sign_for_ccg(user("ccg@demo.test"), agreement, agreement.lock_version)
    assert db.session.get(Agreement, agreement_id).status == "awaiting_countersignature"
    assert count(AuditEvent, AuditEvent.action == "agreement.signed_by_ccg") == 1


def test_a_service_failing_between_writes_rolls_back_everything(
    ccg_client, monkeypatch, market  # noqa: F811
):
    agreement = _draft(market)
    agreement_id, lock = agreement.id, agreement.lock_version

    def fail(*args, **kwargs):
        db.session.flush()
        raise RuntimeError("crash between the signature and its audit event")

    monkeypatch.setattr(agreements, "record_event", fail)
    ccg_client.application.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = ccg_client.post(f"/agreements/{agreement_id}/sign",
                                   data={"lock_version": lock})
    finally:
        ccg_client.application.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    db.session.remove()
    agreement = db.session.get(Agreement, agreement_id)
    assert agreement.status == "draft" and agreement.ccg_signed_at is None
    assert agreement.lock_version == lock
    assert count(AuditEvent, AuditEvent.action == "agreement.signed_by_ccg") == 0


# Redis down: login throttling fails safe (it keeps counting, in each worker's memory).


@pytest.fixture
def throttled_app(app):
    """An app whose limiter stores counts at a given URI. The limiter is one object shared by
    every app in this process, so its state is put back afterwards."""
    saved = dict(limiter.__dict__)

    def make(storage_uri: str):
        made = create_app({
            "ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_STORAGE_URI": storage_uri, "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
            "WTF_CSRF_ENABLED": False, "REDIS_URL": None,
        })
        return made.test_client()

    yield make
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


def wrong_password(client, email="ccg@demo.test"):
    return client.post("/sign-in", data={"email": email, "password": "not-the-password"})


def right_password(client, email):
    return client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD})


def test_with_redis_unreachable_sign_in_works_and_is_still_throttled(throttled_app):
    client = throttled_app(f"redis://127.0.0.1:{free_port()}/0")
    assert [wrong_password(client).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert right_password(client, "css@demo.test").status_code == 302


def test_throttling_counts_in_redis_and_keeps_counting_when_redis_stops(
    throttled_app, redis_server  # noqa: F811
):
    client = throttled_app(redis_server.url)
    assert [wrong_password(client).status_code for _ in range(2)] == [200, 200]
    import redis

    keys = redis.Redis.from_url(redis_server.url).keys("*")
    assert keys, "the counts should be kept in Redis, shared by every worker"
    redis_server.stop()
    # Counting starts again in memory; it never stops counting.
    statuses = [wrong_password(client).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert right_password(client, "css@demo.test").status_code == 302
