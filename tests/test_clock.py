"""One clock: MARKETPLACE_TODAY sets "now" for every service, and nothing in marketplace/
reads the real clock except marketplace/clock.py."""

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from marketplace import clock, create_app
from marketplace.models.base import utcnow

PACKAGE = Path(__file__).resolve().parent.parent / "marketplace"

# (object, attribute) pairs that read the real clock.
REAL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("func", "now"),
}


def _real_clock_calls(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        target = node.func
        if isinstance(target, ast.Attribute):
            owner = target.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, target.attr) in REAL_CLOCK:
                found.append((node.lineno, f"{name}.{target.attr}()"))
        if isinstance(target, ast.Name) and target.id == "formatdate" and not node.args:
            found.append((node.lineno, "formatdate() without a time"))
    return found


def test_nothing_outside_the_clock_reads_the_real_time():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {call}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "clock.py"
        for line, call in _real_clock_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use marketplace.clock.now() / today_in_uk():\n" + "\n".join(offenders)


def test_the_scan_would_catch_a_direct_call():
    source = (
        "from datetime import date, datetime\n"
        "a = datetime.now()\nb = date.today()\nc = datetime.datetime.utcnow()\n"
    )
    assert [call for _, call in _real_clock_calls(source)] == [
        "datetime.now()",
        "date.today()",
        "datetime.utcnow()",
    ]


@pytest.fixture
def app_at(app):
    def make(**setting):
        app.config.update(setting)
        return app

    yield make
    app.config.pop("MARKETPLACE_TODAY", None)


@pytest.fixture
def real_time(monkeypatch):
    """Sets the real clock, so that a run crossing midnight reads the same as any other: the
    process started on 15 October 2026 (BST), and ``real_time(...)`` says what time it is now."""
    monkeypatch.setattr(clock, "_STARTED_ON", date(2026, 10, 15))

    def at(moment):
        monkeypatch.setattr(clock, "_real_now", lambda: moment)

    return at


def test_a_date_sets_the_day_and_the_clock_runs_on(app_at, real_time):
    app = app_at(MARKETPLACE_TODAY="2012-10-15")
    with app.app_context():
        real_time(datetime(2026, 10, 15, 13, 30, tzinfo=UTC))  # 2:30pm BST
        first = clock.now()
        assert first == datetime(2012, 10, 15, 13, 30, tzinfo=UTC)  # 2:30pm BST in 2012 too
        assert clock.today_in_uk() == date(2012, 10, 15)
        real_time(datetime(2026, 10, 15, 13, 31, tzinfo=UTC))
        assert utcnow() > first  # model defaults stamp from the same, running clock
        assert utcnow().astimezone(clock.UK).date() == date(2012, 10, 15)


def test_the_set_day_rolls_over_at_uk_midnight(app_at, real_time):
    app = app_at(MARKETPLACE_TODAY="2012-10-15")
    with app.app_context():
        real_time(datetime(2026, 10, 15, 22, 59, 59, tzinfo=UTC))  # 11:59:59pm BST
        assert clock.today_in_uk() == date(2012, 10, 15)
        real_time(datetime(2026, 10, 15, 23, 0, tzinfo=UTC))  # midnight BST
        assert clock.today_in_uk() == date(2012, 10, 16)
        assert clock.now() == datetime(2012, 10, 15, 23, 0, tzinfo=UTC)


def test_a_moment_pins_now_and_model_defaults_follow(app_at):
    moment = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)
    app = app_at(MARKETPLACE_TODAY="2013-02-11T09:00:00+00:00")
    with app.app_context():
        assert clock.now() == moment and utcnow() == moment


def test_the_older_name_is_the_same_setting(monkeypatch):
    monkeypatch.delenv("MARKETPLACE_TODAY", raising=False)
    monkeypatch.setenv("MARKETPLACE_NOW", "2013-02-11T09:00:00+00:00")
    test_env = {"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    assert create_app(test_env).config["MARKETPLACE_TODAY"] == "2013-02-11T09:00:00+00:00"
    monkeypatch.setenv("MARKETPLACE_TODAY", "2012-09-14")
    assert create_app(test_env).config["MARKETPLACE_TODAY"] == "2012-09-14"


def test_a_moment_without_its_zone_is_refused(app_at):
    app = app_at(MARKETPLACE_TODAY="2013-02-11T09:00:00")
    with app.app_context(), pytest.raises(ValueError, match="time zone"):
        clock.now()


def test_unset_is_the_real_time(app_at):
    app = app_at(MARKETPLACE_TODAY=None)
    with app.app_context():
        assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5
