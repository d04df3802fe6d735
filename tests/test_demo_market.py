"""The believable demo: the weakest CSSs merge by August 2012 (26 at Checkpoint 2, 23 after)
through the merge service, CCGs buy from their home CSS, leadership teams have fictional
names, and a peer reviewer has a Checkpoint 1 review to do."""

from collections import Counter

from sqlalchemy import func, select

from marketplace.demo.assurance import seed_assurance, seed_checkpoints
from marketplace.demo.business_plans import region_ccgs
from marketplace.demo.leaders import leadership_team
from marketplace.demo.market import MERGERS_2012, seed_market_change
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AuditEvent,
    BusinessPlan,
    Merger,
    Organisation,
    OrganisationKind,
    Review,
    ReviewStatus,
)

from .factories import organisation


def _seed():
    seed_checkpoints()
    seed_assurance()
    seed_market_change()
    db.session.commit()


def _csss(**where):
    query = (
        select(func.count())
        .select_from(Organisation)
        .where(Organisation.kind == OrganisationKind.CSS)
    )
    for name, value in where.items():
        query = query.where(getattr(Organisation, name).is_(value))
    return db.session.scalar(query)


def test_by_august_2012_the_weakest_merge_26_to_23(app_context):
    _seed()
    assert _csss() == 26  # every CSS stays on record ...
    assert _csss(merged_into_id=None) == 23  # ... 23 still trading after the mergers
    mergers = db.session.scalars(select(Merger).order_by(Merger.id)).all()
    assert len(mergers) == len(MERGERS_2012) == 3
    assert all(m.effective_on.year == 2012 and m.effective_on.month <= 8 for m in mergers)
    # Each went through the merge step: audited on both sides, dated on its day.
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "market.merged")
    ).all()
    assert len(events) == 6
    assert {e.occurred_at.date() for e in events} == {m.effective_on for m in mergers}
    # The C-rated CSSs are the ones that went, and their customers went with them.
    gone = {m.predecessor.name for m in mergers}
    assert gone == {"West Mercia CSS", "Peninsula CSS", "NHS Communications and Engagement Service"}
    west_mercia = organisation("West Mercia CSS")
    assert west_mercia.merged_into.name == "Arden CSS"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Agreement)
            .where(Agreement.provider_id == west_mercia.id)
        )
        == 0
    )
    moved = db.session.scalars(
        select(Agreement).where(Agreement.novated_from_id == west_mercia.id)
    ).all()
    assert moved and {a.provider.name for a in moved} == {"Arden CSS"}
    # The Checkpoint 2 result of 2012 is history and stays as it was.
    reviews = [r for r in db.session.scalars(select(Review)) if r.submission.checkpoint.number == 2]
    assert Counter(r.outcome_code for r in reviews) == {"A": 14, "B": 9, "C": 3}


def test_seeding_the_mergers_twice_changes_nothing(app_context):
    _seed()
    seed_market_change()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Merger)) == 3


def test_each_ccg_buys_from_its_home_css(app_context):
    arden = organisation("Arden CSS")
    assert [c.ods_code for c in region_ccgs(arden)] == ["05A", "05H", "05R"]
    _seed()
    by_provider = Counter(a.provider.name for a in db.session.scalars(select(Agreement)))
    # Arden serves its own three CCGs and, since the takeover, West Mercia's: six, less the
    # one whose planned income a weak (scenario C) plan has nothing signed behind.
    assert by_provider["Arden CSS"] == 3 + 5
    assert by_provider["West Mercia CSS"] == 0


def test_leadership_teams_have_fictional_names_the_same_every_time(app_context):
    team = leadership_team("Arden CSS")
    assert team == leadership_team("Arden CSS")
    assert [role for role, _ in team] == [
        "Managing director",
        "Director of finance",
        "Director of business intelligence",
        "Director of commissioning services",
    ]
    assert len({name for _, name in team}) == 4
    assert team != leadership_team("Essex CSS")
    _seed()
    plan = db.session.scalar(
        select(BusinessPlan)
        .join(Organisation)
        .where(Organisation.name == "Arden CSS")
        .order_by(BusinessPlan.version)
        .limit(1)
    )
    assert team[0][1] in plan.leadership and team[1][1] in plan.leadership


def test_a_peer_reviewer_has_a_checkpoint_1_review_to_do(app_context, peer_client):
    _seed()
    to_do = [
        r
        for r in db.session.scalars(select(Review).where(Review.status != ReviewStatus.SIGNED_OFF))
        if r.submission.checkpoint.number == 1
    ]
    assert len(to_do) == 1
    review = to_do[0]
    assert review.author.email == "peer@demo.test" and not review.ratings
    assert review.submission.organisation.name == "Hertfordshire CSS"
    page = peer_client.get("/reviews")
    assert page.status_code == 200 and b"Hertfordshire CSS" in page.data
