"""Responses: one per provider, priced by the pricing rules, sealed until closing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Bid, BidAttachment, Review, ReviewStatus
from marketplace.services import bids, procurements
from marketplace.services.bids import LineInput
from marketplace.services.buying_common import FieldErrors
from marketplace.services.errors import Conflict, PermissionDenied, ServiceError

from ..factories import published_competition, submission

PDF = b"%PDF-1.4\n% a response\n"


def _bids() -> int:
    return db.session.scalar(select(func.count(Bid.id)))


def _answers(procurement, text="We will run it from Coventry."):
    return {c.id: text for c in bids.quality_criteria(procurement)}


def _lines(procurement, **prices):
    """LineInputs for every specification: code=(model, price, quantity)."""
    made = []
    for guide in bids.line_guides(procurement):
        model, price, quantity = prices.get(guide.specification.code.replace("-", "_"),
                                            (None, None, None))
        made.append(LineInput(guide.specification.id, model, price, quantity))
    return made


def _complete(b, procurement, user_name="gem_user"):
    actor = getattr(b, user_name)
    bid = bids.start_response(actor, procurement)
    bids.save_response(actor, bid, bid.lock_version, summary="Our response",
                       lines=_lines(procurement, BI_01=("per_head", "9.00", None),
                                    CM_01=("per_case", "150", "1,000")),
                       answers=_answers(procurement))
    return bid


def test_a_draft_is_prefilled_from_the_providers_published_offers(buying):
    procurement = published_competition(buying)
    bid = bids.start_response(buying.arden_user, procurement)
    assert bid.status == "draft" and bid.source == "response"
    costs = {line.specification.code: (line.pricing_model, line.annual_cost, line.offer_id)
             for line in bid.lines}
    m = buying.market
    # £12 per head × (464,596 + 271,809) for BI; £250,000 a year for contract monitoring.
    assert costs == {"BI-01": ("per_head", Decimal("8836860.00"), m.arden_bi.id),
                     "CM-01": ("fixed_annual", Decimal("250000.00"), m.arden_contracts.id)}


def test_a_second_response_from_the_same_provider_is_refused(buying):
    procurement = published_competition(buying)
    bids.start_response(buying.arden_user, procurement)
    with pytest.raises(Conflict, match="one response per provider"):
        bids.start_response(buying.arden_user, procurement)
    db.session.rollback()
    assert _bids() == 1


@pytest.mark.parametrize("who", ["nwl_user", "lead_user", "partner_user", "bdu_user"])
def test_only_eligible_providers_respond(buying, who):
    procurement = published_competition(buying)
    with pytest.raises(PermissionDenied):
        bids.start_response(getattr(buying, who), procurement)
    db.session.rollback()
    assert _bids() == 0


def test_an_independent_provider_responds_and_an_uninvited_css_does_not(buying):
    procurement = published_competition(buying, open_to_all=False,
                                        invitees=[buying.market.meridian])
    with pytest.raises(PermissionDenied):
        bids.start_response(buying.arden_user, procurement)
    db.session.rollback()
    assert bids.start_response(buying.meridian_user, procurement).provider.name == (
        "Meridian Commissioning Partners Ltd")


def test_prices_in_each_model_are_costed_at_the_consortium_population(buying):
    procurement = published_competition(buying)
    bid = _complete(buying, procurement)
    costs = {line.specification.code: line.annual_cost for line in bid.lines}
    # £9 × 736,405 and £150 × 1,000 cases.
    assert costs == {"BI-01": Decimal("6627645.00"), "CM-01": Decimal("150000.00")}
    assert bids.total_annual_cost(bid) == Decimal("6777645.00")
    # GEM's published contract monitoring offer is £150 a case for 1,000 cases: the line
    # says it comes from that offer; its BI offer is £9.50, so the £9 line does not.
    offers = {line.specification.code: line.offer_id for line in bid.lines}
    assert offers == {"BI-01": None, "CM-01": buying.market.gem_contracts.id}


@pytest.mark.parametrize("prices, field, message", [
    ({"BI_01": ("per_head", "-1", None)}, "price_{BI}", "Enter the price as an amount"),
    ({"BI_01": ("per_head", "²", None)}, "price_{BI}", "Enter the price as an amount"),
    ({"BI_01": ("per_head", "1000.01", None)}, "price_{BI}", "at most £1,000.00 per head"),
    ({"BI_01": ("per_head", "68", None)}, "price_{BI}", "above the £50,000,000.00 limit"),
    ({"CM_01": ("day_rate", "650", None)}, "estimated_quantity_{CM}", "estimated days"),
    ({"CM_01": ("weekly", "650", None)}, "pricing_model_{CM}", "Choose a pricing model"),
    ({"CM_01": (None, "650", None)}, "pricing_model_{CM}", "Choose a pricing model"),
    ({"CM_01": ("fixed_annual", None, None)}, "price_{CM}", "Enter a price for"),
])
def test_prices_outside_the_pricing_rules_save_nothing(buying, prices, field, message):
    procurement = published_competition(buying)
    bid = bids.start_response(buying.arden_user, procurement)
    before = {line.specification_id: line.annual_cost for line in bid.lines}
    with pytest.raises(FieldErrors) as raised:
        bids.save_response(buying.arden_user, bid, bid.lock_version, summary="Changed",
                           lines=_lines(procurement, **prices), answers={})
    db.session.rollback()
    ids = {"BI": buying.market.bi.id, "CM": buying.market.contracts.id}
    messages = [text for name, text in raised.value.errors if name == field.format(**ids)]
    assert any(message in text for text in messages), messages
    db.session.refresh(bid)
    assert bid.summary == ""
    assert {line.specification_id: line.annual_cost for line in bid.lines} == before


def test_submitting_needs_every_price_and_answer(buying):
    procurement = published_competition(buying)
    bid = bids.start_response(buying.gem_user, procurement)
    bids.save_response(buying.gem_user, bid, bid.lock_version, summary="",
                       lines=_lines(procurement, BI_01=("per_head", "9.50", None)),
                       answers={})
    with pytest.raises(FieldErrors) as raised:
        bids.submit(buying.gem_user, bid, bid.lock_version)
    db.session.rollback()
    fields = [field for field, _ in raised.value.errors]
    approach, team = bids.quality_criteria(procurement)
    assert fields == [f"price_{buying.market.contracts.id}", f"answer_{approach.id}",
                      f"answer_{team.id}"]
    assert bid.status == "draft"


def test_submit_withdraw_and_submit_again_before_closing(buying, clock):
    procurement = published_competition(buying)
    bid = _complete(buying, procurement)
    bids.submit(buying.gem_user, bid, bid.lock_version)
    assert bid.status == "submitted" and bid.submitted_at == clock.now
    assert bid.assurance_note == ("Not yet assessed. Flagged: No hosting recommendation "
                                  "from Checkpoint 3.")
    with pytest.raises(Conflict):
        bids.submit(buying.gem_user, bid, bid.lock_version)  # a double submit
    db.session.rollback()
    with pytest.raises(ServiceError, match="Withdraw it to change it"):
        bids.save_response(buying.gem_user, bid, bid.lock_version, summary="x", lines=[],
                           answers={})
    db.session.rollback()
    bids.withdraw(buying.gem_user, bid, bid.lock_version)
    assert bid.status == "withdrawn"
    with pytest.raises(Conflict):
        bids.withdraw(buying.gem_user, bid, bid.lock_version)
    db.session.rollback()
    clock.advance(hours=1)
    bids.submit(buying.gem_user, bid, bid.lock_version)
    assert bid.status == "submitted" and bid.withdrawn_at is None


def test_after_closing_every_change_is_refused_even_from_a_form_opened_before(buying, clock):
    procurement = published_competition(buying)
    bid = _complete(buying, procurement)
    opened_with = bid.lock_version  # the form was drawn before closing...
    clock.set(procurement.closes_at)  # ...and sent at the closing time
    for attempt in (
        lambda: bids.save_response(buying.gem_user, bid, opened_with, summary="Late",
                                   lines=[], answers={}),
        lambda: bids.submit(buying.gem_user, bid, opened_with),
        lambda: bids.add_attachment(buying.gem_user, bid, filename="late.pdf", content=PDF),
        lambda: bids.start_response(buying.arden_user, procurement),
    ):
        with pytest.raises(ServiceError, match="closing time has passed"):
            attempt()
        db.session.rollback()
    db.session.refresh(bid)
    assert bid.status == "draft" and bid.summary == "Our response"
    assert _bids() == 1
    # Each refusal rolled back everything, the close it noticed included; the next read
    # closes it for good.
    db.session.refresh(procurement)
    assert procurements.refresh_status(procurement).status == "evaluation"
    db.session.rollback()
    assert db.session.get(type(procurement), procurement.id).status == "evaluation"


def test_a_submitted_response_cannot_be_withdrawn_after_closing(buying, clock):
    procurement = published_competition(buying)
    bid = _complete(buying, procurement)
    bids.submit(buying.gem_user, bid, bid.lock_version)
    clock.set(procurement.closes_at + timedelta(seconds=1))
    with pytest.raises(ServiceError, match="closing time has passed"):
        bids.withdraw(buying.gem_user, bid, bid.lock_version)
    db.session.rollback()
    assert bid.status == "submitted"


def test_the_buyer_sees_only_a_count_until_closing(buying, clock):
    procurement = published_competition(buying)
    bid = _complete(buying, procurement)
    bids.submit(buying.gem_user, bid, bid.lock_version)
    bids.start_response(buying.arden_user, procurement)  # a draft never counts
    assert bids.submitted_count(procurement) == 1
    with pytest.raises(PermissionDenied, match="sealed"):
        bids.responses_for_buyer(buying.lead_user, procurement)
    clock.set(procurement.closes_at)
    [response] = bids.responses_for_buyer(buying.lead_user, procurement)
    assert response.bid.provider.name == "Greater East Midlands CSS"
    assert response.total_annual_cost == Decimal("6777645.00")
    [response] = bids.responses_for_buyer(buying.partner_user, procurement)
    for outsider in (buying.other_ccg_user, buying.arden_user, buying.bdu_user):
        with pytest.raises(PermissionDenied):
            bids.responses_for_buyer(outsider, procurement)


def test_a_stop_at_checkpoint_2_is_flagged_to_the_buyer(buying, clock):
    procurement = published_competition(buying)
    bid = _complete(buying, procurement)
    bids.submit(buying.gem_user, bid, bid.lock_version)
    stopped = submission(2, "Greater East Midlands CSS")
    db.session.add(Review(submission=stopped, status=ReviewStatus.SIGNED_OFF,
                          author_id=buying.bdu_user.id, outcome_code="C",
                          outcome_label="Scenario C: Stop",
                          signed_off_at=datetime(2012, 5, 14, tzinfo=UTC)))
    db.session.commit()
    clock.set(procurement.closes_at)
    [response] = bids.responses_for_buyer(buying.lead_user, procurement)
    assert response.assurance.status == "Checkpoint 2: Scenario C: Stop"
    assert response.assurance.flags == ("Checkpoint 2 outcome was scenario C: Stop",
                                        "No hosting recommendation from Checkpoint 3")


def test_attachments_follow_the_evidence_rules(buying, app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path)
    try:
        procurement = published_competition(buying)
        bid = bids.start_response(buying.arden_user, procurement)
        attachment = bids.add_attachment(buying.arden_user, bid, filename="method.pdf",
                                         content=PDF)
        assert bids.attachment_path(attachment).read_bytes() == PDF
        with pytest.raises(ServiceError, match="not what its name says") as raised:
            bids.add_attachment(buying.arden_user, bid, filename="virus.pdf",
                                content=b"MZ\x90\x00")
        assert raised.value.field == "attachment"
        db.session.rollback()
        with pytest.raises(PermissionDenied):
            bids.add_attachment(buying.gem_user, bid, filename="x.pdf", content=PDF)
        db.session.rollback()
        assert db.session.scalar(select(func.count(BidAttachment.id))) == 1
        assert bids.may_download(buying.arden_user, attachment)
        assert not bids.may_download(buying.gem_user, attachment)
        assert not bids.may_download(buying.lead_user, attachment)  # sealed, and a draft
        bids.remove_attachment(buying.arden_user, bid, attachment.id)
        assert list(tmp_path.iterdir()) == []
    finally:
        app.config["EVIDENCE_DIR"] = None
