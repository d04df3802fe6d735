"""The whole-market pages kept in the shared cache (Redis) under the market's generation
(services.market_cache): a page drawn once is shown again until a transaction that wrote
an audit event commits, and then drawn afresh.

Arden CSS plans £6,000,000 from NHS Coventry and Rugby CCG and Greater East Midlands CSS
£4,003,900.01 (test_sufficiency.market_world): Coventry is a penny over its headroom. These
tests use the Redis at 127.0.0.1:6379 that CI and `make test` run, under a prefix of their own.
"""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import MarketGeneration, Organisation
from marketplace.services import statements
from marketplace.services.audit import record_event

from ..conftest import html, text_of
from .conftest import line, started
from .test_demand import demand_world  # noqa: F401
from .test_sufficiency import market_world  # noqa: F401


@pytest.fixture
def shared(catalogue_cache_on):
    return catalogue_cache_on


def _token() -> str:
    return db.session.scalar(select(MarketGeneration.token))


def _kept(shared) -> int:
    redis, prefix = shared
    return sum(1 for _ in redis.scan_iter(f"{prefix}:*"))


def _over(response) -> str:
    return html(response).select_one("#over").find_next("table").get_text(" ", strip=True)


def _rename_quietly(name: str, new_name: str) -> None:
    """A change behind the services' back, with no audit event: what the cache cannot see,
    so that a test can tell a kept page from one drawn afresh."""
    db.session.scalar(select(Organisation).where(Organisation.name == name)).name = new_name
    db.session.commit()


def test_a_commit_with_an_audit_event_replaces_the_token_and_one_without_does_not(app_context):
    first = _token()
    db.session.commit()
    assert _token() == first  # nothing changed
    record_event("tested", None, "A change", system=True)
    db.session.rollback()
    db.session.commit()
    assert _token() == first  # the change was rolled back: nothing to say
    record_event("tested", None, "A change", system=True)
    db.session.commit()
    second = _token()
    assert second != first and len(second) == 32
    db.session.commit()
    assert _token() == second  # once per change, not once per commit after it


def test_sufficiency_is_kept_until_the_market_changes(market_world, bdu_client, shared):  # noqa: F811
    assert "NHS Coventry and Rugby CCG" in _over(bdu_client.get("/demand/sufficiency"))
    assert _kept(shared) == 1
    _rename_quietly("NHS Coventry and Rugby CCG", "NHS Coventry CCG (renamed)")
    kept = bdu_client.get("/demand/sufficiency")
    assert "NHS Coventry and Rugby CCG" in _over(kept)  # the page as drawn, from the cache
    assert "£10,003,900.01" in _over(kept)
    # Another year and another page of CCGs are pages of their own.
    assert "None: in 2015/16" in text_of(bdu_client.get("/demand/sufficiency?year=2015/16"))
    assert _kept(shared) == 2
    # A change through a service writes its audit event, and the next page is drawn afresh.
    statement = started(market_world, "Rugby support")
    statements.save_line(market_world.lead, statement,
                         line(market_world.market.bi, budget_annual="5000"), None)
    fresh = _over(bdu_client.get("/demand/sufficiency"))
    assert "NHS Coventry CCG (renamed)" in fresh and "NHS Coventry and Rugby CCG" not in fresh


def test_demand_is_kept_per_role_and_region(demand_world, sign_in, shared):  # noqa: F811
    bdu = text_of(sign_in("bdu@demo.test").get("/demand"))
    assert "All regions" in bdu and "whole-market sufficiency" in bdu
    # The SHA cluster's page is its own, not the BDU's kept one: its region only, and no
    # link to the BDU's sufficiency.
    peer = text_of(sign_in("peer@demo.test").get("/demand"))
    assert "Your region: Midlands and East" in peer and "All regions" not in peer
    assert "whole-market sufficiency" not in peer
    admin = text_of(sign_in("admin@demo.test").get("/demand"))
    assert "All regions" in admin and "whole-market sufficiency" not in admin
    assert _kept(shared) == 3
    narrowed = text_of(sign_in("bdu@demo.test").get("/demand?cluster=Arden+PCT+Cluster"))
    assert "NHS Warwickshire North CCG" in narrowed
    assert _kept(shared) == 4


def test_without_redis_every_page_is_drawn(market_world, bdu_client, app):  # noqa: F811
    assert app.extensions["catalogue_cache"] is None  # off unless a test turns it on
    bdu_client.get("/demand/sufficiency")
    _rename_quietly("NHS Coventry and Rugby CCG", "NHS Coventry CCG (renamed)")
    assert "NHS Coventry CCG (renamed)" in _over(bdu_client.get("/demand/sufficiency"))


def test_seeding_the_demo_moves_the_market_on(app_context):
    # The seeders write most rows directly, not through the services that record events.
    from marketplace.demo import seed_demo

    before = _token()
    seed_demo()
    assert _token() != before


def test_a_transaction_that_changed_the_market_draws_afresh_and_keeps_nothing(
        market_world, bdu_client, shared):  # noqa: F811
    from marketplace.services import market_cache

    calls = []

    def draw():
        calls.append(1)
        return "drawn"

    assert market_cache.remembered({"page": "test"}, draw) == "drawn"
    assert market_cache.remembered({"page": "test"}, draw) == "drawn"
    assert len(calls) == 1 and _kept(shared) == 1  # kept, and the token read once
    record_event("tested", None, "A change", system=True)
    assert market_cache.remembered({"page": "test"}, draw) == "drawn"
    assert len(calls) == 2 and _kept(shared) == 1  # drawn for this transaction only
    db.session.commit()
    assert market_cache.remembered({"page": "test"}, draw) == "drawn"
    assert len(calls) == 3 and _kept(shared) == 2  # the new token's


def test_the_audit_trail_filter_names_who_acted_until_the_next_event(admin_client, shared):
    from ..conftest import user

    def people() -> list[str]:
        page = html(admin_client.get("/admin/audit-events"))
        return [option.get_text() for option in page.select("#actor option")]

    before = people()
    assert _kept(shared) == 2  # the names, and the first page of the trail
    record_event("tested", None, "A change", actor=user("bdu2@demo.test"))
    db.session.commit()
    after = people()
    assert [name for name in after if name not in before] == [
        next(name for name in after if name.startswith(user("bdu2@demo.test").full_name))]


def test_a_page_of_the_audit_trail_is_kept_until_the_next_event(admin_client, shared):
    from datetime import UTC, datetime

    from marketplace.models import AuditEvent

    def caption() -> str:
        return html(admin_client.get("/admin/audit-events")).select_one("caption").get_text()

    before = caption()
    # A row written behind the services' back, without moving the market on: not shown.
    db.session.add(AuditEvent(occurred_at=datetime.now(UTC), action="tested",
                              object_type="Test", summary="Written quietly"))
    db.session.commit()
    assert caption() == before
    # The next event, through record_event, moves it on: both are counted.
    record_event("tested", None, "A change", system=True)
    db.session.commit()
    counted = int(before.split()[0].replace(",", ""))
    assert caption().startswith(f"{counted + 2:,} event")
