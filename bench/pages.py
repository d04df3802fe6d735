"""Time every GET page of every role at demo scale and at --scale 100, against the sign-in page.

Run from the repository root:
    python bench/pages.py [--runs 15] [--scale 100] [--engines sqlite,postgresql]
                          [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432]
                          [--fresh] [--only REGEX] [--roles REGEX] [--large-only] [--no-cache]

Databases: a SQLite file per scale in instance/bench/ and a PostgreSQL database per scale
(mt_pages_bench_s1, mt_pages_bench_s100 on --postgres-url, which must exist or be creatable).
They are throwaways: seeded once (migrations, then ``seed-demo --scale N``, in a child
process, see seed_in_a_child) and reused by later runs, which only apply new migrations;
--fresh drops and seeds them again.

Pages: every GET route in app.url_map that the role may use (anonymous visitors, then one
demo user of every role), minus downloads (PDF, CSV, XLSX, ZIP), the JSON API, health checks,
static files and sign-out. A route whose URL names an object is reached by following links:
starting from the routes without arguments, the pages are crawled and the first link that
matches a route gives its URL (a demo object the role can really see). Routes no link reaches
are listed, so a gap in the walk is visible rather than silent.

Each figure is the median of --runs requests through the Flask test client, after a
warm-up, the pages taking turns run by run (a burst of load on a shared machine falls on all
of them alike), with no application context held between requests, as in a web worker. The
ratio is to GET /sign-in timed in the same turns; growth is the ratio at --scale divided by
the ratio at scale 1. SQL statements per request and the response size are printed beside
them: a count that grows with the scale is a query per row.

The app runs as in production, with searches kept in Redis (services.catalogue_cache) when a
Redis answers at REDIS_URL (default 127.0.0.1:6379): /offers is timed as a search asked
again, as most are between two changes to the catalogue; bench/search.py also times
searches worked out afresh. So are the whole-market pages (services.market_cache: the
sufficiency and the demand across CCGs), timed as kept between two changes to the market;
with --no-cache every page is worked out afresh, as the first after a change is.

Target (issue #15): every page at most 5x the sign-in page at scale 100, on both engines.
This prints the figures and does not assert.
"""

from __future__ import annotations

import argparse
import functools
import html
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from redis import Redis  # noqa: E402
from redis.exceptions import RedisError  # noqa: E402
from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.exceptions import HTTPException  # noqa: E402
from werkzeug.routing import RequestRedirect  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.access import rule_for_endpoint  # noqa: E402
from marketplace.auth.loader import enter_session  # noqa: E402
from marketplace.demo import DEMO_LOGINS, seed_demo  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import User  # noqa: E402
from marketplace.services import sessions  # noqa: E402

RATIO_TARGET = 5.0
SQLITE_FOLDER = ROOT / "instance" / "bench"
SKIPPED_ENDPOINTS = {"static", "assets.nhsuk", "auth.sign_out"}
SKIPPED_PREFIXES = ("/api/", "/healthz", "/readyz", "/metrics")
DOWNLOAD_SUFFIXES = (".pdf", ".csv", ".xlsx", ".zip", ".json")
LINK = re.compile(r'href="(/[^"#]*)"')
CRAWL_DEPTH = 6
VISITS_PER_RULE = 6


# --- databases ------------------------------------------------------------------------------

def database_url(engine: str, scale: int, postgres_url: str, prefix: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{SQLITE_FOLDER / f'pages-s{scale}.sqlite3'}"
    return str(make_url(postgres_url).set(database=f"{prefix}_s{scale}")
               .render_as_string(hide_password=False))


def _admin_connection(url: str):
    import psycopg

    server = make_url(url).set(drivername="postgresql", database="postgres")
    return psycopg.connect(server.render_as_string(hide_password=False), autocommit=True)


def postgres_reachable(url: str) -> bool:
    try:
        with _admin_connection(url):
            return True
    except Exception:
        return False


def _marker(url: str) -> Path:
    return SQLITE_FOLDER / (make_url(url).database.rsplit("/", 1)[-1] + ".seeded")


def prepare(url: str, scale: int, fresh: bool) -> None:
    """Make sure ``url`` holds the demo at ``scale``: seeded once, reused afterwards."""
    SQLITE_FOLDER.mkdir(parents=True, exist_ok=True)
    marker = _marker(url)
    if fresh or not marker.exists() or marker.read_text().strip() != str(scale):
        marker.unlink(missing_ok=True)
        if url.startswith("sqlite"):
            Path(make_url(url).database).unlink(missing_ok=True)
        else:
            name = make_url(url).database
            with _admin_connection(url) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{name}"')
        seed_in_a_child(url, scale)
        marker.write_text(str(scale))
    else:
        print(f"reusing {make_url(url).database} (seeded at scale {scale}); migrating")
        with make_app(url).app_context():
            flask_migrate.upgrade()
            settle(url)


def settle(url: str) -> None:
    """On PostgreSQL, VACUUM ANALYZE (as autovacuum soon would in service) and CHECKPOINT,
    so that the planner has statistics and the server is not still writing out the seed."""
    if not url.startswith("postgresql"):
        return
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        connection.exec_driver_sql("CHECKPOINT")


def seed(url: str, scale: int) -> None:
    with make_app(url, cache=False).app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        seed_demo(scale)
        print(f"seed-demo --scale {scale} into {make_url(url).database}: "
              f"{time.perf_counter() - started:.1f} s")
        settle(url)


def seed_in_a_child(url: str, scale: int) -> None:
    """Seeding leaves millions of objects on the heap, and every garbage collection then
    walks them; a web worker never seeds, so neither does the process that times."""
    subprocess.run([sys.executable, __file__, "--seed", str(scale), "--database-url", url],
                   check=True)


@functools.cache
def search_cache() -> dict:
    """Searches kept in Redis as in production (services.catalogue_cache), under a prefix of
    this run's own so that nothing an earlier run kept is read; without Redis, none."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except RedisError:
        print(f"search cache: no Redis answering at {url}: every search is worked out")
        return {"SEARCH_CACHE_URL": None}
    print(f"search cache: Redis at {url}, as in production")
    return {"SEARCH_CACHE_URL": url, "SEARCH_CACHE_PREFIX": f"bench:{uuid.uuid4().hex}"}


def make_app(url: str, *, cache: bool = True):
    return create_app({
        "ENV_NAME": "test", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_STORAGE_URI": "memory://", "DEMO_PASSWORD": "bench-password",
        **(search_cache() if cache else {"SEARCH_CACHE_URL": None}),
    })


# --- the walk -------------------------------------------------------------------------------

def is_page_rule(rule) -> bool:
    return ("GET" in rule.methods and rule.endpoint not in SKIPPED_ENDPOINTS
            and not rule.rule.startswith(SKIPPED_PREFIXES)
            and not rule.rule.endswith(DOWNLOAD_SUFFIXES))


def signed_in_client(app, email: str | None):
    client = app.test_client()
    if email is None:
        return client, None
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token = sessions.start(user, "bench")
        db.session.commit()
        role = str(user.role)
        with client.session_transaction() as session:
            enter_session(session, user, token)
        db.session.remove()
    return client, role


def allowed(app, endpoint: str, role: str | None) -> bool:
    rule = rule_for_endpoint(app, endpoint)
    if rule is None:
        return False
    return rule.public or (role is not None and role in rule.roles)


def walk(app, client, role: str | None) -> tuple[dict, list]:
    """Pages this role can open: {rule text: url}, and the page rules no link reached.

    The first URL found for a rule is the one timed; a few more of each rule are opened for
    their links (VISITS_PER_RULE), since many pages appear only for an object at a later
    stage (the moderation of a procurement in evaluation, a variation of a signed
    agreement) and the first one found may be at another."""
    adapter = app.url_map.bind("localhost")
    rules = {rule.endpoint + " " + rule.rule: rule for rule in app.url_map.iter_rules()
             if is_page_rule(rule) and allowed(app, rule.endpoint, role)}
    found: dict[str, str] = {}
    visits: dict[str, int] = defaultdict(int)
    queue = [rule.rule for rule in rules.values() if not rule.arguments]
    seen = set(queue)
    for _depth in range(CRAWL_DEPTH):
        next_queue = []
        for url in queue:
            try:
                rule, _args = adapter.match(url, method="GET", return_rule=True)
            except (HTTPException, RequestRedirect):
                continue
            if rule.endpoint + " " + rule.rule not in rules:
                continue
            key = rule.rule
            if visits[key] >= VISITS_PER_RULE:
                continue
            visits[key] += 1
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            found.setdefault(key, url)
            for link in LINK.findall(response.get_data(as_text=True)):
                path = html.unescape(link).split("?", 1)[0]
                if path not in seen and not path.endswith(DOWNLOAD_SUFFIXES):
                    seen.add(path)
                    next_queue.append(path)
        queue = next_queue
    missing = sorted(rule.rule for rule in rules.values() if rule.rule not in found)
    return found, missing


# --- timing ---------------------------------------------------------------------------------

class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def measure(url: str, runs: int, only: re.Pattern | None,
            roles: re.Pattern | None = None, *, cache: bool = True) -> dict:
    """{(who, rule): (median seconds, sign-in median seconds, statements, bytes, url)}."""
    app = make_app(url, cache=cache)
    clients = [signed_in_client(app, None)] + [
        signed_in_client(app, email) for email, *_ in DEMO_LOGINS]
    pages = {}
    sign_in_client = clients[0][0]
    for client, role in clients:
        who = role or "anonymous"
        if roles is not None and not roles.search(who):
            continue
        found, missing = walk(app, client, role)
        for rule, page_url in found.items():
            if only is None or only.search(rule):
                pages[(who, rule)] = (client, page_url)
        if missing and only is None:
            print(f"  {who}: no link reached {', '.join(missing)}")
    with app.app_context():
        counter = StatementCounter(db.engine)
    sizes, statements = {}, {}
    for name, (client, page_url) in pages.items():
        for _ in range(2):
            client.get(page_url)  # warm the templates and connections
        counter.count = 0
        sizes[name] = len(client.get(page_url).data)
        statements[name] = counter.count
    timings: dict = defaultdict(list)
    for _ in range(runs):
        for name, (client, page_url) in [(("anonymous", "/sign-in"),
                                           (sign_in_client, "/sign-in"))] + list(pages.items()):
            started = time.perf_counter()
            response = client.get(page_url)
            timings[name].append(time.perf_counter() - started)
            assert response.status_code == 200, (name, page_url, response.status_code)
    base = statistics.median(timings[("anonymous", "/sign-in")])
    return {name: (statistics.median(timings[name]), base, statements[name], sizes[name],
                   page_url) for name, (_client, page_url) in pages.items()}


def report(engine: str, scale: int, small: dict, large: dict) -> None:
    print(f"\n{engine}: ratio to GET /sign-in at scale 1 and at scale {scale} "
          f"(sign-in {_base(small):.1f} ms and {_base(large):.1f} ms)")
    print(f"  {'role':<13} {'page':<52} {'ms':>7} {'x1':>6} {'ms':>7} {f'x{scale}':>6} "
          f"{'growth':>6} {'SQL':>9} {'KB':>5}")
    over = []
    for name in sorted(large, key=lambda n: -large[n][0] / large[n][1]):
        seconds, base, statements, size, _url = large[name]
        ratio = seconds / base
        if name in small:
            small_seconds, small_base, small_statements, *_ = small[name]
            small_ratio = small_seconds / small_base
            small_ms = f"{small_seconds * 1000:7.1f}"
            growth = f"{ratio / small_ratio:6.2f}"
            small_ratio_text = f"{small_ratio:6.2f}"
            sql = f"{small_statements}>{statements}"
        else:
            small_ms, small_ratio_text, growth, sql = "", "", "", str(statements)
        if ratio > RATIO_TARGET:
            over.append(name)
        print(f"  {name[0]:<13} {name[1]:<52} {small_ms:>7} {small_ratio_text:>6} "
              f"{seconds * 1000:7.1f} {ratio:6.2f} {growth:>6} {sql:>9} {size // 1024:5d}")
    if over:
        print(f"  over {RATIO_TARGET}x at scale {scale}: "
              + ", ".join(f"{who} {rule}" for who, rule in over))
    else:
        print(f"  every page within {RATIO_TARGET}x of the sign-in page at scale {scale}")


def _base(results: dict) -> float:
    return next(iter(results.values()))[1] * 1000 if results else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--postgres-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database-prefix", default="mt_pages_bench",
                        help="PostgreSQL databases are named PREFIX_s1 and PREFIX_sN")
    parser.add_argument("--fresh", action="store_true", help="seed the databases again")
    parser.add_argument("--no-cache", action="store_true",
                        help="no shared cache: every search and market page worked out afresh")
    parser.add_argument("--only", help="time only the pages whose route matches this regex")
    parser.add_argument("--roles", help="only the roles (or 'anonymous') matching this regex")
    parser.add_argument("--large-only", action="store_true",
                        help="skip scale 1 (quicker, while working on one page)")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)  # see seed_in_a_child
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.seed:
        seed(options.database_url, options.seed)
        return
    only = re.compile(options.only) if options.only else None
    roles = re.compile(options.roles) if options.roles else None
    scales = (options.scale,) if options.large_only else (1, options.scale)
    for engine in options.engines.split(","):
        if engine == "postgresql" and not postgres_reachable(options.postgres_url):
            print(f"\npostgresql: no server at {make_url(options.postgres_url)!r}; skipped "
                  "(give --postgres-url, or --engines sqlite)")
            continue
        results = {}
        for scale in scales:
            url = database_url(engine, scale, options.postgres_url, options.database_prefix)
            prepare(url, scale, options.fresh)
            results[scale] = measure(url, options.runs, only, roles,
                                     cache=not options.no_cache)
        report(engine, options.scale, results.get(1, {}), results[options.scale])


if __name__ == "__main__":
    main()
