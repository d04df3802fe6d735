"""Every object type, asked for by a user of another organisation: refused (404, or 403 where
the role itself may not act), and nothing in the database changes.

One organisation's world is built first: Arden CSS (css@) with a prospectus draft, a draft
offer and published versions, Coventry and Rugby CCG (ccg@) with a statement of requirements,
a shortlist, a scenario and an agreement with Arden, and Arden's business plans, submissions,
evidence, reviews, conditions and development actions. Then users of other organisations (ccg2@,
css2@, peer2@) try every URL that names one of those objects.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AgreementStatus
from marketplace.services import evidence, follow_up, shortlists, statements

from . import factories as build
from .conftest import user
from .factories import build_market, create_agreement, make_scenario

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
SECRET_NOTE = "Coventry wants this kept between itself and its board"


@dataclass
class World:
    ids: dict


@pytest.fixture
def world(app, app_context, tmp_path, monkeypatch) -> World:
    monkeypatch.setitem(app.config, "EVIDENCE_DIR", str(tmp_path / "evidence"))
    market = build_market()
    ccg_user, css_user = user("ccg@demo.test"), user("css@demo.test")
    coventry = ccg_user.organisation

    statement = statements.create_statement(ccg_user, statements.DetailsInput(
        "Coventry support", summary=SECRET_NOTE))
    line = statements.save_line(ccg_user, statement, statements.LineInput(
        market.bi.id, notes=SECRET_NOTE), None)
    shortlist, _ = shortlists.add_offer(ccg_user, coventry, market.arden_bi.id)
    scenario = make_scenario("ccg@demo.test", name="Coventry baseline")
    agreement = create_agreement(coventry, [market.arden_bi], status=AgreementStatus.DRAFT)

    draft_plan = build.plan(build.ARDEN, 3)  # not submitted: editable by Arden
    review = build.started_review(2)  # Arden's plan at checkpoint 2, bdu@ reviewing
    submission = review.submission
    document = evidence.add_evidence(css_user, filename="plan.pdf", content=PDF,
                                     submission=submission)
    condition = follow_up.add_condition(user("bdu@demo.test"), review, "Revise the model")
    action = follow_up.add_action(user("bdu@demo.test"), review, action="Appoint an MD",
                                  owner="Chair", due_date=date(2012, 7, 31))
    peer_review = build.started_review(1, author="peer@demo.test")

    ids = {
        "arden": market.arden.id, "draft_offer": market.arden_draft_bi.id,
        "entry": shortlist.entries[0].id, "scenario": scenario.id,
        "statement": statement.id, "line": line.id, "lock": statement.lock_version,
        "agreement": agreement.id, "draft_plan": draft_plan.id,
        "submitted_plan": submission.business_plan_id, "submission": submission.id,
        "document": document.id, "review": review.id, "condition": condition.id,
        "action": action.id, "peer_review": peer_review.id,
        "peer_submission": peer_review.submission_id,
    }
    db.session.remove()
    return World(ids)


def fingerprint() -> dict:
    """Every row of every table, to show a refused request wrote nothing anywhere."""
    db.session.remove()
    snapshot = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def _arden_offer(**fields):
    return {"specification_id": "1", "title": "Hijacked", "description": "x",
            "delivery_model": "local_team", "pricing_model": "per_head", "price": "1",
            "minimum_term_months": "12", **fields}


# object type: [(email of another organisation, method, url, form data[, statuses])], urls and
# form keys formatted with the world's ids; refused means 403 or 404 unless statuses say.
CASES = {
    "prospectus draft offer": [
        ("css2@demo.test", "GET", "/prospectus/offers/{draft_offer}/edit", None),
        ("css2@demo.test", "POST", "/prospectus/offers/{draft_offer}/edit", _arden_offer()),
        ("css2@demo.test", "POST", "/prospectus/offers/{draft_offer}/remove", {}),
    ],
    "offer in draft": [
        ("css2@demo.test", "GET", "/offers/{draft_offer}", None),
        ("ccg2@demo.test", "GET", "/offers/{draft_offer}", None),
        ("peer2@demo.test", "GET", "/offers/{draft_offer}", None),
    ],
    "prospectus version": [
        # Numbers name the signed-in CSS's own versions: GEM has no version 2 to withdraw,
        # and Arden's version 2 is out of its reach.
        ("css2@demo.test", "POST", "/prospectus/versions/2/withdraw", {"reason": "x"}),
        ("ccg2@demo.test", "POST", "/prospectus/versions/2/withdraw", {"reason": "x"}),
    ],
    "statement": [
        ("ccg2@demo.test", "GET", "/statements/{statement}", None),
        ("ccg2@demo.test", "GET", "/statements/{statement}/details", None),
        ("ccg2@demo.test", "POST", "/statements/{statement}/details",
         {"title": "Hijacked", "term_months": "12", "lock_version": "{lock}"}),
        ("ccg2@demo.test", "POST", "/statements/{statement}/lines/new",
         {"specification_id": "1", "mode": "buy", "priority": "high",
          "lock_version": "{lock}"}),
        ("ccg2@demo.test", "GET", "/statements/{statement}/lines/{line}", None),
        ("ccg2@demo.test", "POST", "/statements/{statement}/lines/{line}/remove",
         {"lock_version": "{lock}"}),
        ("ccg2@demo.test", "POST", "/statements/{statement}/confirm", {"lock_version": "{lock}"}),
        ("ccg2@demo.test", "POST", "/statements/{statement}/withdraw", {"lock_version": "{lock}"}),
        ("ccg2@demo.test", "POST", "/statements/{statement}/partners",
         {"ccg_id": "1", "lock_version": "{lock}"}),
        ("ccg2@demo.test", "POST", "/statements/{statement}/split",
         {"split_method": "population", "lock_version": "{lock}"}),
        ("css2@demo.test", "GET", "/statements/{statement}", None),
        ("peer2@demo.test", "GET", "/statements/{statement}", None),
        ("css2@demo.test", "GET", "/requirements", None),
    ],
    "shortlist entry": [
        ("ccg2@demo.test", "POST", "/shortlists/entries/{entry}/remove", {}),
        ("css2@demo.test", "POST", "/shortlists/entries/{entry}/remove", {}),
    ],
    "scenario": [
        ("ccg2@demo.test", "GET", "/scenarios/{scenario}", None),
        ("ccg2@demo.test", "GET", "/scenarios/{scenario}/edit", None),
        ("ccg2@demo.test", "POST", "/scenarios/{scenario}/edit", {"name": "Hijacked"}),
        ("ccg2@demo.test", "GET", "/scenarios/{scenario}/delete", None),
        ("ccg2@demo.test", "POST", "/scenarios/{scenario}/delete", {}),
        ("ccg2@demo.test", "POST", "/scenarios/{scenario}/copy", {}),
        ("ccg2@demo.test", "POST", "/scenarios/{scenario}/finalise", {}),
        ("ccg2@demo.test", "GET", "/scenarios/{scenario}/export.csv", None),
        ("ccg2@demo.test", "GET", "/scenarios/{scenario}/export.xlsx", None),
        ("ccg2@demo.test", "GET", "/scenarios/compare?a={scenario}&b={scenario}", None),
        ("ccg2@demo.test", "GET", "/api/v1/scenarios/{scenario}", None),
        ("css2@demo.test", "GET", "/scenarios/{scenario}", None),
    ],
    "agreement": [
        ("ccg2@demo.test", "GET", "/agreements/{agreement}", None),
        ("ccg2@demo.test", "GET", "/agreements/{agreement}/edit", None),
        ("ccg2@demo.test", "POST", "/agreements/{agreement}/edit",
         {"start_date": "2013-04-01", "end_date": "2013-12-31", "lock_version": "1"}),
        ("ccg2@demo.test", "POST", "/agreements/{agreement}/status",
         {"status": "final", "lock_version": "1"}),
        ("ccg2@demo.test", "GET", "/agreements/{agreement}/sign", None),
        ("ccg2@demo.test", "POST", "/agreements/{agreement}/sign", {"lock_version": "1"}),
        ("css2@demo.test", "GET", "/customers/agreements/{agreement}", None),
        ("css2@demo.test", "GET", "/customers/agreements/{agreement}/countersign", None),
        ("css2@demo.test", "POST", "/customers/agreements/{agreement}/countersign",
         {"lock_version": "1"}),
        ("css2@demo.test", "POST", "/customers/agreements/{agreement}/decline",
         {"lock_version": "1", "reason": "No"}),
    ],
    "business plan": [
        ("css2@demo.test", "GET", "/assurance/plans/{draft_plan}", None),
        ("css2@demo.test", "GET", "/assurance/plans/{draft_plan}/edit", None),
        ("css2@demo.test", "POST", "/assurance/plans/{draft_plan}/edit", {"summary": "x"}),
        ("css2@demo.test", "GET", "/assurance/plans/{draft_plan}/financial-model", None),
        ("css2@demo.test", "POST", "/assurance/plans/{draft_plan}/financial-model", {}),
        ("css2@demo.test", "POST", "/assurance/plans/{draft_plan}/financial-model/upload", {}),
        ("css2@demo.test", "GET", "/assurance/plans/{submitted_plan}", None),
        # Submitting Arden's plan as GEM's own: not one of GEM's choices, so the form refuses.
        ("css2@demo.test", "POST", "/assurance/checkpoints/3/submit",
         {"document_id": "{draft_plan}"}, {400}),
        ("ccg2@demo.test", "GET", "/assurance/plans/{draft_plan}", None),
    ],
    "evidence document": [
        ("css2@demo.test", "GET", "/assurance/evidence/{document}", None),
        ("peer2@demo.test", "GET", "/assurance/evidence/{document}", None),
        ("ccg2@demo.test", "GET", "/assurance/evidence/{document}", None),
        ("css2@demo.test", "GET", "/assurance/submissions/{submission}", None),
        ("css2@demo.test", "POST", "/assurance/submissions/{submission}/evidence", {}),
    ],
    "review": [
        ("peer2@demo.test", "GET", "/reviews/{peer_review}/edit", None),
        ("peer2@demo.test", "POST", "/reviews/{peer_review}/edit", {"summary": "x"}),
        ("peer2@demo.test", "GET", "/reviews/submissions/{submission}", None),
        ("peer2@demo.test", "POST", "/reviews/{review}/sign-off", {"lock_version": "1"}),
        ("css2@demo.test", "GET", "/reviews/submissions/{peer_submission}", None),
        ("css2@demo.test", "GET", "/reviews/{review}/edit", None),
        ("ccg2@demo.test", "GET", "/reviews/{review}/edit", None),
    ],
    "condition and development action": [
        ("css2@demo.test", "POST", "/assurance/conditions/{condition}/response",
         {"condition-{condition}-response": "Done"}),
        ("css2@demo.test", "POST", "/assurance/actions/{action}/done",
         {"action-{action}-evidence_note": "Done"}),
        ("peer2@demo.test", "POST", "/reviews/conditions/{condition}/decision",
         {"Condition-{condition}-decision": "accept"}),
        ("peer2@demo.test", "POST", "/reviews/actions/{action}/decision",
         {"DevelopmentAction-{action}-decision": "accept"}),
        ("peer2@demo.test", "POST", "/reviews/{review}/conditions", {"text": "More"}),
        ("peer2@demo.test", "POST", "/reviews/{review}/actions", {"action": "More"}),
    ],
}


@pytest.mark.parametrize("object_type", list(CASES))
def test_other_organisations_are_refused_and_nothing_changes(world, sign_in, object_type):
    # Signing in writes a session row, so everyone signs in before the fingerprint is taken.
    clients = {email: sign_in(email) for email, *_ in CASES[object_type]}
    before = fingerprint()
    for email, method, url, data, *expected in CASES[object_type]:
        client = clients[email]
        url = url.format(**world.ids)
        if method == "GET":
            response = client.get(url)
        else:
            form = {k.format(**world.ids): str(v).format(**world.ids)
                    for k, v in (data or {}).items()}
            response = client.post(url, data=form)
        assert response.status_code in (expected[0] if expected else {403, 404}), (
            f"{object_type}: {email} {method} {url} answered {response.status_code}")
        assert fingerprint() == before, f"{object_type}: {email} {method} {url} changed data"


def test_another_ccg_sees_none_of_a_ccgs_statements_or_shortlist(world, sign_in):
    darlington = sign_in("ccg2@demo.test")
    for url in ("/statements", "/shortlists", "/agreements", "/scenarios"):
        page = darlington.get(url)
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert SECRET_NOTE not in body
        assert "Coventry" not in body, url
