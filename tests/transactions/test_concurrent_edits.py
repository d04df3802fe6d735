"""Two editors at once: A opens the form, B saves, A saves.

A's save is refused with 409, B's data is kept, and A's input is shown again with a message,
ready to be saved over B's once A has looked (the form now carries B's version). Also the
closer race, where B saves between A's checks and A's writes (tests/races.py).
"""

from decimal import Decimal

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, BusinessPlan, Offer, Scenario, StatementLine

from .. import factories as build
from ..conftest import html, text_of, user
from ..factories import add_offer, create_spec, make_scenario
from ..races import meanwhile


def form_fields(response, **changes) -> dict:
    """The page's post form as a browser would send it, with some fields changed."""
    form = html(response).select_one("main form[method=post]")
    data = {}
    for element in form.select("input, select, textarea"):
        name = element.get("name")
        if not name or name == "csrf_token":
            continue
        if element.name == "select":
            chosen = element.select_one("option[selected]") or element.select_one("option")
            data[name] = chosen["value"] if chosen else ""
        elif element.name == "textarea":
            data[name] = element.get_text().removeprefix("\n")
        elif element.get("type") in ("radio", "checkbox"):
            if element.has_attr("checked"):
                data.setdefault(name, []).append(element.get("value", "on"))
        elif element.get("type") != "submit":
            data[name] = element.get("value", "")
    return {**data, **changes}


def events(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_two_editors_of_a_scenario(sign_in):
    scenario = make_scenario(name="Baseline")
    a, b = sign_in("ccg@demo.test"), sign_in("ccg@demo.test")
    url = f"/scenarios/{scenario.id}/edit"
    a_page = a.get(url)

    assert b.post(url, data=form_fields(b.get(url), name="B's scenario")).status_code == 302
    response = a.post(url, data=form_fields(a_page, name="A's scenario"))

    assert response.status_code == 409
    assert "Someone else saved this scenario" in text_of(response)
    assert html(response).select_one("#name")["value"] == "A's scenario"
    db.session.expire_all()
    assert db.session.get(Scenario, scenario.id).name == "B's scenario"
    assert events("scenario.updated") == 1

    # Having looked, A saves again: the form now carries B's version.
    assert a.post(url, data=form_fields(response)).status_code == 302
    db.session.expire_all()
    assert db.session.get(Scenario, scenario.id).name == "A's scenario"


def test_a_scenario_saved_between_the_check_and_the_write(app, sign_in):
    scenario = make_scenario(name="Baseline")
    a, b = sign_in("ccg@demo.test"), sign_in("ccg@demo.test")
    url = f"/scenarios/{scenario.id}/edit"
    a_form = form_fields(a.get(url), name="A's scenario")
    b_form = form_fields(b.get(url), name="B's scenario")

    with meanwhile(app, lambda: b.post(url, data=b_form)) as other:
        response = a.post(url, data=a_form)

    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "Someone else saved this scenario" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Scenario, scenario.id).name == "B's scenario"
    assert events("scenario.updated") == 1


def test_two_editors_of_a_statement_line(sign_in, market):
    from marketplace.services import statements

    lead = user("ccg@demo.test")
    statement = statements.create_statement(lead, statements.DetailsInput("Support from 2013"))
    line = statements.save_line(lead, statement, statements.LineInput(market.bi.id), None)
    a, b = sign_in("ccg@demo.test"), sign_in("ccg@demo.test")
    url = f"/statements/{statement.id}/lines/{line.id}"
    a_page = a.get(url)

    assert b.post(url, data=form_fields(b.get(url), notes="B's note")).status_code == 302
    response = a.post(url, data=form_fields(a_page, notes="A's note"))

    assert response.status_code == 409
    assert "Somebody else changed this statement" in text_of(response)
    assert html(response).select_one("#notes").get_text().strip() == "A's note"
    db.session.expire_all()
    assert db.session.get(StatementLine, line.id).notes == "B's note"
    assert events("statement.line_saved") == 2  # the builder's and B's

    # A's page now carries B's version: saving again, having looked, goes through.
    again = a.post(url, data=form_fields(response, notes="A's note"))
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(StatementLine, line.id).notes == "A's note"


def test_two_editors_of_a_plan_narrative(sign_in):
    plan = build.plan()
    a, b = sign_in("css@demo.test"), sign_in("css@demo.test")
    url = f"/assurance/plans/{plan.id}/edit"
    a_page = a.get(url)

    assert b.post(url, data=form_fields(b.get(url), risks="B's risks")).status_code == 302
    response = a.post(url, data=form_fields(a_page, risks="A's risks"))

    assert response.status_code == 409
    assert "Someone else saved this plan version" in text_of(response)
    assert html(response).select_one("#risks").get_text().strip() == "A's risks"
    db.session.expire_all()
    assert db.session.get(BusinessPlan, plan.id).risks == "B's risks"
    assert events("business_plan.updated") == 1


def test_two_editors_of_a_draft_offer(sign_in):
    offer = add_offer("Arden CSS", create_spec(), title="Decision support")
    a, b = sign_in("css@demo.test"), sign_in("css@demo.test")
    url = f"/prospectus/offers/{offer.id}/edit"
    a_page = a.get(url)

    assert b.post(url, data=form_fields(b.get(url), title="B's title")).status_code == 302
    response = a.post(url, data=form_fields(a_page, title="A's title", price="0.95"))

    assert response.status_code == 409
    assert "Someone else changed this offer" in text_of(response)
    assert html(response).select_one("#title")["value"] == "A's title"
    db.session.expire_all()
    saved = db.session.get(Offer, offer.id)
    assert (saved.title, saved.price) == ("B's title", Decimal("0.80"))
    assert events("offer.draft_updated") == 1


def test_an_offer_removed_while_it_was_being_edited(sign_in):
    offer = add_offer("Arden CSS", create_spec(), title="Decision support")
    a, b = sign_in("css@demo.test"), sign_in("css@demo.test")
    a_page = a.get(f"/prospectus/offers/{offer.id}/edit")
    assert b.post(f"/prospectus/offers/{offer.id}/remove").status_code == 302

    response = a.post(f"/prospectus/offers/{offer.id}/edit", data=form_fields(a_page))

    assert response.status_code == 404  # it is not there any more
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 0
