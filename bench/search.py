"""Time the /offers search at demo scale and at --scale 100, against the sign-in page.

Run from the repository root:
    python bench/search.py [--runs N] [--scale 100] [--database-url postgresql+psycopg://...]

Without --database-url it builds a throwaway SQLite database in a temporary folder. With one,
the database must be a throwaway too: its public schema is dropped and rebuilt, and after
seeding it is vacuumed, analysed and checkpointed (see settle).
Each figure is the median of --runs requests (50 by default) through the Flask test client,
after a warm-up, the requests taking turns; the ratio is to GET /sign-in (a bare base-layout
page) measured in the same turns, so that a busy shared machine slows both alike. Each search
is timed twice: worked out afresh (no cache: what the first to ask it after a change to the
catalogue waits), and, when a Redis answers at REDIS_URL (default 127.0.0.1:6379), asked
again and kept (services.catalogue_cache, as in production), under a prefix of the run's own.

Target (issue #15): a search with keywords at most 4x the sign-in page at scale 100, on
both engines; browsing without keywords, and the floor (one statement counting every
published offer, timed in the same turns), are printed for information (bench/pages.py holds
every page to 5x). This prints the figures and does not assert.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from flask import g  # noqa: E402
from pages import search_cache  # noqa: E402  (bench/pages.py: Redis as in production)
from sqlalchemy import func, select  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.auth.loader import enter_session  # noqa: E402
from marketplace.demo import seed_demo  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import (  # noqa: E402
    Offer,
    Organisation,
    ProspectusVersion,
    User,
    VersionStatus,
)
from marketplace.services import sessions  # noqa: E402

QUERIES = ("risk stratification", "contract monitoring", "procurement")
RATIO_TARGET = 4.0


def reset_postgres(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(target, autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
        connection.execute("CREATE SCHEMA public")


def timed_get(client, url) -> float:
    if callable(url):  # a statement on its own (see floor)
        started = time.perf_counter()
        url()
        return time.perf_counter() - started
    g.__dict__.clear()
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds


def median_seconds(requests: dict, runs: int) -> dict:
    """Median seconds per named (client, url, cold) request. The requests take turns, run
    by run, so a burst of load on a shared machine falls on all of them alike rather than on
    whichever was being measured at the time."""
    for client, url in requests.values():
        for _ in range(3):
            timed_get(client, url)  # warm the templates and connections
    timings: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(runs):
        for name, (client, url) in requests.items():
            timings[name].append(timed_get(client, url))
    return {name: statistics.median(values) for name, values in timings.items()}


def sign_in(client, email: str) -> None:
    user = db.session.scalar(select(User).where(User.email == email))
    token = sessions.start(user, "bench")
    db.session.commit()
    with client.session_transaction() as session:
        enter_session(session, user, token)


def measure(app, kept_app, runs: int) -> dict:
    """Per search timed: (median seconds, median seconds of GET /sign-in in the same turns).
    Each search is timed worked out afresh (``app``: no cache) and, with ``kept_app`` (Redis,
    as in production), asked again: kept, as most searches are between two changes to the
    catalogue."""
    anonymous = app.test_client()
    ccg = app.test_client()
    sign_in(ccg, "ccg@demo.test")
    searchers = {"": (anonymous, ccg)}
    if kept_app is not None:
        with kept_app.app_context():
            kept_ccg = kept_app.test_client()
            sign_in(kept_ccg, "ccg@demo.test")
        searchers[", kept"] = (kept_app.test_client(), kept_ccg)
    requests = {"sign-in": (anonymous, "/sign-in")}
    for how, (anonymous_client, ccg_client) in searchers.items():
        for query in QUERIES:
            url = "/offers?q=" + query.replace(" ", "+")
            requests[f"anonymous {query!r}{how}"] = (anonymous_client, url)
            requests[f"CCG user {query!r}{how}"] = (ccg_client, url)
        requests[f"CCG user 'procurement', planning{how}"] = (
            ccg_client, "/offers?q=procurement&phase=planning")
        requests[f"browsing, no keywords{how}"] = (anonymous_client, "/offers")
        requests[f"browsing, page 50{how}"] = (anonymous_client, "/offers?page=50")
    requests[FLOOR] = (None, floor)
    timings = median_seconds(requests, runs)
    base = timings.pop("sign-in")
    return {name: (seconds, base) for name, seconds in timings.items()}


FLOOR = "floor: one count of every published offer"


def floor() -> None:
    """The least any exact count of every published offer costs: one statement, the
    published offers of trading providers counted per specification, without the page,
    the facets' keys or a template. Timed beside the searches, it shows how much of a
    search's ratio the database needs only to read every offer once."""
    db.session.execute(
        select(Offer.specification_id, func.count())
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, ProspectusVersion.organisation_id == Organisation.id)
        .where(ProspectusVersion.status == VersionStatus.PUBLISHED,
               Organisation.merged_into_id.is_(None))
        .group_by(Offer.specification_id)
    ).all()
    db.session.rollback()


def published_offers() -> int:
    return db.session.scalar(
        select(func.count(Offer.id))
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .where(ProspectusVersion.status == VersionStatus.PUBLISHED)
    )


def report(label: str, results: dict) -> None:
    print(f"\n{label}: {published_offers():,} published offers")
    print(f"  {'':<52} {'search':>8}     {'sign-in':>8}     ratio")
    for name, (seconds, base) in results.items():
        label = name if name == FLOOR else "GET /offers " + name
        print(f"  {label:<52} {seconds * 1000:8.2f} ms  "
              f"{base * 1000:8.2f} ms  {seconds / base:5.2f}x")


def settle(url: str) -> None:
    """After seeding, on PostgreSQL: VACUUM ANALYZE, as autovacuum would soon do in service
    (without statistics the planner may scan the offers instead of using their GIN index),
    and a CHECKPOINT, so that the server is not still writing out the seed while the
    requests are timed."""
    if not url.startswith("postgresql"):
        return
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        connection.exec_driver_sql("CHECKPOINT")


def make_app(url: str, *, cache: bool = False):
    return create_app({
        "ENV_NAME": "test", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_STORAGE_URI": "memory://", "DEMO_PASSWORD": "bench-password",
        **(search_cache() if cache else {"SEARCH_CACHE_URL": None}),
    })


def seed(url: str, scale: int) -> None:
    """Migrate (at scale 1) and seed, in this process: run as a child of main()."""
    with make_app(url).app_context():
        if scale == 1:
            print(f"database: {db.engine.dialect.name}")
            flask_migrate.upgrade()
        started = time.perf_counter()
        seed_demo(scale)
        print(f"seed-demo --scale {scale}: {time.perf_counter() - started:.1f} s")
        if scale > 1:
            started = time.perf_counter()
            seed_demo(scale)
            print(f"seed-demo --scale {scale} again (idempotent): "
                  f"{time.perf_counter() - started:.1f} s")
        settle(url)


def seed_in_a_child(url: str, scale: int) -> None:
    """Seeding leaves millions of objects on a Python heap, and every garbage collection
    walks them: timed in the same process, each request came out a third slower than in a
    web worker, which never seeds. So seeding runs in a process of its own."""
    subprocess.run([sys.executable, __file__, "--seed", str(scale), "--database-url", url],
                   check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)  # see seed_in_a_child
    options = parser.parse_args()
    if options.seed:
        seed(options.database_url, options.seed)
        return

    with tempfile.TemporaryDirectory() as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        if url.startswith("postgresql"):
            reset_postgres(url)
        seed_in_a_child(url, 1)
        app = make_app(url)
        kept_app = make_app(url, cache=True) if search_cache()["SEARCH_CACHE_URL"] else None
        with app.app_context():
            small = measure(app, kept_app, options.runs)
            report("scale 1", small)
        print()
        seed_in_a_child(url, options.scale)
        with app.app_context():
            large = measure(app, kept_app, options.runs)
            report(f"scale {options.scale}", large)

        print(f"\ntarget: a search with keywords at most {RATIO_TARGET}x the sign-in page at "
              f"scale {options.scale}; growth is of that ratio from scale 1")
        for name, (seconds, base) in large.items():
            small_seconds, small_base = small[name]
            ratio = seconds / base
            growth = ratio / (small_seconds / small_base)
            verdict = ("(for information)" if name.startswith(("browsing", "floor"))
                       else "meets" if ratio <= RATIO_TARGET else "misses")
            print(f"  {name:<44} ratio {ratio:5.2f}x  growth {growth:5.2f}x  {verdict}")


if __name__ == "__main__":
    main()
