import re

import flask_migrate
import pytest
from bs4 import BeautifulSoup
from flask import g, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from marketplace import create_app
from marketplace.auth.loader import enter_session
from marketplace.demo.organisations import seed_organisations
from marketplace.demo.users import seed_users
from marketplace.extensions import db, limiter
from marketplace.models import User
from marketplace.services import sessions

from .database import (
    database_kind,
    postgres_url,
    prepare_postgres,
    reset_to_baseline,
    snapshot_baseline,
)
from .smtp import smtp_server  # noqa: F401 (a fixture: a real SMTP server)

DEMO_PASSWORD = "test-demo-password"


def pytest_report_header(config):
    return f"database: {database_kind()}"


class Client(FlaskClient):
    """A test client that sends the CSRF token with form posts, as a browser would.

    Pass ``csrf=False`` to post without one.
    """

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            session.setdefault("csrf_token", "test-csrf-" + "0" * 30)
            raw = session["csrf_token"]
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def open(self, *args, **kwargs):
        # Tests hold an app context open so they can query the database between requests;
        # Flask then reuses it (and its g) for the request. Clearing g keeps one request's
        # signed-in user from leaking into the next, as separate requests would in production.
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and "json" not in kwargs and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)

    def sign_in_as(self, email: str) -> User:
        """Start a session for a user directly, as if they had just entered their password
        (the sign-in form has its own tests)."""
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None, f"no user {email}"
        token = sessions.start(user, "test client")
        db.session.commit()
        with self.session_transaction() as session:
            enter_session(session, user, token)
        return user


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if database_kind() == "postgresql":
        url = postgres_url()
        prepare_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "ENV_NAME": "test",
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "REDIS_URL": None,
            # Seeding renders each 2012 review's PDF; tests that seed skip it for speed
            # (tests/reports/test_seeded_documents.py turns it on).
            "REVIEW_DOCUMENTS_AT_SEEDING": False,
        }
    )
    app.test_client_class = Client
    with app.app_context():
        flask_migrate.upgrade()
        seed_organisations()
        seed_users()
        db.session.commit()
        app.extensions["test_baseline"] = snapshot_baseline()
    return app


@pytest.fixture(autouse=True)
def _fresh_database(request):
    """Every test that uses the app starts from the seeded organisations and users only."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        reset_to_baseline(app.extensions["test_baseline"])
        limiter.reset()
    yield


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def client(app, app_context) -> Client:
    return app.test_client()


def _client_for(app, email):
    client = app.test_client()
    client.sign_in_as(email)
    return client


@pytest.fixture
def ccg_client(app, app_context):
    return _client_for(app, "ccg@demo.test")


@pytest.fixture
def css_client(app, app_context):
    return _client_for(app, "css@demo.test")


@pytest.fixture
def bdu_client(app, app_context):
    return _client_for(app, "bdu@demo.test")


@pytest.fixture
def peer_client(app, app_context):
    return _client_for(app, "peer@demo.test")


@pytest.fixture
def admin_client(app, app_context):
    return _client_for(app, "admin@demo.test")


@pytest.fixture
def sign_in(app, app_context):
    """sign_in("someone@demo.test") -> a client signed in as them."""
    return lambda email: _client_for(app, email)


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html(response).get_text(" ")).strip()


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def catalogue_cache_on(app, app_context):
    """The catalogue cache (services/catalogue_cache.py) turned on for this test only, in
    the Redis at 127.0.0.1:6379 that CI and `make test` run, under a prefix nobody else
    uses: (the Redis client, the prefix). Off otherwise, as many tests share one database,
    put back between them without moving the catalogue's generation."""
    from uuid import uuid4

    from redis import Redis

    from marketplace.services import catalogue_cache

    url = "redis://127.0.0.1:6379/0"
    redis = Redis.from_url(url)
    prefix = f"test-catalogue:{uuid4().hex}"
    app.config.update(SEARCH_CACHE_URL=url, SEARCH_CACHE_PREFIX=prefix)
    catalogue_cache.init_app(app)
    try:
        yield redis, prefix
    finally:
        app.config.update(SEARCH_CACHE_URL=None, SEARCH_CACHE_PREFIX="marketplace:search")
        catalogue_cache.init_app(app)
        for key in redis.scan_iter(f"{prefix}:*"):
            redis.delete(key)
