"""enqueue_or_run: queued when Redis answers, run inline when it is missing or down."""

import time
from pathlib import Path

import pytest
from flask import current_app

from marketplace.jobs import enqueue_or_run, work

from .throwaway import free_port, redis_server  # noqa: F401  (fixture)


def write_marker(path: str, text: str) -> str:
    # Proves the job ran with an app context, as the PDF rendering job will need.
    Path(path).write_text(f"{text} in {current_app.name}")
    return text


@pytest.fixture
def redis_url(app):
    original = app.config["REDIS_URL"]
    yield lambda url: app.config.__setitem__("REDIS_URL", url)
    app.config["REDIS_URL"] = original


def test_without_redis_the_job_runs_inline(app_context, tmp_path):
    marker = tmp_path / "marker"
    outcome = enqueue_or_run(write_marker, str(marker), "rendered")
    assert (outcome.queued, outcome.result) == (False, "rendered")
    assert marker.read_text() == "rendered in marketplace"


def test_with_redis_down_the_job_runs_inline_without_waiting(app_context, redis_url, tmp_path,
                                                             caplog):
    redis_url(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    marker = tmp_path / "marker"
    started = time.monotonic()
    outcome = enqueue_or_run(write_marker, str(marker), "rendered")
    assert time.monotonic() - started < 5
    assert not outcome.queued and marker.exists()
    assert "running tests.test_jobs.write_marker inline" in caplog.text


def test_with_redis_up_the_job_is_queued_and_the_worker_runs_it(
    app_context, redis_url, redis_server, tmp_path  # noqa: F811
):
    redis_url(redis_server.url)
    marker = tmp_path / "marker"
    outcome = enqueue_or_run(write_marker, str(marker), "queued")
    assert outcome.queued and outcome.job_id
    assert not marker.exists()
    work(burst=True)
    assert marker.read_text() == "queued in marketplace"


def test_only_module_level_functions_can_be_queued(app_context):
    with pytest.raises(ValueError, match="module-level"):
        enqueue_or_run(lambda: None)
