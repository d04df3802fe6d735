"""Play 50 concurrent users against the demo at --scale 100, served as in production.

Run from the repository root:
    python bench/load.py [--duration 120] [--users 50] [--scale 100] [--think 1.0]

What it does, all on loopback:
 1. builds a throwaway PostgreSQL database (--database, default mkt_load, on --server; it is
    dropped and made again): migrations, ``flask seed-demo --scale N``, and one extra CCG user
    per CCG through the accounts service, so that simulated CCG users are different people
    of different CCGs (bar two who share the demo's CCG and draft agreements side by side);
 2. starts a Redis of its own and gunicorn (2 gthread workers, MARKETPLACE_ENV=production, the
    options `make serve` uses) on free ports;
 3. measures the idle latency: one user plays the journeys alone;
 4. lets --users people sign in through the form (CSRF token parsed from the page) and play
    mixed journeys for --duration seconds or --max-requests requests, whichever comes first:
    CCG users search offers, open one, compare offers, use the reckoner API and their
    scenario pages, and draft agreements through the form at /agreements/new; reviewers open
    the review list, a submission under review and (BDU) the tracker. Each person spends a
    random time on each page (mean --think seconds, 5 by default) before the next, as people
    do, and arrives after such a pause too; --think 0 makes it a stress test instead;
 5. prints throughput, p50/p95/p99 latency, errors, the idle p50 and the target
    (p95 under load at most 5x the idle p50), and checks that every agreement created during
    the run is in the database exactly once;
 6. stops gunicorn and Redis and drops the database (unless --keep).

Each simulated person comes from an address of their own (127.0.0.x), as real users do, so
the per-address limits (sign-in, reckoner API) apply per person. Session cookies are marked
Secure in production; the client sends them over plain HTTP on loopback as the TLS-ending
proxy would. This prints figures and does not assert.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
P95_TARGET_RATIO = 5.0
PASSWORD = "load-test-password-2013"
SEARCH_TERMS = ("contract monitoring", "business intelligence", "procurement", "risk",
                "communications", "medicines management", "data", "quality")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'name="csrf_token" value="([^"]+)"')
OFFER_LINK = re.compile(r'href="/offers/(\d+)"')
SCENARIO_LINK = re.compile(r'href="/scenarios/(\d+)"')
SUBMISSION_LINK = re.compile(r'href="/reviews/submissions/(\d+)"')
AGREEMENT_LOCATION = re.compile(r"/agreements/(\d+)$")
GUNICORN_OPTIONS = ["--workers", "2", "--worker-class", "gthread", "--threads", "4",
                    "--keep-alive", "75", "--timeout", "60", "--graceful-timeout", "30",
                    "--no-control-socket"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


# Setting up ------------------------------------------------------------------------------


def make_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def add_ccg_users(database_url: str, how_many: int) -> list[str]:
    """One CCG user for each of the first how_many CCGs, made by the accounts service."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.models import Organisation, OrganisationKind, Role
    from marketplace.services import accounts

    app = create_app({"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": database_url,
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
    emails = []
    with app.app_context():
        ccgs = db.session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.CCG)
            .order_by(Organisation.ods_code).limit(how_many)).all()
        for ccg in ccgs:
            email = f"load-{ccg.ods_code.lower()}@load.test"
            accounts.create_user(None, email=email, full_name=f"Load user {ccg.ods_code}",
                                 role=Role.CCG_USER, organisation=ccg, password=PASSWORD)
            db.session.commit()
            emails.append(email)
        db.engine.dispose()
    return emails


def load_users(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as connection:
        return [row[0] for row in connection.execute(
            "SELECT email FROM user_account WHERE email LIKE '%%@load.test' ORDER BY email")]


# The simulated people --------------------------------------------------------------------


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    agreements: list[tuple[int, str]] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, name: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.requests += 1
            self.latencies[name].append(seconds)
            if not ok:
                self.errors[name] += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(f"{name}: {detail}")

    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]


class Budget:
    """Stops every person at the deadline or after max_requests in all."""

    def __init__(self, seconds: float, max_requests: int):
        self.deadline = time.monotonic() + seconds
        self.left = max_requests
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


class Person:
    def __init__(self, base: str, email: str, address: str, results: Results, think: float,
                 seed: int):
        self.base = base
        self.email = email
        self.results = results
        self.think = think
        self.random = random.Random(seed)
        self.http = requests.Session()
        adapter = SourceAddressAdapter(address, pool_connections=1, pool_maxsize=1)
        self.http.mount("http://", adapter)
        self.offer_ids: list[int] = []
        self.is_ccg_user = email.endswith("@load.test") or email in SAME_CCG

    def _keep_cookies(self) -> None:
        # The production cookie is Secure; on loopback the proxy would carry it for us.
        for cookie in self.http.cookies:
            cookie.secure = False

    def call(self, name: str, method: str, path: str, expect=(200,), record=True, **kwargs):
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, timeout=30,
                                         allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            if record:
                self.results.record(name, time.perf_counter() - started, False, repr(error))
            return None
        elapsed = time.perf_counter() - started
        self._keep_cookies()
        ok = response.status_code in expect
        if record:
            self.results.record(name, elapsed, ok, f"{response.status_code} {path}")
        return response

    def csrf_token(self, html: str) -> str:
        match = CSRF.search(html)
        if not match:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1) or match.group(2)

    def sign_in(self) -> bool:
        page = self.call("sign-in form", "GET", "/sign-in", record=False)
        if page is None:
            return False
        response = self.call("sign in", "POST", "/sign-in", expect=(302,), record=False, data={
            "csrf_token": self.csrf_token(page.text), "email": self.email,
            "password": PASSWORD if self.email.endswith("@load.test") else DEMO_PASSWORD})
        return response is not None and response.status_code == 302

    def pause(self) -> None:
        if self.think > 0:
            time.sleep(self.random.expovariate(1 / self.think))

    # Journeys: each is a few requests, as one step of someone's work.

    def search(self):
        term = self.random.choice(SEARCH_TERMS)
        response = self.call("search", "GET", "/offers", params={"q": term})
        if response is not None and response.status_code == 200:
            found = [int(i) for i in OFFER_LINK.findall(response.text)]
            if found:
                self.offer_ids = found

    def offer(self):
        if self.offer_ids:
            self.call("offer page", "GET", f"/offers/{self.random.choice(self.offer_ids)}")

    def compare(self):
        if len(self.offer_ids) >= 2:
            chosen = self.random.sample(self.offer_ids, min(3, len(self.offer_ids)))
            self.call("compare", "GET", "/shortlists/compare",
                      params=[("offer", str(i)) for i in chosen])

    def reckoner(self):
        body = {"population": self.random.randint(60_000, 900_000), "allowance_per_head": "25.00",
                "fixed_costs": [{"name": "Corporate base", "amount": "1500000.00"}]}
        self.call("reckoner API", "POST", "/api/v1/reckoner", json=body)

    def scenarios(self):
        response = self.call("scenarios list", "GET", "/scenarios")
        if response is not None:
            ids = SCENARIO_LINK.findall(response.text)
            if ids:
                self.call("scenario page", "GET", f"/scenarios/{self.random.choice(ids)}")
            else:
                self.call("ready reckoner", "GET", "/ready-reckoner",
                          params={"population": "250000", "financial_year": "2013/14"})

    def agreement(self):
        if not self.offer_ids:
            return
        offer_id = self.random.choice(self.offer_ids)
        form = self.call("agreement form", "GET", "/agreements/new", params={"offer": offer_id})
        if form is None or form.status_code != 200:
            return
        response = self.call("create agreement", "POST", "/agreements/new", expect=(302,), data={
            "csrf_token": self.csrf_token(form.text), "offer_ids": str(offer_id),
            "offer_numbers": "", "start_date": "2013-04-01", "end_date": "2014-03-31",
            "annual_value": "", "value_change_reason": ""})
        if response is not None and response.status_code == 302:
            match = AGREEMENT_LOCATION.search(response.headers.get("Location", ""))
            if match:
                with self.results.lock:
                    self.results.agreements.append((int(match.group(1)), self.email))

    def reviews(self):
        response = self.call("reviews list", "GET", "/reviews")
        if response is not None:
            ids = SUBMISSION_LINK.findall(response.text)
            if ids:
                self.call("review page", "GET", f"/reviews/submissions/{self.random.choice(ids)}")

    def tracker(self):
        self.call("tracker", "GET", "/tracker")

    def next_journey(self):
        if self.is_ccg_user:
            journeys = [(self.search, 4), (self.offer, 3), (self.compare, 2), (self.reckoner, 2),
                        (self.scenarios, 1), (self.agreement, 1)]
        elif self.email.startswith("bdu"):
            journeys = [(self.reviews, 3), (self.tracker, 1), (self.search, 1)]
        else:  # peer reviewers have no tracker
            journeys = [(self.reviews, 3), (self.search, 1)]
        functions, weights = zip(*journeys, strict=True)
        return self.random.choices(functions, weights=weights)[0]

    def run(self, budget: Budget) -> None:
        # People arrive over the first seconds (a think time each), not all in the same
        # millisecond: a bench of fifty simultaneous first clicks measures its own start.
        self.pause()
        if self.is_ccg_user:
            self.search()  # something to look at
        while budget.take():
            self.next_journey()()
            self.pause()


DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-password-2013")
REVIEWERS = ("bdu@demo.test", "bdu2@demo.test", "peer@demo.test", "peer2@demo.test")
# Two people of one CCG (the demo's Coventry and Rugby account), drafting agreements at the
# same time as each other.
SAME_CCG = ("ccg@demo.test",)


def people(emails: list[str], count: int) -> list[str]:
    """About one in five is a reviewer; the rest are CCG users: two share one CCG, the others
    are each of a different CCG."""
    reviewers = max(1, count // 5)
    shared = [SAME_CCG[0]] * 2 if count - reviewers >= 4 else []
    return ([REVIEWERS[i % len(REVIEWERS)] for i in range(reviewers)] + shared
            + emails[: count - reviewers - len(shared)])


def idle_latencies(base: str, email: str, rounds: int) -> Results:
    results = Results()
    person = Person(base, email, "127.0.0.2", results, think=0, seed=1)
    if not person.sign_in():
        raise RuntimeError(f"{email} could not sign in")
    person.search()
    for _ in range(rounds):
        for journey in (person.search, person.offer, person.compare, person.reckoner,
                        person.scenarios):
            journey()
    return results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def check_agreements(database_url: str, created: list[tuple[int, str]], before: int) -> None:
    ids = [agreement_id for agreement_id, _ in created]
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        rows = connection.execute(
            "SELECT id, reference FROM agreement WHERE id = ANY(%s)", (ids,)).fetchall()
        total = connection.execute("SELECT count(*) FROM agreement").fetchone()[0]
        duplicates = connection.execute(
            "SELECT reference, count(*) FROM agreement GROUP BY reference HAVING count(*) > 1"
        ).fetchall()
        lines = connection.execute(
            "SELECT count(*) FROM agreement a WHERE a.id = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM agreement_line l WHERE l.agreement_id = a.id)", (ids,)).fetchone()[0]
        events = connection.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'agreement.drafted' "
            "AND object_type = 'Agreement' AND object_id = ANY(%s)",
            ([str(i) for i in ids],)).fetchone()[0]
    found = {row[0] for row in rows}
    missing = sorted(set(ids) - found)
    print("\nAgreements created during the run")
    print(f"  created (302 to the new agreement):  {len(ids)}")
    print(f"  distinct ids among them:             {len(set(ids))}")
    print(f"  found in the database:               {len(found)} (missing: {missing or 'none'})")
    print(f"  new rows in the agreement table:     {total - before}")
    print(f"  references held by more than one:    {len(duplicates)}")
    print(f"  without their lines:                 {lines}")
    print(f"  with their audit event:              {events}")
    exactly_once = (len(set(ids)) == len(ids) == len(found) == total - before == events
                    and not duplicates and not lines)
    print(f"  every agreement in the database exactly once: {'yes' if exactly_once else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=50_000,
                        help="stop after this many requests in all")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean seconds a person spends on a page before the next request "
                             "(0: none, a stress test rather than people)")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432",
                        help="the PostgreSQL server (no database name)")
    parser.add_argument("--database", default="mkt_load", help="throwaway database to (re)make")
    parser.add_argument("--idle-rounds", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database a previous --keep run left, without rebuilding")
    args = parser.parse_args()

    server = args.server.replace("+psycopg", "")
    started = time.monotonic()
    if args.reuse:
        database_url = f"{server}/{args.database}"
    else:
        database_url = make_database(server, args.database)
    database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    env = {**os.environ, "DATABASE_URL": database_url, "MARKETPLACE_ENV": "development",
           "DEMO_PASSWORD": DEMO_PASSWORD}
    env.pop("REDIS_URL", None)
    redis_process = gunicorn = None
    server_log = tempfile.TemporaryFile(mode="w+")
    try:
        if args.reuse:
            emails = load_users(server + "/" + args.database)
            print(f"Reusing {args.database} ({len(emails)} load users)", flush=True)
        else:
            print(f"Building {args.database}: migrations, seed-demo --scale {args.scale} ...",
                  flush=True)
            flask(env, "db", "upgrade")
            flask(env, "seed-demo", "--scale", str(args.scale))
            emails = add_ccg_users(database_url, args.users)
            print(f"  ready in {time.monotonic() - started:.0f}s", flush=True)

        redis_port, port = free_port(), free_port()
        redis_process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(redis_port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        serve_env = {**env, "MARKETPLACE_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                     "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                     "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
        gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), *GUNICORN_OPTIONS, "--bind", f"127.0.0.1:{port}",
             "wsgi:app"], cwd=ROOT, env=serve_env, stdout=subprocess.DEVNULL, stderr=server_log)
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/readyz")

        idle_results = idle_latencies(base, emails[-1], args.idle_rounds)
        idle = idle_results.all_latencies()
        idle_p50 = statistics.median(idle)
        print(f"Idle: {len(idle)} requests by one user, p50 {idle_p50 * 1000:.1f} ms ("
              + ", ".join(f"{name} {statistics.median(values) * 1000:.0f}"
                          for name, values in sorted(idle_results.latencies.items()))
              + ")", flush=True)

        with psycopg.connect(server + "/" + args.database) as connection:
            agreements_before = connection.execute("SELECT count(*) FROM agreement").fetchone()[0]

        results = Results()
        crowd = [Person(base, email, f"127.0.{10 + i // 200}.{10 + i % 200}", results,
                        args.think, seed=i)
                 for i, email in enumerate(people(emails, args.users))]
        signed_in = sum(person.sign_in() for person in crowd)
        print(f"{signed_in} of {len(crowd)} people signed in; load for {args.duration:.0f}s "
              f"(at most {args.max_requests} requests) ...", flush=True)
        budget = Budget(args.duration, args.max_requests)
        threads = [threading.Thread(target=person.run, args=(budget,)) for person in crowd]
        load_started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - load_started

        latencies = results.all_latencies()
        errors = sum(results.errors.values())
        p50, p95, p99 = (percentile(latencies, f) for f in (0.50, 0.95, 0.99))
        print(f"\nLoad: {len(crowd)} concurrent users, {elapsed:.0f}s, think time mean "
              f"{args.think}s, demo at --scale {args.scale}, gunicorn 2 workers on PostgreSQL")
        print(f"  requests:    {len(latencies)}")
        print(f"  throughput:  {len(latencies) / elapsed:.1f} requests/s")
        print(f"  latency:     p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
              f"p99 {p99 * 1000:.1f} ms")
        print(f"  errors:      {errors}" + (f" {dict(results.errors)}" if errors else ""))
        for sample in results.error_samples:
            print(f"    e.g. {sample}")
        print("  by journey step (count, p50, p95 in ms):")
        for name, values in sorted(results.latencies.items()):
            print(f"    {name:<18} {len(values):>6} {statistics.median(values) * 1000:>8.1f} "
                  f"{percentile(values, 0.95) * 1000:>8.1f}")
        ratio = p95 / idle_p50
        ratio_met = "met" if ratio <= P95_TARGET_RATIO else "NOT met"
        print(f"  idle p50 {idle_p50 * 1000:.1f} ms; p95 under load is {ratio:.1f}x that "
              f"(target at most {P95_TARGET_RATIO:.0f}x: {ratio_met}); "
              f"no errors: {'met' if errors == 0 else 'NOT met'}")
        check_agreements(database_url, results.agreements, agreements_before)
        if errors:
            server_log.seek(0)
            print("\nThe server's log ends:\n" + "".join(server_log.readlines()[-30:]))
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        if not (args.keep or args.reuse):
            drop_database(server, args.database)


if __name__ == "__main__":
    main()
