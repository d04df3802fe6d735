"""The providers' opportunity pages: who sees what, questions, and their own response."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Bid, Clarification
from marketplace.services import bids, clarifications

from ..conftest import html, text_of
from ..factories import make_statement, published_competition, set_up_competition
from ..queries import counting_statements

PDF = b"%PDF-1.4\n% method statement\n"


def _errors(response) -> list[str]:
    return [a.get_text(" ", strip=True)
            for a in html(response).select(".nhsuk-error-summary__list a")]


def _response_form(client, procurement_id) -> dict:
    """The edit form's fields as the page draws them."""
    page = html(client.get(f"/opportunities/{procurement_id}/response/edit"))
    data = {}
    for field in page.select("form input, form textarea, form select"):
        name = field.get("name")
        if not name or name == "csrf_token":
            continue
        if field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        elif field.name == "textarea":
            data[name] = field.get_text()
        else:
            data[name] = field.get("value", "")
    return data


def test_providers_see_the_opportunities_open_to_them(buying, sign_in):
    procurement = published_competition(buying)
    arden = sign_in("css@demo.test")
    assert procurement.title in text_of(arden.get("/opportunities"))
    page = text_of(arden.get(f"/opportunities/{procurement.id}"))
    assert "Business intelligence" in page and "£330,000.00 a year" in page
    nwl = sign_in("css3@demo.test")  # no offer for these services
    assert procurement.title not in text_of(nwl.get("/opportunities"))
    assert nwl.get(f"/opportunities/{procurement.id}").status_code == 404


def test_a_draft_is_invisible_and_a_withheld_budget_is_not_shown(buying, sign_in):
    draft = set_up_competition(buying, budget_shown=False)
    arden = sign_in("css@demo.test")
    assert arden.get(f"/opportunities/{draft.id}").status_code == 404
    from marketplace.services import procurements

    procurements.publish(buying.lead_user, draft, draft.lock_version)
    page = text_of(arden.get(f"/opportunities/{draft.id}"))
    assert "Not disclosed" in page and "330,000" not in page


@pytest.mark.parametrize("email", ["ccg@demo.test", "bdu@demo.test", "admin@demo.test"])
def test_only_css_leaders_use_opportunities(buying, sign_in, email):
    procurement = published_competition(buying)
    assert sign_in(email).get(f"/opportunities/{procurement.id}").status_code == 403


def test_an_uninvited_provider_cannot_see_a_chosen_list_opportunity(buying, sign_in):
    procurement = published_competition(buying, open_to_all=False,
                                        invitees=[buying.market.meridian])
    assert sign_in("css@demo.test").get(f"/opportunities/{procurement.id}").status_code == 404
    indie = sign_in("indie@demo.test")
    assert indie.get(f"/opportunities/{procurement.id}").status_code == 200


def test_the_answer_reaches_other_providers_without_the_asker(buying, sign_in):
    procurement = published_competition(buying)
    arden = sign_in("css@demo.test")
    response = arden.post(f"/opportunities/{procurement.id}/questions",
                          data={"question": "Do you want the dashboards weekly?"})
    assert response.status_code == 302
    asked = db.session.scalar(select(Clarification))
    clarifications.answer(buying.lead_user, asked, "Monthly is enough.")
    for email in ("css2@demo.test", "indie@demo.test"):
        page = sign_in(email).get(f"/opportunities/{procurement.id}")
        shown = page.get_data(as_text=True)
        assert "Do you want the dashboards weekly?" in shown and "Monthly is enough." in shown
        assert "Arden" not in shown and "Tom Hughes" not in shown


def test_a_question_after_the_cut_off_is_refused_at_the_field(buying, sign_in, clock):
    procurement = published_competition(buying)
    clock.set(procurement.clarifications_close_at + timedelta(seconds=1))
    response = sign_in("css@demo.test").post(f"/opportunities/{procurement.id}/questions",
                                             data={"question": "Too late?"})
    assert response.status_code == 400
    assert _errors(response) == ["The last date for questions has passed"]
    assert db.session.scalar(select(func.count(Clarification.id))) == 0


def test_writing_and_submitting_a_response(buying, sign_in, app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path)
    try:
        procurement = published_competition(buying)
        gem = sign_in("css2@demo.test")
        started = gem.post(f"/opportunities/{procurement.id}/response/start")
        assert started.headers["Location"] == f"/opportunities/{procurement.id}/response/edit"
        again = gem.post(f"/opportunities/{procurement.id}/response/start")
        assert again.status_code == 409 and "one response per provider" in text_of(again)
        data = _response_form(gem, procurement.id)
        bi, cm = buying.market.bi.id, buying.market.contracts.id
        assert data[f"price_{bi}"] == "9.50"  # from GEM's published offer
        data[f"price_{bi}"] = "-3"
        bad = gem.post(f"/opportunities/{procurement.id}/response/edit", data=data)
        assert bad.status_code == 400
        assert _errors(bad) == ["Enter the price as an amount of money, like 9.50"]
        assert html(bad).find(id=f"price_{bi}-error") is not None
        data[f"price_{bi}"] = "9.00"
        for name in data:
            if name.startswith("answer_"):
                data[name] = "We will run it from Leicester with a team of twelve."
        assert gem.post(f"/opportunities/{procurement.id}/response/edit",
                        data=data).status_code == 302
        upload = gem.post(f"/opportunities/{procurement.id}/response/attachments",
                          data={"attachment": (io.BytesIO(PDF), "method.pdf")},
                          content_type="multipart/form-data")
        assert upload.status_code == 302
        wrong = gem.post(f"/opportunities/{procurement.id}/response/attachments",
                         data={"attachment": (io.BytesIO(b"MZ..."), "method.pdf")},
                         content_type="multipart/form-data")
        assert wrong.status_code == 400 and "not what its name says" in text_of(wrong)
        confirm = gem.get(f"/opportunities/{procurement.id}/response/submit")
        assert "£6,777,645.00" in text_of(confirm)
        lock = html(confirm).find("input", {"name": "lock_version"})["value"]
        url = f"/opportunities/{procurement.id}/response/submit"
        assert gem.post(url, data={"lock_version": lock}).status_code == 302
        assert gem.post(url, data={"lock_version": lock}).status_code == 409  # double submit
        bid = db.session.scalar(select(Bid))
        assert bid.status == "submitted" and bid.lines[0].annual_cost is not None
        assert f"price_{cm}" in data
        # Other providers never see it, nor may they fetch its attachment.
        arden = sign_in("css@demo.test")
        attachment = bid.attachments[0]
        assert arden.get(f"/opportunities/{procurement.id}/response").status_code == 404
        assert arden.get(f"/opportunities/{procurement.id}/response/attachments/"
                         f"{attachment.id}").status_code == 404
        own = gem.get(f"/opportunities/{procurement.id}/response/attachments/{attachment.id}")
        assert own.status_code == 200 and own.data == PDF
    finally:
        app.config["EVIDENCE_DIR"] = None


def test_a_form_opened_before_closing_and_sent_after_saves_nothing(buying, sign_in, clock):
    procurement = published_competition(buying)
    gem = sign_in("css2@demo.test")
    gem.post(f"/opportunities/{procurement.id}/response/start")
    data = _response_form(gem, procurement.id)
    data["summary"] = "Sent too late"
    clock.set(procurement.closes_at)
    response = gem.post(f"/opportunities/{procurement.id}/response/edit", data=data)
    assert response.status_code == 400
    assert "The closing time has passed" in text_of(response)
    bid = db.session.scalar(select(Bid))
    db.session.refresh(bid)
    assert bid.summary == ""
    late = sign_in("css@demo.test").post(f"/opportunities/{procurement.id}/response/start")
    assert late.status_code == 400
    assert db.session.scalar(select(func.count(Bid.id))) == 1


def test_withdraw_after_a_confirmation_page(buying, sign_in):
    procurement = published_competition(buying)
    bid = bids.start_response(buying.gem_user, procurement)
    bids.save_response(buying.gem_user, bid, bid.lock_version, summary="", answers={
        c.id: "An answer" for c in bids.quality_criteria(procurement)}, lines=[
        bids.LineInput(buying.market.bi.id, "per_head", "9.50"),
        bids.LineInput(buying.market.contracts.id, "fixed_annual", "100000")])
    bids.submit(buying.gem_user, bid, bid.lock_version)
    gem = sign_in("css2@demo.test")
    url = f"/opportunities/{procurement.id}/response/withdraw"
    page = gem.get(url)
    assert "Withdraw your response" in text_of(page)
    lock = html(page).find("input", {"name": "lock_version"})["value"]
    assert gem.post(url, data={"lock_version": lock}).status_code == 302
    db.session.refresh(bid)
    assert bid.status == "withdrawn"


def _statements_for_opportunities(client) -> int:
    db.session.expire_all()  # as in a new request: nothing loaded already
    with counting_statements() as count:
        response = client.get("/opportunities")
    assert response.status_code == 200
    return len(count)


def test_the_opportunity_list_runs_as_many_queries_for_three_as_for_one(buying, sign_in):
    arden = sign_in("css@demo.test")
    first = published_competition(buying)
    with_one = _statements_for_opportunities(arden)
    others = []
    for title in ("Business intelligence from July 2013", "Contract monitoring, 2014"):
        buying.statement = make_statement(
            buying.coventry, [(buying.coventry, buying.market.bi, "150000.00", None),
                              (buying.warwickshire, buying.market.bi, "80000.00", None)],
            partners=[buying.warwickshire], title=title)
        others.append(published_competition(buying))
    page = text_of(arden.get("/opportunities"))
    assert all(p.title in page for p in [first, *others])
    with_three = _statements_for_opportunities(arden)
    # Before the list loaded every procurement's statement, lines, invitees, decision and
    # response with it, and asked which providers offer its services, each one cost four
    # queries of its own: 47 statements for the ten competitions at seed-demo --scale 100.
    assert with_three == with_one, (with_one, with_three)


def test_removing_an_attachment_asks_first(buying, sign_in, app, tmp_path):
    from marketplace.models import AuditEvent, BidAttachment

    app.config["EVIDENCE_DIR"] = str(tmp_path)
    try:
        procurement = published_competition(buying)
        gem = sign_in("css2@demo.test")
        gem.post(f"/opportunities/{procurement.id}/response/start")
        gem.post(f"/opportunities/{procurement.id}/response/attachments",
                 data={"attachment": (io.BytesIO(PDF), "method.pdf")},
                 content_type="multipart/form-data")
        attachment = db.session.scalar(select(BidAttachment))
        url = f"/opportunities/{procurement.id}/response/attachments/{attachment.id}/remove"
        page = html(gem.get(f"/opportunities/{procurement.id}/response"))
        assert page.find("a", href=url) is not None and not page.select(f"form[action='{url}']")
        events = db.session.scalar(select(func.count(AuditEvent.id)))
        asked = gem.get(url)
        assert asked.status_code == 200
        question = html(asked).select_one("h1").get_text(" ", strip=True)
        assert question == "Are you sure you want to remove method.pdf from your response?"
        assert "Remove the attachment" in html(asked).select_one("main form button").get_text()
        assert db.session.get(BidAttachment, attachment.id) is not None
        assert db.session.scalar(select(func.count(AuditEvent.id))) == events
        # A rival provider is not asked about it, nor told it exists.
        assert sign_in("css@demo.test").get(url).status_code == 404
        lock = html(asked).select_one("main form input[name=lock_version]")["value"]
        assert gem.post(url, data={"lock_version": lock}).status_code == 302
        assert db.session.get(BidAttachment, attachment.id) is None
    finally:
        app.config["EVIDENCE_DIR"] = None
