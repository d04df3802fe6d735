"""Time a full demo review's PDF against WeasyPrint alone, and serving an issued PDF.

Run from the repository root: python bench/pdf.py [--runs N]
It builds a throwaway SQLite database (migrations + seed-demo) in a temporary folder and
takes a signed-off Checkpoint 2 review with conditions and a development plan.

- render: the app's whole path (queries, analysis, charts, Jinja, WeasyPrint through the
  app's fetcher), as a ratio to WeasyPrint converting the same HTML string directly with its
  own defaults. Target: at most 1.2x.
- serve: GET /review-documents/<id>/issued.pdf through the Flask test client, as a fraction of
  the render time. Target: under 1/50.
Each figure is the median of --runs runs after a warm-up; render and direct runs alternate so
a busy machine slows both alike, and each is timed with garbage collected beforehand and the
collector off, as timeit does. This prints the figures and does not assert.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from flask import g  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from weasyprint import HTML  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.auth.loader import enter_session  # noqa: E402
from marketplace.demo import seed_demo  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import (  # noqa: E402
    Checkpoint,
    Condition,
    Review,
    ReviewStatus,
    Submission,
    User,
)
from marketplace.reports.pdf import base_url  # noqa: E402
from marketplace.services import sessions  # noqa: E402
from marketplace.services.review_document_render import render_review_pdf, review_html  # noqa: E402
from marketplace.services.review_documents import ensure_issued  # noqa: E402

RENDER_RATIO_TARGET = 1.2
SERVE_FRACTION_TARGET = 1 / 50


def demo_review() -> Review:
    """The signed-off Checkpoint 2 review with the most conditions (a scenario C, if any)."""
    return db.session.scalars(
        select(Review).join(Submission).join(Checkpoint)
        .outerjoin(Condition, Condition.review_id == Review.id)
        .where(Checkpoint.number == 2, Review.status == ReviewStatus.SIGNED_OFF)
        .group_by(Review.id).order_by(func.count(Condition.id).desc(), Review.id)
    ).first()


def timed(action) -> tuple[float, object]:
    """Seconds ``action`` takes, with the garbage collector out of the timing, as timeit
    does: each loop allocates alike, so a full collection otherwise falls on the same step
    of every loop and charges one side for the other's garbage."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        value = action()
        return time.perf_counter() - started, value
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--serve-runs", type=int, default=50)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({
            "ENV_NAME": "test", "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
            "RATELIMIT_STORAGE_URI": "memory://", "DEMO_PASSWORD": "bench-password",
            "REDIS_URL": None,
        })
        with app.app_context():
            flask_migrate.upgrade()
            seed_demo(1)
            review = demo_review()
            print(f"review {review.reference}: {review.submission.organisation.name}, "
                  f"{review.outcome_label}, {len(review.conditions)} conditions, "
                  f"{len(review.actions)} development actions")

            html = review_html(review)
            static_base = base_url()
            render_review_pdf(review)  # warm-up: templates, fonts, imports
            HTML(string=html, base_url=static_base).write_pdf()

            full, direct, build = [], [], []
            outputs = set()
            for _ in range(options.runs):
                seconds, content = timed(lambda: render_review_pdf(review))
                full.append(seconds)
                outputs.add(hashlib.sha256(content).hexdigest())
                build.append(timed(lambda: review_html(review))[0])
                direct.append(timed(
                    lambda: HTML(string=html, base_url=static_base).write_pdf())[0])
                db.session.expire_all()  # each render reads the review afresh, as issuing does
            render_seconds = statistics.median(full)
            direct_seconds = statistics.median(direct)
            ratio = render_seconds / direct_seconds

            document, _ = ensure_issued(review)
            client = app.test_client()
            reviewer = db.session.scalar(select(User).where(User.email == "bdu@demo.test"))
            token = sessions.start(reviewer, "bench")
            db.session.commit()
            with client.session_transaction() as session:
                enter_session(session, reviewer, token)
            url = f"/review-documents/{review.id}/issued.pdf"
            serve = []
            for run in range(options.serve_runs + 3):
                g.__dict__.clear()
                seconds, response = timed(lambda: client.get(url))
                assert response.status_code == 200 and response.get_data() == document.content
                if run >= 3:  # the first requests warm the session and templates
                    serve.append(seconds)
            serve_seconds = statistics.median(serve)
            fraction = serve_seconds / render_seconds

    print(f"\nPDF: {len(content):,} bytes; identical bytes on every render: "
          f"{'yes' if len(outputs) == 1 else 'NO'}")
    print(f"  build the HTML (queries, analysis, charts, Jinja)  "
          f"{statistics.median(build) * 1000:8.1f} ms")
    print(f"  full render (HTML + PDF through the app)           {render_seconds * 1000:8.1f} ms")
    print(f"  WeasyPrint on the same HTML string, directly       {direct_seconds * 1000:8.1f} ms")
    verdict = "meets" if ratio <= RENDER_RATIO_TARGET else "misses"
    print(f"  ratio                                              {ratio:8.2f}x  "
          f"(target at most {RENDER_RATIO_TARGET}x: {verdict})")
    print(f"  serve the issued PDF (GET, test client)            {serve_seconds * 1000:8.2f} ms")
    verdict = "meets" if fraction < SERVE_FRACTION_TARGET else "misses"
    print(f"  serve / render                                     1/{1 / fraction:,.0f}  "
          f"(target under 1/50: {verdict})")


if __name__ == "__main__":
    main()
