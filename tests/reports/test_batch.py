"""flask reviews render: inline, as RQ jobs on the real local Redis, and the fallback; ZIPs."""

import io
import threading
import time
import uuid
import zipfile

import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from marketplace.reports import storage
from marketplace.review_documents import batch

from .. import factories as build
from ..factories import drafted_review, sign_off, signed_off_without_document

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def two_signed_off_reviews(app_context):
    issued = sign_off(drafted_review(2))
    legacy = signed_off_without_document(drafted_review(2, name=build.GEM))
    return issued, legacy


@pytest.fixture
def redis_queue(app):
    """A queue of this test's own on the local Redis, removed afterwards with its keys."""
    connection = Redis.from_url(REDIS_URL)
    name = f"test-review-pdfs-{uuid.uuid4().hex}"
    original = app.config["REDIS_URL"], app.config["PDF_QUEUE"]
    app.config["REDIS_URL"], app.config["PDF_QUEUE"] = REDIS_URL, name
    queue = Queue(name, connection=connection)
    yield queue
    app.config["REDIS_URL"], app.config["PDF_QUEUE"] = original
    job_ids = set(queue.get_job_ids())
    for registry in (queue.finished_job_registry, queue.failed_job_registry,
                     queue.started_job_registry):
        job_ids.update(registry.get_job_ids())
    for job_id in job_ids:
        connection.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    queue.delete(delete_jobs=True)
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)


def test_the_command_renders_inline_and_writes_the_issued_files(app, two_signed_off_reviews,
                                                                tmp_path):
    issued, legacy = two_signed_off_reviews
    before = storage.read(storage.latest(issued.id))
    result = app.test_cli_runner().invoke(
        args=["reviews", "render", "--checkpoint", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2 signed-off reviews" in result.output  # the progress bar's label
    assert "Rendered in this process: 1 issued now, 1 already issued." in result.output
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == sorted(
        [storage.latest(issued.id).filename, storage.latest(legacy.id).filename])
    assert (tmp_path / storage.latest(issued.id).filename).read_bytes() == before
    assert (tmp_path / storage.latest(legacy.id).filename).read_bytes() == \
        storage.read(storage.latest(legacy.id))
    assert storage.latest(legacy.id).issued_at == legacy.signed_off_at


def test_rendering_runs_as_rq_jobs_on_redis(app, two_signed_off_reviews, redis_queue):
    issued, legacy = two_signed_off_reviews
    connection = redis_queue.connection
    jobs = batch.enqueue(redis_queue, [issued, legacy])
    assert redis_queue.count == 2 and storage.latest(legacy.id) is None
    SimpleWorker([redis_queue], connection=connection).work(burst=True)
    progress = []
    result = batch.wait_for(jobs, connection, progress.append, timeout=10)
    assert result.mode == "rq"
    assert (result.issued_now, result.already_issued) == ([legacy.id], [issued.id])
    assert sum(progress) == 2
    assert storage.latest(legacy.id).sha256


def test_the_command_waits_for_rq_workers(app, two_signed_off_reviews, redis_queue, tmp_path):
    outcome = {}

    def run_command():  # the command waits on Redis while this test works the queue
        outcome["result"] = app.test_cli_runner().invoke(
            args=["reviews", "render", "--checkpoint", "2", "--out", str(tmp_path),
                  "--timeout", "60"])

    command = threading.Thread(target=run_command)
    command.start()
    deadline = time.monotonic() + 30
    while redis_queue.count < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
    command.join(60)
    result = outcome["result"]
    assert result.exit_code == 0, result.output
    assert f"Rendered in RQ queue {redis_queue.name!r}: 1 issued now, 1 already issued." \
        in result.output
    assert len(list(tmp_path.iterdir())) == 2


def test_with_redis_down_the_command_warns_and_renders_inline(app, two_signed_off_reviews):
    original = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        result = app.test_cli_runner().invoke(args=["reviews", "render", "--checkpoint", "2"])
    finally:
        app.config["REDIS_URL"] = original
    assert result.exit_code == 0, result.output
    assert "Warning: Redis at redis://127.0.0.1:1/0 is not answering" in result.output
    assert "Rendered in this process: 1 issued now, 1 already issued." in result.output


def test_an_unknown_checkpoint_is_an_error(app, app_context):
    result = app.test_cli_runner().invoke(args=["reviews", "render", "--checkpoint", "9"])
    assert result.exit_code != 0 and "There is no checkpoint 9." in result.output


def test_the_checkpoint_zip_is_the_same_bytes_every_time(sign_in, two_signed_off_reviews):
    issued, legacy = two_signed_off_reviews
    client = sign_in("bdu@demo.test")
    client.get(f"/review-documents/{legacy.id}/issued.pdf")  # issued on first download
    first = client.get("/review-documents/checkpoints/2/issued.zip")
    time.sleep(1.1)
    second = client.get("/review-documents/checkpoints/2/issued.zip")
    assert first.status_code == 200 and first.mimetype == "application/zip"
    assert first.get_data() == second.get_data()
    archive = zipfile.ZipFile(io.BytesIO(first.get_data()))
    names = archive.namelist()
    assert names == sorted(names) and len(names) == 2
    for review in (issued, legacy):
        document = storage.latest(review.id)
        assert archive.read(document.filename) == storage.read(document)
        moment = review.signed_off_at
        assert archive.getinfo(document.filename).date_time == (
            moment.year, moment.month, moment.day, moment.hour, moment.minute,
            moment.second - moment.second % 2)  # ZIP keeps even seconds
