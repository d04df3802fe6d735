"""A CSS that merged into another is shown in the tracker under "Merged", in words ("Merged
into Arden CSS on 1 August 2012"), with its checkpoints on record but no milestones overdue
and no conditions of its own, rather than as a live CSS falling behind; the CSV says the
same. Before the merger's date it was still trading and shows as such."""

import csv
import io
from datetime import date

import pytest

from marketplace.demo.assurance import seed_assurance, seed_checkpoints
from marketplace.extensions import db
from marketplace.services import market_change

from .. import factories as build
from ..conftest import html, user

GEM = "Greater East Midlands CSS"


@pytest.fixture
def merged(app_context):
    seed_checkpoints()
    seed_assurance()
    db.session.commit()
    market_change.merge(user("bdu@demo.test"), build.organisation(GEM),
                        build.organisation(build.ARDEN), kind="merger",
                        effective_on=date(2012, 8, 1))
    db.session.commit()


def _row(page, table: str, name: str):
    return next((row for row in page.select(f"#{table} tbody tr")
                 if row.select_one("th").get_text(strip=True) == name), None)


def test_a_merged_css_is_listed_as_merged_not_live(merged, bdu_client):
    page = html(bdu_client.get("/tracker?as_of=2012-10-15"))
    assert _row(page, "tracker", GEM) is None
    row = _row(page, "tracker-merged", GEM)
    assert row is not None
    text = row.get_text(" ", strip=True)
    assert "Merged into Arden CSS on 1 August 2012" in text
    assert "Scenario" in text  # its checkpoint 2 outcome stays on record
    assert "overdue" not in text.lower() and "Checkpoint 3: full business plan" not in text
    assert len(page.select("#tracker tbody tr")) == 25
    assert "25 CSSs trading, and 1 that merged into another" in page.get_text(" ")
    # Arden, still trading, keeps its row and its overdue milestones.
    assert "Checkpoint 3: full business plan submitted" in _row(
        page, "tracker", "Arden CSS").get_text(" ")


def test_before_the_merger_it_was_trading(merged, bdu_client):
    page = html(bdu_client.get("/tracker?as_of=2012-07-31"))
    assert _row(page, "tracker", GEM) is not None
    assert page.select_one("#tracker-merged") is None


def test_the_csv_says_it_merged_and_lists_nothing_overdue(merged, admin_client):
    response = admin_client.get("/tracker/export.csv?as_of=2012-10-15")
    rows = {row["CSS"]: row for row in csv.DictReader(io.StringIO(
        response.get_data(as_text=True)))}
    assert rows[GEM]["State"] == "Merged into Arden CSS on 1 August 2012"
    assert rows[GEM]["Overdue milestones"] == "" and rows[GEM]["Open conditions"] == "0"
    assert rows["Arden CSS"]["State"] == "Trading"


@pytest.mark.parametrize("email", ["css@demo.test", "peer@demo.test", "ccg@demo.test"])
def test_other_roles_still_cannot_see_the_tracker(merged, sign_in, email):
    assert sign_in(email).get("/tracker").status_code == 403


def test_the_bdu_dashboard_counts_no_merged_css_as_overdue(merged, bdu_client):
    page = html(bdu_client.get("/"))
    assert GEM not in page.get_text(" ")


def test_the_demo_mergers_leave_23_trading_and_3_merged(app_context, bdu_client):
    """The seeded 2012 mergers (demo/market.py): the tracker in the autumn shows the 23 CSSs
    still trading and the three that merged, each in words."""
    from marketplace.demo.market import seed_market_change

    seed_checkpoints()
    seed_assurance()
    seed_market_change()
    db.session.commit()
    page = html(bdu_client.get("/tracker?as_of=2012-10-15"))
    assert len(page.select("#tracker tbody tr")) == 23
    merged = {row.select_one("th").get_text(strip=True): row.get_text(" ", strip=True)
              for row in page.select("#tracker-merged tbody tr")}
    assert set(merged) == {"West Mercia CSS", "Peninsula CSS",
                           "NHS Communications and Engagement Service"}
    assert "Merged into Arden CSS on" in merged["West Mercia CSS"] or (
        "Taken over by Arden CSS on" in merged["West Mercia CSS"])


@pytest.mark.parametrize("as_of", [date(2012, 7, 31), date(2012, 10, 15), date(2013, 6, 1)])
def test_the_dashboards_overdue_count_is_the_trackers_around_a_merger(merged, as_of):
    from marketplace.services import tracker

    expected = sum(1 for row in tracker.progress(as_of=as_of) if row.overdue)
    assert tracker.overdue_count(as_of) == expected
