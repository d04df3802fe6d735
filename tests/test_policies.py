"""The ownership rules (marketplace/policies/), per role and per organisation.

Each case asks the policy directly (``may`` / ``require``), as @owns, the services and the
templates' ``allowed`` do; the request tests of each feature check the pages that use them.
"""

from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from marketplace.domain.errors import NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    BidStatus,
    ProcurementStatus,
    Role,
)
from marketplace.navigation import NAVIGATION
from marketplace.policies import declared_models, may, policy_for, require
from marketplace.policies.procurements import may_read_letter

from . import factories as build
from .conftest import user
from .procurements.conftest import buying, clock  # noqa: F401 (fixtures)


def test_every_declared_model_says_who_may_view_it():
    for model in declared_models():
        assert "view" in policy_for(model).actions, model.__name__


def test_visitors_may_do_nothing(buying):  # noqa: F811
    assert not may(AnonymousUserMixin(), "view", buying.statement)
    assert not may(None, "view", buying.statement)


# --- statements -----------------------------------------------------------------------------


def test_a_ccg_cannot_load_another_ccgs_statement(buying):  # noqa: F811
    statement = buying.statement
    with pytest.raises(NotFound):
        require(buying.other_ccg_user, "view", statement)
    for outsider in (buying.arden_user, buying.bdu_user, user("admin@demo.test")):
        with pytest.raises(NotFound):
            require(outsider, "view", statement)


def test_the_lead_changes_the_statement_and_a_partner_reads_it(buying):  # noqa: F811
    statement = buying.statement
    assert may(buying.lead_user, "lead", statement)
    assert may(buying.partner_user, "view", statement)
    # A partner knows the statement exists, so it is told 403, not 404.
    with pytest.raises(PermissionDenied):
        require(buying.partner_user, "lead", statement)


def test_each_ccg_changes_only_its_own_lines(buying):  # noqa: F811
    own, partners = [], []
    for line in buying.statement.lines:
        (own if line.ccg_id == buying.lead_user.organisation_id else partners).append(line)
    assert all(may(buying.lead_user, "edit", line) for line in own)
    assert not any(may(buying.lead_user, "edit", line) for line in partners)
    assert all(may(buying.lead_user, "view", line) for line in partners)
    with pytest.raises(NotFound):
        require(buying.other_ccg_user, "edit", partners[0])


# --- procurements and responses -------------------------------------------------------------


def test_only_the_buying_ccgs_and_the_bdu_read_a_published_procurement(buying):  # noqa: F811
    procurement = build.published_competition(buying)
    assert may(buying.lead_user, "lead", procurement)
    assert may(buying.partner_user, "party", procurement)
    assert not may(buying.partner_user, "lead", procurement)
    assert may(buying.bdu_user, "view", procurement)
    assert not may(buying.bdu_user, "party", procurement)
    with pytest.raises(NotFound):
        require(buying.other_ccg_user, "view", procurement)


def test_the_bdu_does_not_see_drafts(buying):  # noqa: F811
    procurement = build.set_up_competition(buying)
    assert not may(buying.bdu_user, "view", procurement)
    assert may(buying.partner_user, "view", procurement)


def test_providers_see_the_opportunities_they_may_respond_to(buying):  # noqa: F811
    procurement = build.published_competition(buying)
    assert may(buying.arden_user, "respond", procurement)
    # North West London CSS publishes no offer for these specifications.
    assert not may(buying.nwl_user, "view", procurement)


def test_a_css_cannot_see_a_rivals_bid(buying):  # noqa: F811
    procurement = build.awarded_competition(buying)
    bid = procurement.decision.winning_bid  # Arden's
    assert may(buying.arden_user, "view", bid)
    assert may(buying.arden_user, "edit", bid)
    with pytest.raises(NotFound):
        require(buying.gem_user, "view", bid)
    with pytest.raises(NotFound):
        require(buying.other_ccg_user, "view", bid)


def test_buyers_read_submitted_responses_only_once_the_competition_has_closed(
        buying):  # noqa: F811
    procurement = build.published_competition(buying)
    bid = build.winning_bid(buying, procurement)
    db.session.commit()
    assert procurement.status == ProcurementStatus.OPEN
    # Sealed: the buying CCGs know the response exists, and are told 403.
    with pytest.raises(PermissionDenied):
        require(buying.partner_user, "view", bid)
    procurement.status = ProcurementStatus.EVALUATION
    db.session.commit()
    assert may(buying.partner_user, "view", bid)
    assert not may(buying.partner_user, "edit", bid)  # never the provider's response
    bid.status = BidStatus.DRAFT
    db.session.commit()
    with pytest.raises(NotFound):  # a draft is the provider's alone
        require(buying.lead_user, "view", bid)


def test_decision_letters_go_to_their_bidder_and_the_buying_ccgs(buying):  # noqa: F811
    procurement = build.awarded_competition(buying)
    bid = procurement.decision.winning_bid
    letter = SimpleNamespace(bid=bid, procurement=procurement)  # DecisionLetter's view rule
    assert may_read_letter(buying.arden_user, letter)
    assert may_read_letter(buying.partner_user, letter)
    assert not may_read_letter(buying.gem_user, letter)
    assert not may_read_letter(buying.bdu_user, letter)


# --- agreements and scenarios ---------------------------------------------------------------


def test_agreements_are_the_ccgs_and_the_providers_and_the_bdu_reads_them(buying):  # noqa: F811
    agreement = build.create_agreement(buying.coventry, [buying.market.arden_bi],
                                       status=AgreementStatus.DRAFT)
    assert isinstance(agreement, Agreement)
    assert may(buying.lead_user, "edit", agreement)
    assert may(buying.arden_user, "countersign", agreement)
    assert not may(buying.lead_user, "countersign", agreement)
    assert may(buying.bdu_user, "view", agreement)
    with pytest.raises(PermissionDenied):  # the BDU reads, and changes nothing
        require(buying.bdu_user, "edit", agreement)
    for outsider in (buying.other_ccg_user, buying.gem_user):
        with pytest.raises(NotFound):
            require(outsider, "view", agreement)


def test_the_bdu_reads_every_scenario_and_another_ccg_none(app_context):
    scenario = build.make_scenario("ccg@demo.test")
    assert may(user("ccg@demo.test"), "edit", scenario)
    assert may(user("bdu@demo.test"), "view", scenario)
    assert not may(user("bdu@demo.test"), "own", scenario)
    with pytest.raises(NotFound):
        require(user("ccg2@demo.test"), "view", scenario)


# --- assurance ------------------------------------------------------------------------------


def test_the_bdu_sees_the_reviews_it_does_and_a_css_only_its_own_document(app_context):
    review = build.drafted_review(2)  # checkpoint 2 is reviewed by the BDU
    bdu, other_bdu = user("bdu@demo.test"), user("bdu2@demo.test")
    assert may(bdu, "view", review)
    assert may(bdu, "edit", review)
    assert may(other_bdu, "sign_off", review)
    assert not may(bdu, "sign_off", review)  # never one's own review
    assert may(bdu, "view", review.submission)
    # Peers do not review a checkpoint the BDU reviews, and are told so (403).
    with pytest.raises(PermissionDenied):
        require(user("peer@demo.test"), "view", review)
    # The CSS under review is not even told that a draft exists.
    with pytest.raises(NotFound):
        require(user("css@demo.test"), "read_document", review)
    build.signed_off_without_document(review)
    assert may(user("css@demo.test"), "read_document", review)
    assert may(bdu, "read_document", review)
    with pytest.raises(NotFound):
        require(user("css2@demo.test"), "read_document", review)


def test_a_css_answers_its_own_conditions_and_reads_its_own_submissions(app_context):
    review = build.drafted_review(2)
    condition = review.conditions[0]
    assert may(user("css@demo.test"), "respond", condition)
    assert may(user("css@demo.test"), "view", review.submission)
    assert not may(user("css@demo.test"), "decide", condition)
    for rival in ("css2@demo.test", "css3@demo.test"):
        with pytest.raises(NotFound):
            require(user(rival), "respond", condition)
        with pytest.raises(NotFound):
            require(user(rival), "view", review.submission)


def test_the_bdu_assigns_anyone_and_a_peer_only_what_it_may_review(app_context):
    submission = build.submission(1)  # checkpoint 1: peer reviewers
    assert may(user("bdu@demo.test"), "assign_anyone", submission)
    assert may(user("peer@demo.test"), "assign", submission)
    assert not may(user("peer@demo.test"), "assign_anyone", submission)
    assert not may(user("css2@demo.test"), "assign", submission)


# --- pages and navigation -------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_the_navigation_is_what_each_role_may_open(app, role):
    person = SimpleNamespace(is_authenticated=True, role=role)
    shown = {item.label for item in NAVIGATION if item.shown_to(app, person)}
    assert "Find offers" in shown  # public
    assert ("Statements" in shown) == (role == Role.CCG_USER)
    assert ("Opportunities" in shown) == (role == Role.CSS_LEADER)
    assert ("Reviews" in shown) == (role in (Role.BDU_REVIEWER, Role.PEER_REVIEWER))
    assert ("Users" in shown) == (role == Role.ADMIN)
