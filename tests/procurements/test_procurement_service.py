"""Starting, setting up, publishing, closing and cancelling procurements, per role."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    Bid,
    BidSource,
    OcdsRelease,
    Procurement,
    ProcurementDecision,
    StatementStatus,
)
from marketplace.services import procurements
from marketplace.services.buying_common import FieldErrors
from marketplace.services.errors import Conflict, PermissionDenied, ServiceError
from marketplace.services.procurements import CriterionInput

from ..factories import make_statement, published_competition, set_up_competition, shortlist, uk

COMPETITION = "further_competition"
DIRECT = "direct_award"
REASON = "Above the EU threshold: a competition is required."


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_lead_ccg_starts_a_competition_from_a_ready_statement(buying):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 COMPETITION, REASON)
    assert procurement.reference == "PROC-05A-001"
    assert procurement.status == "draft"
    assert procurement.route_reason == REASON
    assert buying.statement.status == StatementStatus.IN_PROCUREMENT
    # £330,000 a year for 18 months, over the £173,934 EU threshold of 2012.
    assert procurement.budget_annual == Decimal("330000.00")
    assert procurement.estimated_value_full_term == Decimal("495000.00")
    assert procurement.threshold.amount == Decimal("173934.00")
    assert procurement.standstill_days == 10
    assert procurement.contract_start == date(2013, 4, 1)
    assert procurement.contract_end == date(2014, 9, 30)
    assert [(c.kind, c.weight) for c in procurement.criteria] == [("quality", 60),
                                                                   ("price", 40)]
    assert procurements.recorded_route_check(procurement).warning is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action
                                                       == "procurement.started"))
    assert event.summary == ("Priya Shah of NHS Coventry and Rugby CCG started procurement "
                             "PROC-05A-001 (further competition) for statement “Business "
                             "intelligence and contract monitoring from April 2013”")


@pytest.mark.parametrize("who", ["partner_user", "other_ccg_user", "arden_user", "bdu_user"])
def test_only_the_lead_ccg_may_start(buying, who):
    with pytest.raises(PermissionDenied):
        procurements.start_procurement(getattr(buying, who), buying.statement, COMPETITION,
                                       REASON)
    db.session.rollback()
    assert _count(Procurement) == 0
    assert buying.statement.status == StatementStatus.READY


@pytest.mark.parametrize("route, reason, field", [
    ("tender", REASON, "route"),
    (COMPETITION, "   ", "route_reason"),
    (COMPETITION, "x\x00y", "route_reason"),
])
def test_a_route_needs_a_known_route_and_a_reason(buying, route, reason, field):
    with pytest.raises(ServiceError) as raised:
        procurements.start_procurement(buying.lead_user, buying.statement, route, reason)
    assert raised.value.field == field
    db.session.rollback()
    assert _count(Procurement) == 0


def test_a_statement_still_in_draft_or_already_being_bought_cannot_start(buying):
    draft = make_statement(buying.coventry, [(buying.coventry, buying.market.bi, None, None)],
                           status=StatementStatus.DRAFT)
    with pytest.raises(ServiceError, match="once every CCG has confirmed its lines"):
        procurements.start_procurement(buying.lead_user, draft, COMPETITION, REASON)
    db.session.rollback()
    procurements.start_procurement(buying.lead_user, buying.statement, COMPETITION, REASON)
    with pytest.raises(ServiceError, match="being bought"):
        procurements.start_procurement(buying.lead_user, buying.statement, COMPETITION, REASON)
    db.session.rollback()
    assert _count(Procurement) == 1


def test_references_are_numbered_per_lead_ccg(buying):
    first = procurements.start_procurement(buying.lead_user, buying.statement, COMPETITION,
                                           REASON)
    second_statement = make_statement(buying.coventry,
                                      [(buying.coventry, buying.market.comms, "1000", None)])
    second = procurements.start_procurement(buying.lead_user, second_statement, COMPETITION,
                                            REASON)
    assert (first.reference, second.reference) == ("PROC-05A-001", "PROC-05A-002")


def test_a_direct_award_over_the_threshold_is_warned_about_not_blocked(buying):
    m = buying.market
    shortlist(buying.coventry, m.arden_bi, m.gem_bi, m.arden_contracts)
    procurement = procurements.start_procurement(buying.lead_user, buying.statement, DIRECT,
                                                 "Arden already runs this service for us.")
    check = procurements.recorded_route_check(procurement)
    assert check.warning.startswith("The value over the full term, £495,000.00, is at or "
                                    "above the EU threshold for services")
    # One candidate per shortlisted provider, priced at the consortium's population:
    # Coventry and Rugby 464,596 + South Warwickshire 271,809 = 736,405 for BI.
    bids = {bid.provider.name: bid for bid in procurement.bids}
    assert set(bids) == {"Arden CSS", "Greater East Midlands CSS"}
    arden = {line.specification.code: line.annual_cost for line in bids["Arden CSS"].lines}
    assert arden == {"BI-01": Decimal("8836860.00"), "CM-01": Decimal("250000.00")}
    gem = bids["Greater East Midlands CSS"]
    assert [line.annual_cost for line in gem.lines] == [Decimal("6995847.50")]
    assert gem.source == BidSource.SHORTLIST and gem.status == "submitted"
    assert "Flagged: No hosting recommendation from Checkpoint 3" in gem.assurance_note


def test_a_direct_award_needs_shortlisted_offers(buying):
    with pytest.raises(ServiceError, match="has no shortlisted offers"):
        procurements.start_procurement(buying.lead_user, buying.statement, DIRECT, "Because")
    db.session.rollback()
    assert _count(Procurement) == 0
    assert buying.statement.status == StatementStatus.READY


def test_changing_route_moves_the_candidates_and_rechecks_the_threshold(buying):
    shortlist(buying.coventry, buying.market.meridian_bi)
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 COMPETITION, REASON)
    procurements.change_route(buying.lead_user, procurement, procurement.lock_version, DIRECT,
                              "Only one provider can do it.")
    assert [bid.provider.name for bid in procurement.bids] == [
        "Meridian Commissioning Partners Ltd"]
    assert procurements.recorded_route_check(procurement).warning is not None
    procurements.change_route(buying.lead_user, procurement, procurement.lock_version,
                              COMPETITION, REASON)
    assert _count(Bid) == 0


def test_a_stale_form_is_refused(buying):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 COMPETITION, REASON)
    stale = procurement.lock_version
    procurements.change_route(buying.lead_user, procurement, stale, COMPETITION, "Reason two")
    with pytest.raises(Conflict):
        procurements.change_route(buying.lead_user, procurement, stale, COMPETITION, "Three")
    db.session.rollback()
    assert procurement.route_reason == "Reason two"


def test_details_with_bad_dates_save_nothing_and_name_each_field(buying, clock):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 COMPETITION, REASON)
    with pytest.raises(FieldErrors) as raised:
        procurements.set_details(
            buying.lead_user, procurement, procurement.lock_version, title="",
            description="", budget_shown=True,
            clarifications_close_at=clock.now - timedelta(hours=1),
            closes_at=clock.now - timedelta(days=1))
    db.session.rollback()
    assert dict(raised.value.errors) == {
        "title": "Enter a title",
        "closes_at": "The closing date must be in the future",
        "clarifications_close_at": "The last date for questions must be in the future",
    }
    db.session.refresh(procurement)
    assert procurement.closes_at is None and procurement.title


def test_weights_that_do_not_total_100_save_nothing(buying):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 COMPETITION, REASON)
    with pytest.raises(FieldErrors) as raised:
        procurements.set_criteria(buying.lead_user, procurement, procurement.lock_version, [
            CriterionInput("quality", "Approach", "60"), CriterionInput("price", "Price", "39")])
    db.session.rollback()
    assert raised.value.errors == [("weights", "The weights must total 100; they total 99")]
    db.session.refresh(procurement)
    assert [c.weight for c in procurement.criteria] == [60, 40]


def test_evaluators_are_users_of_the_lead_or_partner_ccgs(buying):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 COMPETITION, REASON)
    with pytest.raises(ServiceError, match="lead or a partner CCG"):
        procurements.set_evaluators(buying.lead_user, procurement, procurement.lock_version,
                                    [buying.other_ccg_user.id])
    db.session.rollback()
    procurements.set_evaluators(buying.lead_user, procurement, procurement.lock_version,
                                [buying.partner_user.id, buying.lead_user.id])
    assert {e.user.full_name for e in procurement.evaluators} == {"Ruth Kaur", "Priya Shah"}
    with pytest.raises(PermissionDenied):
        procurements.set_evaluators(buying.partner_user, procurement, procurement.lock_version,
                                    [buying.partner_user.id])


def test_a_chosen_list_must_name_providers(buying):
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 COMPETITION, REASON)
    with pytest.raises(ServiceError, match="at least one provider"):
        procurements.set_invitees(buying.lead_user, procurement, procurement.lock_version,
                                  open_to_all=False, organisation_ids=[])
    db.session.rollback()
    with pytest.raises(ServiceError, match="from the list"):
        procurements.set_invitees(buying.lead_user, procurement, procurement.lock_version,
                                  open_to_all=False, organisation_ids=[buying.coventry.id])


def test_publishing_opens_it_and_stores_the_tender_release(buying, clock):
    procurement = published_competition(buying)
    assert procurement.status == "open"
    assert procurement.published_at == clock.now
    [row] = db.session.scalars(select(OcdsRelease)).all()
    release = row.release
    assert row.tag == "tender" and release["tag"] == ["tender"]
    assert release["ocid"] == "ocds-cssmkt-PROC-05A-001"
    assert release["id"] == "ocds-cssmkt-PROC-05A-001-01-tender"
    tender = release["tender"]
    assert tender["status"] == "active"
    assert tender["procurementMethod"] == "selective"
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["value"] == {"amount": Decimal("495000.00"), "currency": "GBP"}
    assert tender["tenderPeriod"] == {"startDate": "2013-01-07T09:00:00Z",
                                      "endDate": "2013-01-21T17:00:00Z"}
    assert tender["enquiryPeriod"]["endDate"] == "2013-01-14T17:00:00Z"
    assert [item["id"] for item in tender["items"]] == ["BI-01", "CM-01"]
    assert [p["roles"] for p in release["parties"]] == [["buyer", "procuringEntity"],
                                                        ["buyer"]]
    assert isinstance(tender["value"]["amount"], Decimal)


def test_a_withheld_budget_is_not_published(buying):
    published_competition(buying, budget_shown=False, open_to_all=False,
                          invitees=[buying.market.gem])
    tender = db.session.scalar(select(OcdsRelease)).release["tender"]
    assert "value" not in tender
    assert tender["procurementMethod"] == "limited"


def test_publishing_twice_is_a_conflict(buying):
    procurement = published_competition(buying)
    with pytest.raises(Conflict):
        procurements.publish(buying.lead_user, procurement, procurement.lock_version)
    db.session.rollback()
    assert _count(OcdsRelease) == 1


def test_publishing_checks_dates_again_at_the_moment_of_publishing(buying, clock):
    procurement = set_up_competition(buying)
    clock.set(uk(date(2013, 1, 15)))  # past the question cut-off; 6 days before closing
    with pytest.raises(FieldErrors) as raised:
        procurements.publish(buying.lead_user, procurement, procurement.lock_version)
    db.session.rollback()
    assert dict(raised.value.errors) == {
        "closes_at": "Leave at least 10 days between publishing and the closing date",
        "clarifications_close_at": "The last date for questions must be in the future",
    }
    assert procurement.status == "draft" and _count(OcdsRelease) == 0


@pytest.mark.parametrize("who", ["partner_user", "other_ccg_user", "arden_user", "bdu_user"])
def test_only_the_lead_publishes(buying, who):
    procurement = set_up_competition(buying)
    with pytest.raises(PermissionDenied):
        procurements.publish(getattr(buying, who), procurement, procurement.lock_version)
    db.session.rollback()
    assert procurement.status == "draft"


def test_the_competition_closes_when_read_after_its_closing_time(buying, clock):
    procurement = published_competition(buying)
    clock.set(procurement.closes_at - timedelta(seconds=1))
    assert procurements.refresh_status(procurement).status == "open"
    clock.set(procurement.closes_at)
    assert procurements.refresh_status(procurement).status == "evaluation"
    assert procurement.closed_at == procurement.closes_at


def test_close_due_closes_every_competition_past_its_time(buying, clock):
    procurement = published_competition(buying)
    clock.set(procurement.closes_at + timedelta(minutes=1))
    assert procurements.close_due() == ["PROC-05A-001"]
    assert procurement.status == "evaluation"
    assert procurements.close_due() == []


def test_cancelling_records_the_reason_and_frees_the_statement(buying):
    procurement = published_competition(buying)
    with pytest.raises(ServiceError):
        procurements.cancel(buying.lead_user, procurement, procurement.lock_version, " ")
    db.session.rollback()
    procurements.cancel(buying.lead_user, procurement, procurement.lock_version,
                        "The CCGs merged their needs into a wider statement.")
    assert procurement.status == "cancelled"
    decision = db.session.scalar(select(ProcurementDecision))
    assert decision.outcome == "cancelled"
    assert decision.rationale == "The CCGs merged their needs into a wider statement."
    assert buying.statement.status == StatementStatus.READY
    tags = [row.tag for row in db.session.scalars(select(OcdsRelease).order_by(OcdsRelease.id))]
    assert tags == ["tender", "tenderCancellation"]
    with pytest.raises(ServiceError, match="is cancelled, so it cannot be cancelled"):
        procurements.cancel(buying.lead_user, procurement, procurement.lock_version, "Again")


def test_the_close_due_command(buying, clock, app):
    procurement = published_competition(buying)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["procurements", "close-due"])
    assert result.output == "0 competitions closed.\n"
    clock.set(procurement.closes_at)
    result = runner.invoke(args=["procurements", "close-due"])
    assert result.output == "Closed PROC-05A-001\n1 competition closed.\n"
    db.session.refresh(procurement)
    assert procurement.status == "evaluation"


def test_the_clock_reads_an_iso_setting(app):
    from datetime import UTC, datetime

    from marketplace import clock as app_clock

    app.config["MARKETPLACE_TODAY"] = "2013-06-21T17:30:00+01:00"
    try:
        with app.app_context():
            assert app_clock.now() == datetime(2013, 6, 21, 16, 30, tzinfo=UTC)
            assert app_clock.in_words(app_clock.now()) == "21 June 2013 at 5:30pm"
    finally:
        app.config.pop("MARKETPLACE_TODAY")
