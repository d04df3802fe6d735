"""Irreversible actions ask first: the GET page changes nothing and says what will happen;
only the POST its button sends does the thing."""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Offer
from marketplace.services import prospectuses

from . import factories as build
from .conftest import html, text_of
from .factories import add_offer, create_spec, organisation, publish


def _events() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def _confirmation(response) -> tuple[str, str]:
    """The page's question and the text of its one POST button."""
    assert response.status_code == 200
    page = html(response)
    form = page.select_one("main form[method=post]")
    assert form is not None, "a confirmation page posts its answer"
    assert page.find("a", string=lambda s: s and "Cancel" in s) is not None
    return page.select_one("h1").get_text(" ", strip=True), form.select_one("button").get_text()


def test_removing_an_offer_asks_first(css_client):
    offer = add_offer("Arden CSS", create_spec(), title="Risk stratification")
    db.session.commit()
    before = _events()
    overview = html(css_client.get("/prospectus"))
    link = overview.find("a", href=f"/prospectus/offers/{offer.id}/remove")
    assert link is not None and not overview.select(
        f"form[action='/prospectus/offers/{offer.id}/remove']"
    )
    question, button = _confirmation(css_client.get(link["href"]))
    assert question == "Are you sure you want to remove Risk stratification from your draft?"
    assert "Remove offer" in button
    assert db.session.get(Offer, offer.id) is not None and _events() == before
    assert css_client.post(link["href"]).status_code == 302
    assert db.session.get(Offer, offer.id) is None


def test_withdrawing_a_version_asks_first_and_takes_the_reason(css_client):
    publish("Arden CSS", (create_spec(), {}))
    arden = organisation("Arden CSS")
    question, button = _confirmation(css_client.get("/prospectus/versions/1/withdraw"))
    assert question == "Are you sure you want to withdraw version 1 of your prospectus?"
    assert "Withdraw version 1" in button
    assert prospectuses.get_version(arden.id, 1).status == "published"
    refused = css_client.post("/prospectus/versions/1/withdraw", data={"reason": "x" * 1001})
    assert refused.status_code == 400
    summary = html(refused).select_one(".nhsuk-error-summary")
    assert summary.find("a", href="#reason") is not None
    assert prospectuses.get_version(arden.id, 1).status == "published"
    css_client.post("/prospectus/versions/1/withdraw", data={"reason": "Merging with GEM"})
    assert prospectuses.get_version(arden.id, 1).status == "withdrawn"
    assert "Withdraw version" not in text_of(css_client.get("/prospectus/versions"))


def test_submitting_to_a_checkpoint_asks_first(css_client):
    from marketplace.models import Submission

    build.checkpoint(2)
    plan = build.plan()
    chooser = html(css_client.get("/assurance/checkpoints/2/submit"))
    assert chooser.select_one("main form")["method"] == "get"
    question, button = _confirmation(
        css_client.get(f"/assurance/checkpoints/2/submit?document_id={plan.id}")
    )
    assert question == "Are you sure you want to submit to Checkpoint 2: Outline business plan?"
    assert db.session.scalar(select(Submission)) is None
    refused = css_client.get("/assurance/checkpoints/2/submit?document_id=nonsense")
    assert refused.status_code == 400
    assert html(refused).select_one(".nhsuk-error-summary a[href='#document_id']")
    assert (
        css_client.post(
            "/assurance/checkpoints/2/submit", data={"document_id": plan.id}
        ).status_code
        == 302
    )
    assert db.session.scalar(select(Submission)).business_plan_id == plan.id


def test_signing_off_a_review_asks_first(sign_in):
    from marketplace.models import ReviewStatus

    review = build.started_review()
    build.rate(review, build.CP2_GOOD)
    second = sign_in("bdu2@demo.test")
    page = html(second.get(f"/reviews/submissions/{review.submission_id}"))
    link = page.find("a", string=lambda s: s and "Sign off this review" in s)
    assert link["href"] == f"/reviews/{review.id}/sign-off"
    assert not page.select(f"form[action='/reviews/{review.id}/sign-off']")
    question, button = _confirmation(second.get(link["href"]))
    assert question.startswith("Are you sure you want to sign off the review of Arden CSS")
    assert "Sign off and issue the review" in button
    db.session.refresh(review)
    assert review.status != ReviewStatus.SIGNED_OFF
    # The author may not sign off, so is not asked either.
    assert sign_in("bdu@demo.test").get(link["href"]).status_code == 403
    # The page's own form carries the version it was drawn from.
    lock = html(second.get(link["href"])).select_one("main form input[name=lock_version]")
    assert lock["value"] == str(review.lock_version)
    assert second.post(link["href"], data={"lock_version": lock["value"]}).status_code == 302
    db.session.refresh(review)
    assert review.status == ReviewStatus.SIGNED_OFF


def test_deleting_a_specification_asks_first(admin_client):
    from marketplace.models import ServiceSpecification

    spec = create_spec()
    db.session.commit()
    url = f"/admin/specifications/{spec.code}/delete"
    manage = html(admin_client.get("/admin/specifications"))
    assert manage.find("a", href=url) is not None
    question, button = _confirmation(admin_client.get(url))
    assert question.startswith(f"Are you sure you want to delete {spec.code}")
    assert db.session.get(ServiceSpecification, spec.id) is not None
    admin_client.post(url)
    assert db.session.get(ServiceSpecification, spec.id) is None


def test_withdrawing_a_statement_asks_first(ccg_client):
    from marketplace.models import Statement

    market = build.build_market()
    coventry = build.ccg("05A")
    statement = build.make_statement(
        coventry, [(coventry, market.bi, "150000.00", None)], status="draft"
    )
    db.session.commit()
    url = f"/statements/{statement.id}/withdraw"
    question, button = _confirmation(ccg_client.get(url))
    assert question == f"Are you sure you want to withdraw {statement.title}?"
    assert db.session.get(Statement, statement.id).status == "draft"
    ccg_client.post(url, data={"lock_version": statement.lock_version})
    db.session.refresh(statement)
    assert statement.status == "withdrawn"


def test_a_refused_confirmation_has_one_error_summary(css_client):
    publish("Arden CSS", (create_spec(), {}))
    refused = css_client.post("/prospectus/versions/1/withdraw", data={"reason": "x" * 1001})
    assert len(html(refused).select(".nhsuk-error-summary")) == 1


def test_ending_or_finalising_an_agreement_asks_first(ccg_client):
    from marketplace.models import Agreement, AgreementStatus

    market = build.build_market()
    agreement = build.create_agreement(build.ccg("05A"), [market.arden_bi])
    agreement.status = AgreementStatus.SIGNED
    db.session.commit()
    show = html(ccg_client.get(f"/agreements/{agreement.id}"))
    url = f"/agreements/{agreement.id}/status?status=ended"
    assert show.find("a", href=url) is not None
    assert not show.select(f"form[action='/agreements/{agreement.id}/status']")
    question, button = _confirmation(ccg_client.get(url))
    assert question == f"Are you sure you want to end agreement {agreement.reference}?"
    assert "End the agreement" in button
    assert db.session.get(Agreement, agreement.id).status == AgreementStatus.SIGNED
    # A status the agreement cannot move to is not asked about.
    assert ccg_client.get(f"/agreements/{agreement.id}/status?status=draft").status_code == 302
    page = html(ccg_client.get(url))
    data = {i["name"]: i["value"] for i in page.select("main form input[type=hidden]")}
    assert ccg_client.post(f"/agreements/{agreement.id}/status", data=data).status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.ENDED


def test_removing_a_service_level_asks_first(ccg_client):
    from marketplace.models import AgreementKpi

    market = build.build_market()
    agreement = build.create_agreement(
        build.ccg("05A"), [market.arden_bi], status="draft", kpis=[build.KPI_DASHBOARD]
    )
    db.session.commit()
    kpi = db.session.scalar(select(AgreementKpi))
    url = f"/agreements/{agreement.id}/kpis/{kpi.id}/remove"
    edit = html(ccg_client.get(f"/agreements/{agreement.id}/kpis/{kpi.id}/edit"))
    assert edit.find("a", href=url) is not None and not edit.select(f"form[action='{url}']")
    before = _events()
    question, button = _confirmation(ccg_client.get(url))
    assert question == f"Are you sure you want to remove the service level “{kpi.measure}”?"
    assert "Remove the service level" in button
    assert db.session.get(AgreementKpi, kpi.id) is not None and _events() == before
    page = html(ccg_client.get(url))
    data = {i["name"]: i["value"] for i in page.select("main form input[type=hidden]")}
    assert ccg_client.post(url, data=data).status_code == 302
    assert db.session.get(AgreementKpi, kpi.id) is None


def test_taking_an_offer_off_a_shortlist_asks_first(ccg_client):
    from marketplace.models import ShortlistEntry

    market = build.build_market()
    build.shortlist(build.ccg("05A"), market.arden_bi)
    entry = db.session.scalar(select(ShortlistEntry))
    url = f"/shortlists/entries/{entry.id}/remove"
    page = html(ccg_client.get("/shortlists"))
    assert page.find("a", href=url) is not None and not page.select(f"form[action='{url}']")
    before = _events()
    question, button = _confirmation(ccg_client.get(url))
    assert question == (
        f"Are you sure you want to take {market.arden_bi.title} from Arden CSS off your shortlist?"
    )
    assert "Take it off the shortlist" in button
    assert db.session.get(ShortlistEntry, entry.id) is not None and _events() == before
    assert ccg_client.post(url).status_code == 302
    assert db.session.get(ShortlistEntry, entry.id) is None
