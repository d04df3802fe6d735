import re

from marketplace import create_app


def test_security_headers_on_pages(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # The only inline script carries the nonce that the policy names.
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    body = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)


def test_hsts_only_in_production(client, monkeypatch, database_url):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://marketplace.example.nhs.uk")
    app = create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": database_url})
    assert "max-age" in app.test_client().get("/healthz").headers["Strict-Transport-Security"]


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["database"] == "ok"


def test_readyz_reports_an_unreachable_database(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "test",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "unavailable"


def test_pages_answer_503_when_the_database_is_unreachable():
    app = create_app(
        {
            "ENV_NAME": "test",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
        }
    )
    client = app.test_client()
    page = client.post("/sign-in", data={"email": "a@b.test", "password": "x"})
    assert page.status_code == 503
    assert "Traceback" not in page.get_data(as_text=True)
    assert "unavailable" in page.get_data(as_text=True)
    api = client.get("/api/v1/openapi.json")
    assert api.status_code == 200  # needs no database


def test_redis_readiness_when_configured_and_down(database_url):
    app = create_app(
        {"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url,
         "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "unavailable"
