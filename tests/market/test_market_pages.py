"""Market change pages: the BDU and administrators only; the merge asks to confirm first."""

from datetime import date

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Agreement, BoardHostingDecision, Licence, Merger
from marketplace.services import market_change as service

from .. import factories as build
from ..conftest import user


@pytest.mark.parametrize(
    "email, expected",
    [
        ("ccg@demo.test", 403),
        ("css@demo.test", 403),
        ("peer@demo.test", 403),
        ("bdu@demo.test", 200),
        ("admin@demo.test", 200),
    ],
)
def test_who_may_open_market_change(sign_in, email, expected):
    client = sign_in(email)
    gem = build.organisation("Greater East Midlands CSS")
    assert client.get("/market-change").status_code == expected
    for path in (
        f"/market-change/css/{gem.id}",
        f"/market-change/css/{gem.id}/merge",
        f"/market-change/css/{gem.id}/board-decision",
        f"/market-change/css/{gem.id}/licence",
    ):
        assert client.get(path).status_code == expected, path


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/market-change")
    assert response.status_code in (302, 401)


def _date(prefix: str, day: date) -> dict:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def test_the_bdu_merges_after_confirming(bdu_client):
    market = build.build_market()
    agreement = build.create_agreement(build.ccg("05A"), [market.gem_bi])
    gem, arden = market.gem, market.arden
    form = {
        "successor_id": str(arden.id),
        "kind": "merger",
        **_date("effective_on", date(2012, 8, 1)),
    }
    page = bdu_client.post(f"/market-change/css/{gem.id}/merge", data=form)
    assert page.status_code == 200 and b"This cannot be undone" in page.data
    assert db.session.scalar(select(Merger)) is None  # nothing moved before confirming
    done = bdu_client.post(f"/market-change/css/{gem.id}/merge", data={**form, "confirmed": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).provider_id == arden.id
    record = bdu_client.get(f"/market-change/css/{gem.id}")
    assert b"merged into" in record.data and b"Arden CSS" in record.data


def test_a_refused_merge_says_why_at_the_field(bdu_client):
    gem = build.organisation("Greater East Midlands CSS")
    response = bdu_client.post(
        f"/market-change/css/{gem.id}/merge",
        data={"successor_id": "0", "kind": "merger", **_date("effective_on", date(2012, 8, 1))},
    )
    assert response.status_code == 400
    assert b"Choose the CSS it merges into" in response.data
    assert b"nhsuk-error-summary" in response.data


def test_the_admin_records_a_board_decision_and_a_licence(admin_client):
    gem = build.organisation("Greater East Midlands CSS")
    response = admin_client.post(
        f"/market-change/css/{gem.id}/board-decision",
        data={
            "decision": "host_with_conditions",
            "merge_with_id": "0",
            "reasons": "Viable with a finance director.",
            **_date("decided_on", date(2012, 10, 31)),
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(BoardHostingDecision)).decision == "host_with_conditions"
    response = admin_client.post(
        f"/market-change/css/{gem.id}/licence",
        data={
            "condition": "Appoint a finance director.",
            **_date("granted_on", date(2012, 11, 1)),
            "condition_due_on-day": "",
            "condition_due_on-month": "",
            "condition_due_on-year": "",
        },
    )
    assert response.status_code == 302, response.data
    licence = db.session.scalar(select(Licence))
    assert [c.text for c in licence.conditions] == ["Appoint a finance director."]
    missing = admin_client.post(
        f"/market-change/css/{gem.id}/board-decision",
        data={"decision": "host", "merge_with_id": "0"},
    )
    assert missing.status_code == 400
    assert b"Enter the date of the Board" in missing.data


def test_a_css_leader_cannot_post_a_merger(css_client):
    gem, arden = (build.organisation(n) for n in ("Greater East Midlands CSS", "Arden CSS"))
    response = css_client.post(
        f"/market-change/css/{gem.id}/merge",
        data={
            "successor_id": str(arden.id),
            "kind": "merger",
            "confirmed": "yes",
            **_date("effective_on", date(2012, 8, 1)),
        },
    )
    assert response.status_code == 403
    assert service.merger_of(gem) is None
    assert user("css@demo.test") is not None


def test_the_bdu_adds_a_licence_condition_and_marks_it_met(bdu_client):
    gem = build.organisation("Greater East Midlands CSS")
    licence = service.grant_licence(user("bdu@demo.test"), gem, granted_on=date(2012, 11, 1))
    response = bdu_client.post(
        f"/market-change/licences/{licence.id}/conditions",
        data={
            "condition": "Publish a revised prospectus.",
            **_date("condition_due_on", date(2013, 1, 31)),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    condition = licence.conditions[0]
    assert (condition.text, condition.due_on) == (
        "Publish a revised prospectus.",
        date(2013, 1, 31),
    )
    blank = bdu_client.post(
        f"/market-change/licences/{licence.id}/conditions", data={"condition": "  "}
    )
    assert blank.status_code == 400 and b"Enter the condition" in blank.data
    met = bdu_client.post(
        f"/market-change/licence-conditions/{condition.id}/met", data={}, follow_redirects=True
    )
    assert b"The condition has been marked as met." in met.data
    again = bdu_client.post(
        f"/market-change/licence-conditions/{condition.id}/met", data={}, follow_redirects=True
    )
    assert b"This condition has been met already" in again.data
    css = user("css@demo.test")
    assert css is not None
