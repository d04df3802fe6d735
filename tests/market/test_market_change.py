"""Market change: the Board's hosting decision beside the BDU's recommendation, licences and
their conditions, and a merger moving everything to the successor in one audited step."""

from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AgreementStatus,
    AuditEvent,
    BoardHostingDecision,
    Condition,
    ConditionStatus,
    LicenceCondition,
    Merger,
)
from marketplace.services import follow_up
from marketplace.services import market_change as service
from marketplace.services.errors import PermissionDenied, ServiceError

from .. import factories as build
from ..conftest import user

GEM = "Greater East Midlands CSS"
ARDEN = "Arden CSS"


@pytest.fixture
def gem_history(app_context):
    """Greater East Midlands with two live agreements and an ended one, a signed-off review
    with an open condition, and a licence with an open condition."""
    market = build.build_market()
    gem, arden = market.gem, market.arden
    live = [
        build.create_agreement(build.ccg("05A"), [market.gem_bi]),
        build.create_agreement(
            build.ccg("05R"),
            [market.gem_contracts],
            status=AgreementStatus.AWAITING_COUNTERSIGNATURE,
        ),
    ]
    ended = build.create_agreement(build.ccg("00C"), [market.gem_bi], status=AgreementStatus.ENDED)
    review = build.sign_off(build.drafted_review(2, name=GEM))
    licence = service.grant_licence(
        user("bdu@demo.test"),
        gem,
        granted_on=date(2012, 11, 1),
        conditions=[("Appoint a finance director.", None)],
    )
    return gem, arden, live, ended, review, licence


def _audit_count(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_a_merger_moves_customers_agreements_and_open_conditions_in_one_step(gem_history):
    gem, arden, live, ended, review, licence = gem_history
    merger = service.merge(
        user("admin@demo.test"), gem, arden, kind="merger", effective_on=date(2012, 8, 1)
    )
    db.session.expire_all()

    assert {a.provider_id for a in live} == {arden.id}
    assert ended.provider_id == gem.id  # ended agreements stay as history
    assert [c.answered_by_id for c in review.conditions] == [arden.id]
    moved = db.session.scalars(select(LicenceCondition)).all()
    assert [(c.organisation_id, c.moved_from_id) for c in moved] == [(arden.id, gem.id)]
    assert licence.status == "ended" and licence.ended_on == date(2012, 8, 1)
    assert (gem.merged_into_id, gem.merged_on) == (arden.id, date(2012, 8, 1))
    assert merger.moved["agreements"] == sorted(a.id for a in live)
    assert merger.moved["customers"] == ["05A", "05R"]
    assert _audit_count("market.merged") == 2  # on the predecessor and the successor
    # History stays readable: the review is still the predecessor's.
    assert review.submission.organisation_id == gem.id
    # The successor's leader answers the moved condition; the predecessor's no longer can.
    condition = review.conditions[0]
    with pytest.raises(PermissionDenied):
        follow_up.respond_to_condition(user("css2@demo.test"), condition, "We will.")
    follow_up.respond_to_condition(user("css@demo.test"), condition, "Arden will do it.")
    assert condition.status == ConditionStatus.RESPONDED


def test_a_failure_part_way_leaves_nothing_moved(gem_history, monkeypatch):
    gem, arden, live, ended, review, licence = gem_history

    def fail(*args):
        raise RuntimeError("the disk filled up")

    # Agreements and review conditions have moved by the time licence conditions fail.
    monkeypatch.setattr(service, "_move_licence_conditions", fail)
    with pytest.raises(RuntimeError):
        service.merge(
            user("bdu@demo.test"), gem, arden, kind="takeover", effective_on=date(2012, 8, 1)
        )
    db.session.expire_all()
    assert {a.provider_id for a in live} == {gem.id}
    assert db.session.scalars(select(Condition.answered_by_id)).all() == [None]
    assert gem.merged_into_id is None and licence.status == "in_force"
    assert db.session.scalar(select(func.count()).select_from(Merger)) == 0
    assert _audit_count("market.merged") == 0


def test_merging_is_refused_to_other_roles_and_when_it_makes_no_sense(gem_history):
    gem, arden, *_ = gem_history
    for email in ("ccg@demo.test", "css@demo.test", "css2@demo.test", "peer@demo.test"):
        with pytest.raises(PermissionDenied):
            service.merge(user(email), gem, arden, kind="merger", effective_on=date(2012, 8, 1))
    bdu = user("bdu@demo.test")
    with pytest.raises(ServiceError) as refused:
        service.merge(bdu, gem, gem, kind="merger", effective_on=date(2012, 8, 1))
    assert refused.value.field == "successor_id"
    with pytest.raises(ServiceError) as refused:
        service.merge(bdu, gem, arden, kind="merger", effective_on=None)
    assert refused.value.field == "effective_on"
    service.merge(bdu, gem, arden, kind="merger", effective_on=date(2012, 8, 1))
    with pytest.raises(ServiceError, match="has merged into Arden CSS"):
        service.merge(bdu, gem, arden, kind="merger", effective_on=date(2012, 9, 1))
    with pytest.raises(ServiceError, match="has merged into"):
        service.merge(bdu, arden, gem, kind="merger", effective_on=date(2012, 9, 1))


def test_the_board_decision_is_recorded_beside_the_recommendation(gem_history):
    gem, arden, *_ = gem_history
    bdu = user("bdu@demo.test")
    decision = service.record_board_decision(
        bdu,
        gem,
        decision="merge",
        merge_with=arden,
        decided_on=date(2012, 10, 31),
        reasons="Too small to be viable alone.",
    )
    assert (decision.decision_label, decision.merge_with_id) == ("Merge with another CSS", arden.id)
    assert decision.review is None  # no Checkpoint 3 recommendation was signed off
    assert _audit_count("market.board_decision") == 1
    with pytest.raises(ServiceError) as refused:
        service.record_board_decision(
            bdu, gem, decision="merge", merge_with=None, decided_on=date(2012, 10, 31)
        )
    assert refused.value.field == "merge_with_id"
    with pytest.raises(PermissionDenied):
        service.record_board_decision(
            user("css2@demo.test"), gem, decision="host", decided_on=date(2012, 10, 31)
        )
    assert db.session.scalar(select(func.count()).select_from(BoardHostingDecision)) == 1


def test_a_licence_in_force_is_one_at_a_time_and_conditions_are_audited(gem_history):
    gem, arden, _live, _ended, _review, licence = gem_history
    bdu = user("bdu@demo.test")
    with pytest.raises(ServiceError, match="already holds a licence"):
        service.grant_licence(bdu, gem, granted_on=date(2012, 12, 1))
    condition = service.add_licence_condition(
        bdu, licence, text="Publish a prospectus.", due_on=date(2013, 1, 31)
    )
    service.mark_licence_condition_met(bdu, condition)
    assert condition.status == "met"
    assert _audit_count("market.licence_granted") == 1
    assert _audit_count("market.licence_condition_set") == 1
    assert _audit_count("market.licence_condition_met") == 1
