import csv
import io
from collections import Counter

import pytest
from sqlalchemy import select

from marketplace.demo.assurance import seed_assurance, seed_checkpoints
from marketplace.extensions import db
from marketplace.models import Organisation, Region, Review, ReviewStatus
from marketplace.services.assurance import NOT_YET_ASSESSED, latest_assurance_status

from .. import factories as build
from ..conftest import html, text_of, user


@pytest.fixture
def seeded(app_context):
    seed_checkpoints()
    seed_assurance()
    db.session.commit()


def test_the_seeded_checkpoint_2_results_are_14_a_9_b_3_c(seeded):
    reviews = [r for r in db.session.scalars(select(Review))
               if r.submission.checkpoint.number == 2]
    assert len(reviews) == 26
    assert all(r.status == ReviewStatus.SIGNED_OFF for r in reviews)
    assert all(r.outcome_code == r.computed_outcome_code for r in reviews)  # from the ratings
    assert {r.author.email for r in reviews} == {"bdu@demo.test"}
    assert {r.signed_off_by.email for r in reviews} == {"bdu2@demo.test"}
    assert Counter(r.outcome_code for r in reviews) == {"A": 14, "B": 9, "C": 3}


def test_seeding_assurance_twice_adds_nothing(seeded):
    before = db.session.query(Review).count()
    seed_assurance()
    db.session.commit()
    assert db.session.query(Review).count() == before


def test_the_tracker_shows_every_css_with_outcomes_in_words(seeded, bdu_client):
    page = html(bdu_client.get("/tracker?as_of=2012-10-15"))
    rows = page.select("#tracker tbody tr")
    assert len(rows) == 26
    arden = next(row for row in rows if "Arden CSS" in row.get_text())
    text = arden.get_text(" ")
    assert "Feedback and development needs" in text and "Scenario A: Proceed" in text
    assert "Not submitted" in text  # Arden has not sent its checkpoint 3 plan yet
    assert "Checkpoint 3: full business plan submitted" in text  # overdue on 15 Oct 2012
    # Colour repeats the words: every tag carries text.
    assert all(tag.get_text(strip=True) for tag in page.select("#tracker .nhsuk-tag"))


def test_the_tracker_filters_by_region_and_exports_csv(seeded, bdu_client):
    london = db.session.scalar(select(Region).where(Region.name == "London"))
    page = html(bdu_client.get(f"/tracker?region={london.id}"))
    assert len(page.select("#tracker tbody tr")) == 3
    response = bdu_client.get(f"/tracker/export.csv?region={london.id}&as_of=2012-06-01")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["CSS"] for r in rows} == {"North and East London CSS", "North West London CSS",
                                        "South London CSS"}
    south = next(r for r in rows if r["CSS"] == "South London CSS")
    assert south["Checkpoint 2 outcome"].startswith("Scenario ")
    assert int(south["Open conditions"]) >= 1


def test_no_milestone_is_overdue_before_the_first(seeded, bdu_client):
    page = text_of(bdu_client.get("/tracker?as_of=2012-01-01"))
    assert "Checkpoint 1: prospectus peer review" not in page


@pytest.mark.parametrize("email, expected", [
    ("bdu@demo.test", 200), ("admin@demo.test", 200), ("css@demo.test", 403),
    ("peer@demo.test", 403), ("ccg@demo.test", 403),
])
def test_tracker_access(sign_in, email, expected):
    assert sign_in(email).get("/tracker").status_code == expected
    assert sign_in(email).get("/tracker/export.csv").status_code == expected


def test_a_css_sees_its_own_progress(seeded, css_client):
    page = text_of(css_client.get("/assurance"))
    assert "Arden CSS" in page and "Scenario A: Proceed" in page
    assert "Greater East Midlands" not in page


def test_latest_assurance_status_for_offers(seeded):
    arden = build.organisation(build.ARDEN)
    meridian = db.session.scalar(select(Organisation).where(
        Organisation.name == "Meridian Commissioning Partners Ltd"))
    status = latest_assurance_status([arden.id, meridian.id])
    assert status == {arden.id: "Checkpoint 2: Scenario A: Proceed",
                      meridian.id: NOT_YET_ASSESSED}


def _checkpoint_3_form(checkpoint, due_date: str) -> dict:
    return {"number": "3", "name": checkpoint.name, "description": checkpoint.description,
            "submission_kind": checkpoint.submission_kind, "rule_key": checkpoint.rule_key,
            "rating_scale": checkpoint.rating_scale, "reviewer_role": checkpoint.reviewer_role,
            "due_date": due_date, "results_date": str(checkpoint.results_date),
            "requires_scorecard": "y"}


def _arden_overdue(bdu_client, as_of: str) -> str:
    page = html(bdu_client.get(f"/tracker?as_of={as_of}"))
    arden = next(row for row in page.select("#tracker tbody tr") if "Arden CSS" in row.get_text())
    return arden.get_text(" ")


def test_the_tracker_counts_from_the_due_date_an_administrator_set(seeded, bdu_client,
                                                                   admin_client):
    # Checkpoint 3 plans were due on 31 August 2012; Arden has not sent one.
    cp3 = build.checkpoint(3)
    assert "Checkpoint 3: full business plan submitted" in _arden_overdue(bdu_client, "2012-09-01")

    moved = admin_client.post(f"/admin/checkpoints/{cp3.id}/edit",
                              data=_checkpoint_3_form(cp3, "2012-09-14"))
    assert moved.status_code == 302
    # On the new date checkpoint 3 is not yet overdue; the day after, it is.
    assert "full business plan" not in _arden_overdue(bdu_client, "2012-09-14")
    assert "Checkpoint 3: full business plan submitted" in _arden_overdue(bdu_client, "2012-09-15")


def test_the_tracker_runs_as_many_statements_for_26_csss_as_for_3(seeded, bdu_client):
    from ..queries import counting_statements

    london = db.session.scalar(select(Region).where(Region.name == "London"))
    counts = []
    for query in (f"?region={london.id}", ""):
        bdu_client.get("/tracker" + query)  # warm: the first request loads the session
        with counting_statements() as count:
            page = html(bdu_client.get("/tracker" + query))
        counts.append((len(page.select("#tracker tbody tr")), len(count)))
    assert [rows for rows, _ in counts] == [3, 26]
    # The CSSs with their mergers and standing (agreements, leaders) are one query.
    assert counts[0][1] == counts[1][1] <= 7, counts


def test_the_tracker_links_only_the_submissions_the_user_may_review(seeded, sign_in):
    from marketplace.models import Submission
    from marketplace.policies import may
    from marketplace.services import tracker

    bdu = user("bdu@demo.test")
    expected = {f"/reviews/submissions/{row.id}" for row in db.session.scalars(select(Submission))
                if may(bdu, "review", row)}
    assert expected  # the BDU reviews checkpoint 2 and 3 submissions
    for email, links in (("bdu@demo.test", expected), ("admin@demo.test", set())):
        page = html(sign_in(email).get("/tracker"))
        shown = {a["href"] for a in page.select("#tracker a, #tracker-merged a")}
        assert shown == links, email
    assert len(tracker.progress()) == 26


def test_the_tracker_is_kept_per_role_until_the_market_changes(seeded, sign_in,
                                                              catalogue_cache_on):
    from marketplace.services.audit import record_event

    redis, prefix = catalogue_cache_on

    def rows(email, query=""):
        page = html(sign_in(email).get("/tracker" + query))
        return ([row.th.get_text(strip=True) for row in page.select("#tracker tbody tr")],
                len(page.select("#tracker a")))

    names, links = rows("bdu@demo.test")
    assert "Arden CSS" in names and links > 0
    # The administrator's tables are their own: no links to reviews they may not open.
    assert rows("admin@demo.test")[1] == 0
    assert sum(1 for _ in redis.scan_iter(f"{prefix}:*")) == 2
    # Renamed behind the services' back (no audit event): the kept tables still say Arden.
    db.session.scalar(select(Organisation).where(Organisation.name == "Arden CSS")).name = \
        "Arden and Coventry CSS"
    db.session.commit()
    assert "Arden CSS" in rows("bdu@demo.test")[0]
    # Another date is a question of its own, drawn afresh.
    assert "Arden and Coventry CSS" in rows("bdu@demo.test", "?as_of=2012-10-15")[0]
    # Once a change through the services commits, the market has moved on.
    record_event("tested", None, "A change", system=True)
    db.session.commit()
    assert "Arden and Coventry CSS" in rows("bdu@demo.test")[0]
