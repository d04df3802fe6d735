"""Request logs as JSON lines with a request id (also on error pages), and Prometheus metrics
behind a token, counted across processes as under gunicorn."""

import io
import json
import logging
import os
import subprocess
import sys
import uuid

import pytest
from flask import Blueprint
from redis import Redis
from rq import Queue

from marketplace import create_app
from marketplace.access import PUBLIC, protect
from marketplace.observability.logs import build_handler

from .conftest import html, user
from .factories import drafted_review

TOKEN = "test-metrics-token-0123456789"


@pytest.fixture
def log_lines():
    """Every line logged while the test runs, formatted as production formats it."""
    stream = io.StringIO()
    handler = build_handler("json", logging.INFO, logging.StreamHandler(stream))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_each_request_is_one_json_line_with_ids_and_never_names(bdu_client, log_lines):
    response = bdu_client.get("/reviews")
    assert response.status_code == 200
    bdu = user("bdu@demo.test")
    [line] = [line for line in log_lines() if line["logger"] == "marketplace.requests"]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["user_id"], line["organisation_id"]) == (bdu.id, bdu.organisation_id)
    assert (line["method"], line["route"], line["status"], line["level"]) == (
        "GET", "/reviews", 200, "INFO")
    assert isinstance(line["duration_ms"], float) and "time" in line
    text = json.dumps(log_lines())
    assert bdu.email not in text and bdu.full_name not in text


def test_refusals_are_warnings_with_their_route(bdu_client, css_client, log_lines):
    bdu_client.get("/review-documents/2147483000")
    css_client.get("/tracker")
    lines = [line for line in log_lines() if line["logger"] == "marketplace.requests"]
    assert [(line["level"], line["route"], line["status"]) for line in lines] == [
        ("WARNING", "/review-documents/<int:review_id>", 404),
        ("WARNING", "/tracker", 403)]


@pytest.fixture
def failing_app(database_url):
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url,
                      "REDIS_URL": None, "TESTING": False})  # let the error page answer
    broken = protect(Blueprint("broken", __name__), PUBLIC)
    broken.add_url_rule("/broken", "page", lambda: 1 / 0)
    app.register_blueprint(broken)
    return app


def test_a_500_is_logged_with_its_traceback_and_the_page_gives_the_reference(
        failing_app, log_lines):
    response = failing_app.test_client().get("/broken")
    assert response.status_code == 500
    reference = response.headers["X-Request-ID"]
    assert f"quote this reference: {reference}" in " ".join(html(response).get_text().split())
    lines = [line for line in log_lines() if line.get("request_id") == reference]
    exception, request = lines
    assert exception["level"] == "ERROR" and "ZeroDivisionError" in exception["exc_info"]
    assert (request["level"], request["route"], request["status"]) == ("ERROR", "/broken", 500)


@pytest.mark.parametrize("path, status", [("/no-such-page", 404), ("/tracker", 403)])
def test_every_error_page_shows_the_request_id(css_client, path, status):
    response = css_client.get(path)
    assert response.status_code == status
    reference = html(response).select_one(".marketplace-error-reference strong").text
    assert reference == response.headers["X-Request-ID"]


@pytest.mark.parametrize("incoming, kept", [
    ("lb-3f2a9c1e-77", True),
    ("req:2012-09-14T10:00:00.123", True),
    ("<script>alert(1)</script>", False),
    ("short", False),
    ("x" * 200, False),
    ("token with spaces and a \"quote\"", False),
])
def test_an_incoming_request_id_is_kept_only_if_it_is_a_plain_token(client, incoming, kept):
    returned = client.get("/healthz", headers={"X-Request-ID": incoming}).headers["X-Request-ID"]
    assert (returned == incoming) is kept
    if not kept:
        assert len(returned) == 32 and returned.isalnum()


@pytest.fixture
def metrics_token(app):
    app.config["METRICS_TOKEN"] = TOKEN
    yield TOKEN
    app.config["METRICS_TOKEN"] = None


def _scrape(client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def _value(exposition: str, sample: str) -> float:
    for line in exposition.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_are_off_without_a_token_and_refused_without_it(client, app):
    assert client.get("/metrics").status_code == 404
    app.config["METRICS_TOKEN"] = TOKEN
    try:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            response = client.get("/metrics", headers=headers)
            assert response.status_code == 401
            assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
            assert "marketplace_" not in response.get_data(as_text=True)
    finally:
        app.config["METRICS_TOKEN"] = None


def test_metrics_count_requests_by_route_and_status_and_pdf_renders(
        bdu_client, metrics_token):
    sample = ('marketplace_http_request_duration_seconds_count'
              '{method="GET",route="/review-documents/<int:review_id>/draft.pdf",status="200"}')
    renders = 'marketplace_pdf_renders_total{outcome="rendered"}'
    before = _scrape(bdu_client)
    review = drafted_review(2)
    assert bdu_client.get(f"/review-documents/{review.id}/draft.pdf").status_code == 200
    after = _scrape(bdu_client)
    assert _value(after, sample) == _value(before, sample) + 1
    assert _value(after, renders) == _value(before, renders) + 1
    assert "marketplace_pdf_render_duration_seconds_bucket" in after
    assert "marketplace_db_pool_checked_out_connections" in after


def test_metrics_read_the_queue_depth_from_redis(app, client, metrics_token):
    name = f"test-metrics-{uuid.uuid4().hex}"
    connection = Redis.from_url("redis://127.0.0.1:6379/0")
    queue = Queue(name, connection=connection)
    original = app.config["REDIS_URL"], app.config["PDF_QUEUE"]
    app.config["REDIS_URL"], app.config["PDF_QUEUE"] = "redis://127.0.0.1:6379/0", name
    try:
        for review_id in (1, 2, 3):
            queue.enqueue("marketplace.review_documents.jobs.issue_review_document", review_id)
        exposition = _scrape(client)
    finally:
        app.config["REDIS_URL"], app.config["PDF_QUEUE"] = original
        queue.delete(delete_jobs=True)
    assert _value(exposition, "marketplace_rq_redis_up") == 1
    assert _value(exposition, f'marketplace_rq_queue_jobs{{queue="{name}"}}') == 3


WORKER = """
import sys
from marketplace import create_app
database_url, requests, action, token = sys.argv[1:]
app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url,
                  "METRICS_TOKEN": token})
client = app.test_client()
for _ in range(int(requests)):
    assert client.get("/healthz").status_code == 200
if action == "scrape":
    print(client.get("/metrics", headers={"Authorization": "Bearer " + token}).get_data(True))
"""


def test_workers_in_multiprocess_mode_are_added_up_at_a_scrape(database_url, tmp_path):
    # As under make serve: two gunicorn workers count, a third process answers the scrape.
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def run(requests: int, scrape: bool) -> str:
        return subprocess.run(
            [sys.executable, "-c", WORKER, database_url, str(requests),
             "scrape" if scrape else "count", TOKEN],
            env=environment, capture_output=True, text=True, check=True).stdout

    run(3, scrape=False)
    run(4, scrape=False)
    exposition = run(0, scrape=True)
    sample = ('marketplace_http_request_duration_seconds_count'
              '{method="GET",route="/healthz",status="200"}')
    assert _value(exposition, sample) == 7
