"""The demo's contract performance (marketplace/demo/performance.py): at the demo's "now" the
shadow-year agreement of ccg@ (Coventry and Rugby) and css@ (Arden CSS) has KPIs and months of
returns, all made through the services, and both logins see them on its pages."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from marketplace.demo.performance import seed_performance, shadow_agreement
from marketplace.demo.procurements import DEMO_NOW
from marketplace.demo.prospectuses import seed_prospectuses
from marketplace.demo.specifications import seed_specifications
from marketplace.domain.service_levels import Rating
from marketplace.extensions import db
from marketplace.models import AuditEvent, FigureReview, PerformanceFigure, PerformanceReturn
from marketplace.services import performance_returns
from marketplace.services.transaction import transaction

from ..conftest import text_of


def _seed() -> None:
    for seeder in (seed_specifications, seed_prospectuses, seed_performance):
        with transaction():
            seeder(1)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


@pytest.fixture
def demo(app_context, clock):
    _seed()
    clock.set(DEMO_NOW)
    agreement = shadow_agreement()
    assert agreement is not None
    return agreement


def test_the_shadow_agreement_is_signed_with_kpis_and_reported_on(demo):
    assert demo.status == "signed" and demo.ccg.ods_code == "05A"
    assert demo.provider.name == "Arden CSS"
    kpis = performance_returns.kpis_of(demo)
    assert len(kpis) == 4 and all(kpi.target is not None for kpi in kpis)
    # Every step was a service, each with its audit event.
    assert _events("agreement.kpi_added") == 4
    assert _events("agreement.signed_by_ccg") == _events("agreement.countersigned") == 1
    assert _events("performance_return.submitted") == 3
    assert _events("performance_return.resubmitted") == 1
    assert _events("performance_figure.disputed") == 1

    rows = {row.period.label: row for row in performance_returns.schedule(demo)}
    assert rows["June 2012"].status == ("Accepted", "green")
    assert rows["July 2012"].status == ("Accepted", "green")
    august = rows["August 2012"]
    assert [r.version for r in august.versions] == [1, 2]
    assert august.review_state == "pending"  # the resubmitted figure waits for the CCG
    september = rows["September 2012"]
    assert september.overdue and september.status == ("Late: not submitted", "red")
    # October has ended but is not due until 21 November.
    assert not rows["October 2012"].late and not rows["October 2012"].versions
    assert str(rows["October 2012"].due_on) == "2012-11-21"

    ratings = [point.rating for record in performance_returns.kpi_records(demo)
               for point in record.points]
    assert ratings.count(Rating.WITHIN_TOLERANCE) >= 1
    assert ratings.count(Rating.MISSED) == 1
    assert ratings.count(Rating.MET) > len(ratings) / 2
    [disputed] = db.session.scalars(select(PerformanceFigure).where(
        PerformanceFigure.review == FigureReview.DISPUTED)).all()
    assert "case log" in disputed.dispute_reason
    assert not any(r.submitted_late for r in db.session.scalars(select(PerformanceReturn)))


def test_seeding_twice_adds_nothing(demo):
    before = (_count(PerformanceReturn), _count(PerformanceFigure), _count(AuditEvent))
    with transaction():
        seed_performance(1)
    assert (_count(PerformanceReturn), _count(PerformanceFigure), _count(AuditEvent)) == before


def test_the_demo_logins_see_it(demo, sign_in):
    ccg = sign_in("ccg@demo.test")
    page = text_of(ccg.get(f"/agreements/{demo.id}/performance"))
    assert "Late: not submitted" in page and "September 2012" in page
    assert "Missed" in page and "Within tolerance" in page
    assert "Review the figures" in page  # August's resubmission
    agreement_page = text_of(ccg.get(f"/agreements/{demo.id}"))
    assert demo.reference in agreement_page
    assert "Late performance returns" in agreement_page
    assert "September 2012: due by" in agreement_page and "not submitted" in agreement_page

    css = sign_in("css@demo.test")
    page = text_of(css.get(f"/customers/agreements/{demo.id}/performance"))
    assert "Late: not submitted" in page and "Submit the return" in page
    assert "Late performance returns" in text_of(
        css.get(f"/customers/agreements/{demo.id}"))
    august = performance_returns.period_row(demo, 3).versions[0]
    first = text_of(css.get(f"/customers/agreements/{demo.id}/returns/{august.id}"))
    assert "case log" in first


def _as_on_the_performance_page(agreement) -> dict:
    """The record counted from what the agreement's performance page shows (schedule and
    kpi_records), agreement by agreement."""
    rows = performance_returns.schedule(agreement)
    points = [point.rating for record in performance_returns.kpi_records(agreement, rows)
              for point in record.points]
    return {"met": points.count(Rating.MET),
            "within_tolerance": points.count(Rating.WITHIN_TOLERANCE),
            "missed": points.count(Rating.MISSED),
            "open_disputes": sum(
                1 for row in rows if row.current is not None
                for figure in row.current.figures if figure.review == FigureReview.DISPUTED),
            "late_returns": sum(1 for row in rows if row.late),
            "kpis": len(performance_returns.kpis_of(agreement))}


@pytest.mark.parametrize("today", [datetime(2012, 12, 10, tzinfo=UTC), DEMO_NOW,
                                   datetime(2013, 6, 3, tzinfo=UTC)])
def test_the_contract_record_counts_what_the_performance_pages_show(demo, clock, today):
    from marketplace.models import Agreement
    from marketplace.services.contract_record import provider_records

    clock.set(today)
    provider = demo.provider
    record = provider_records([provider])[provider.id]
    agreements = db.session.scalars(select(Agreement).where(
        Agreement.provider_id == provider.id,
        Agreement.status.in_(performance_returns.REPORTED_ON))).all()
    assert record.agreements == len(agreements) and demo.id in record.by_agreement
    for agreement in agreements:
        assert vars(record.by_agreement[agreement.id]) == _as_on_the_performance_page(agreement)
    shadow = record.by_agreement[demo.id]
    assert shadow.kpis == 4 and shadow.missed == 1 and shadow.within_tolerance >= 1
    assert record.total.rated == sum(r.rated for r in record.by_agreement.values())


def test_the_kept_contract_record_follows_the_market_and_the_day(demo, clock, catalogue_cache_on):
    from marketplace.services.audit import record_event
    from marketplace.services.contract_record import kept_records, provider_records

    provider = demo.provider

    def disputes(records) -> int:
        return records([provider])[provider.id].total.open_disputes

    worked_out = provider_records([provider])[provider.id]
    kept = kept_records([provider])[provider.id]
    assert kept.provider is provider and kept.agreements == worked_out.agreements
    assert vars(kept.total) == vars(worked_out.total) and worked_out.total.open_disputes == 0
    assert {key: vars(value) for key, value in kept.by_agreement.items()} == {
        key: vars(value) for key, value in worked_out.by_agreement.items()}
    # A figure of the latest return disputed behind the services' back (no audit event) is
    # counted afresh but not in the kept record ...
    figure = db.session.scalars(select(PerformanceFigure)
                                .order_by(PerformanceFigure.id.desc())).first()
    reviewed = figure.review
    figure.review = FigureReview.DISPUTED
    db.session.commit()
    assert disputes(provider_records) == 1 and disputes(kept_records) == 0
    # ... until the day turns (a return may have become late) ...
    clock.set(datetime(2012, 11, 20, 9, tzinfo=UTC))
    assert disputes(kept_records) == 1
    # ... or a change commits with its audit event, as every service's does.
    figure.review = reviewed
    db.session.commit()
    assert disputes(kept_records) == 1
    record_event("performance_figure.reviewed", figure, "Reviewed again", system=True)
    db.session.commit()
    assert disputes(kept_records) == 0
