"""Search costs a fixed number of queries, and its cache never serves a stale catalogue."""

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.models import CatalogueVersion
from marketplace.search import OfferFilters, search_offers
from marketplace.search.cache import LRUCache, catalogue_version, results
from marketplace.services import prospectuses, reviews

from .. import factories as build
from ..conftest import text_of
from ..factories import add_offer, create_spec, organisation, publish

PROVIDERS = ["Arden CSS", "Greater East Midlands CSS", "North West London CSS",
             "South London CSS", "CSS South", "Meridian Commissioning Partners Ltd",
             "Northern Health Analytics LLP"]


@contextmanager
def counting_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def specs(app_context):
    return [
        create_spec("PLN-RSK", "Risk stratification", phase="planning",
                    description="Risk stratification of the registered population"),
        create_spec("BI-DSS", "Decision support", phase="business_support"),
        create_spec("AGR-PRC", "Procurement", phase="agreeing_contracts"),
    ]


def publish_for(names, specs, copies: int = 1):
    """Each provider publishes ``copies`` offers against every specification."""
    for name in names:
        publish(name, *[
            (spec, {"title": f"{spec.name} {k} from {name}", "price": f"0.{50 + k}"})
            for spec in specs for k in range(copies)
        ])


SEARCHES = [
    "/offers?q=risk+stratification",
    "/offers?q=procurement&phase=agreeing_contracts&assurance=not_assessed",
    "/offers?pricing_model=per_head&price_band=under-1&provider_kind=css",
    "/offers?provider_kind=css&page=2",
]


def queries_per_request(client, url: str, *, cold: bool) -> int:
    if cold:
        results.clear()
    with counting_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("who", ["anonymous", "ccg"])
def test_queries_per_search_do_not_grow_with_the_offers(client, ccg_client, specs, who):
    browser = client if who == "anonymous" else ccg_client
    publish_for(PROVIDERS[:2], specs, copies=4)  # enough for a second page
    small = {url: (queries_per_request(browser, url, cold=True),
                   queries_per_request(browser, url, cold=False)) for url in SEARCHES}
    publish_for(PROVIDERS[2:], specs, copies=4)  # many more providers and offers
    large = {url: (queries_per_request(browser, url, cold=True),
                   queries_per_request(browser, url, cold=False)) for url in SEARCHES}
    assert large == small
    for url, (cold, warm) in large.items():
        # Cold: version, filter values, reference tables, statuses, three facet groups, the
        # page; for a CCG user its shortlists too.
        assert cold <= 18, (url, cold)
        assert warm < cold, url
    # A repeated search reads the version row and its page of offers, plus whatever
    # loading the signed-in user takes.
    warm = {warm for _, warm in large.values()}
    assert len(warm) == 1, large


def test_a_search_request_reads_the_catalogue_version_once(client, specs):
    """Checking the filters and searching both need the version: one read serves both."""
    publish_for(PROVIDERS[:2], specs)
    for cold in (True, False):
        if cold:
            results.clear()
        with counting_queries() as statements:
            assert client.get("/offers?q=risk&phase=planning").status_code == 200
        reads = [s for s in statements if "FROM catalogue_version" in s]
        assert len(reads) == 1, statements


def test_a_request_that_moves_the_version_on_reads_it_again(app, specs):
    publish_for(PROVIDERS[:1], specs)
    with app.test_request_context("/offers"):
        before = catalogue_version()
        assert search_offers(OfferFilters(q="risk")).total == 1
        publish_for(PROVIDERS[1:2], specs)  # publishing in this request moves it on
        assert catalogue_version() != before
        assert search_offers(OfferFilters(q="risk")).total == 2


def test_a_repeated_search_reads_two_small_rows_and_one_page(specs):
    publish_for(PROVIDERS[:3], specs)
    search_offers(OfferFilters(q="risk"))
    with counting_queries() as statements:
        again = search_offers(OfferFilters(q="risk"))
    assert again.total == 3
    assert len(statements) == 2, statements  # the version row and the page's offers
    assert "catalogue_version" in statements[0]


def test_the_page_template_makes_no_query_per_hit(client, specs):
    publish_for(PROVIDERS[:1], specs)
    one = queries_per_request(client, "/offers", cold=True)
    publish_for(PROVIDERS[1:], specs, copies=2)  # 20 hits on the page now, not 3
    many = queries_per_request(client, "/offers", cold=True)
    assert one == many


def test_cached_results_equal_computed_ones(app, specs):
    publish_for(PROVIDERS[:4], specs)
    filters = [OfferFilters(q="risk stratification"), OfferFilters(phase=("planning",)),
               OfferFilters(q="procurement", provider_kind=("css",)),
               OfferFilters(assurance=("not_assessed",), price_band=("under-1",))]
    warm = []
    for f in filters:
        search_offers(f)
        warm.append(search_offers(f, population=50_000))
    app.config["SEARCH_CACHE_SIZE"] = 0
    try:
        computed = [search_offers(f, population=50_000) for f in filters]
    finally:
        app.config.pop("SEARCH_CACHE_SIZE")
    for cached_result, fresh in zip(warm, computed, strict=True):
        assert cached_result.total == fresh.total
        assert cached_result.facets == fresh.facets
        assert [h.offer.id for h in cached_result.hits] == [h.offer.id for h in fresh.hits]


def test_publishing_and_withdrawing_move_the_version_on(specs):
    risk = specs[0]
    publish("Arden CSS", (risk, {"title": "Risk stratification for practices"}))
    before = search_offers(OfferFilters(q="risk"))
    assert before.total == 1
    version = catalogue_version()
    add_offer("Arden CSS", risk, title="A draft about risk")  # drafts are never searched
    assert catalogue_version() == version
    assert search_offers(OfferFilters(q="risk")).total == 1

    second = publish("Greater East Midlands CSS", (risk, {"title": "Risk tools"}))
    assert catalogue_version() != version
    assert search_offers(OfferFilters(q="risk")).total == 2
    prospectuses.withdraw(None, second)
    assert search_offers(OfferFilters(q="risk")).total == 1
    republished = publish("Arden CSS")  # v2 supersedes v1 and carries the draft offer too
    assert republished.number == 2
    titles = {hit.offer.title for hit in search_offers(OfferFilters(q="risk")).hits}
    assert titles == {"Risk stratification for practices", "A draft about risk"}
    assert all(hit.offer.prospectus_version_id == republished.id
               for hit in search_offers(OfferFilters(q="risk")).hits)


def test_a_provider_moving_region_moves_the_version_on(specs):
    publish("Arden CSS", (specs[0], {}))
    arden = organisation("Arden CSS")
    region = arden.region.code
    assert search_offers(OfferFilters(region=(region,))).total == 1
    arden.region_id = None
    db.session.commit()
    assert search_offers(OfferFilters(region=(region,))).total == 0
    assert search_offers(OfferFilters(region=("national",))).total == 1


def test_signing_off_a_review_changes_the_assurance_facet(bdu_client, specs):
    publish("Arden CSS", (specs[0], {"title": "Risk stratification for practices"}))
    assert {o.key for f in search_offers(OfferFilters()).facets if f.name == "assurance"
            for o in f.options} == {"not_assessed"}
    review = build.started_review()
    build.rate(review, build.CP2_GOOD)
    version = catalogue_version()
    build.rate(review, build.CP2_GOOD)  # saving a review in progress changes no search
    assert catalogue_version() == version
    db.session.refresh(review)
    reviews.sign_off(build.person("bdu2@demo.test"), review,
                     expected_lock_version=review.lock_version)
    assert catalogue_version() != version
    result = search_offers(OfferFilters(q="risk"))
    assert result.hits[0].assurance_status.startswith("checkpoint-2-")
    assert result.hits[0].assurance_label.startswith("Checkpoint 2:")
    assert "Checkpoint 2:" in text_of(bdu_client.get("/offers?q=risk"))


def test_without_a_version_row_nothing_is_cached(specs):
    publish("Arden CSS", (specs[0], {}))
    db.session.execute(db.delete(CatalogueVersion))
    db.session.commit()
    assert catalogue_version() is None
    entries = len(results)
    assert search_offers(OfferFilters(q="risk")).total == 1
    assert len(results) == entries
    publish("Greater East Midlands CSS", (specs[0], {}))  # the next change makes a new row
    assert catalogue_version() is not None
    assert search_offers(OfferFilters(q="risk")).total == 2


def test_threads_asking_for_the_same_missing_entry_compute_it_once():
    cache = LRUCache(size=4)
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_search():
        calls.append(1)
        started.set()
        release.wait(5)
        return "facets"

    answers = []

    def ask():
        answers.append(cache.get_or_compute("k", slow_search))

    first = threading.Thread(target=ask)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=ask) for _ in range(3)]
    for thread in others:
        thread.start()
    time.sleep(0.2)  # let them reach the entry being computed, and wait there
    release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert answers == ["facets"] * 4
    assert len(calls) == 1
    assert cache.get_or_compute("other", lambda: "computed") == "computed"


def test_a_failed_computation_lets_the_next_caller_try_again():
    cache = LRUCache(size=4)

    def failing():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("k", failing)
    assert cache.get_or_compute("k", lambda: "fine") == "fine"
