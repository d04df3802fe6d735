"""User text is never live markup (issue 14): stored and reflected, through our templates and
the NHS.UK macros (.jinja), which are autoescaped like every other template.

Each test stores or sends text holding a link, a script and an attribute break-out in a field
the issue named, and reads the page as the other party sees it: the text is there, escaped,
and none of its tags is."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AgreementKpi, AgreementStatus, ShortlistEntry
from marketplace.services import reviews

from . import factories as build
from .conftest import html
from .hostile_text import HOSTILE, assert_inert


@pytest.fixture
def market(app_context) -> build.Market:
    return build.build_market()


@pytest.fixture
def hostile_offer(app_context, market):
    """An Arden offer whose title is the hostile text, shortlisted by Coventry."""
    version = build.create_prospectus_version_with_offers(
        market.arden, [(market.comms, {"title": HOSTILE, "price": "600.00",
                                       "pricing_model": "day_rate",
                                       "estimated_quantity": "200"})])
    offer = version.offers[0]
    build.shortlist(build.ccg("05A"), offer)
    return offer


def test_an_agreement_reason_is_text_on_the_css_customer_page(css_client, market):
    coventry = build.ccg("05A")
    agreement = build.create_agreement(coventry, [market.arden_bi],
                                       status=AgreementStatus.DRAFT)
    agreement.value_change_reason = HOSTILE
    agreement.route_rationale = HOSTILE
    db.session.commit()
    agreement.status = AgreementStatus.AWAITING_COUNTERSIGNATURE
    db.session.commit()
    assert_inert(css_client.get(f"/customers/agreements/{agreement.id}"))
    assert_inert(css_client.get("/customers"), shown=False)


def test_a_providers_decline_reason_is_text_on_the_ccg_agreement_page(ccg_client, market):
    agreement = build.create_agreement(build.ccg("05A"), [market.arden_bi],
                                       status=AgreementStatus.DRAFT)
    agreement.provider_decline_reason = HOSTILE
    agreement.provider_declined_at = agreement.created_at
    db.session.commit()
    response = ccg_client.get(f"/agreements/{agreement.id}")
    assert_inert(response)
    inset = html(response).select_one(".nhsuk-inset-text")
    # The inset's own markup is live (built by the template), the reason inside it is not.
    assert inset.select_one("strong").text.startswith("Arden CSS declined to countersign")
    assert inset.select("p")[1].text == HOSTILE


def test_a_reason_sent_back_in_the_agreement_form_stays_inside_its_textarea(ccg_client,
                                                                            market):
    agreement = build.create_agreement(build.ccg("05A"), [market.arden_bi],
                                       status=AgreementStatus.DRAFT)
    response = ccg_client.post(f"/agreements/{agreement.id}/edit", data={
        "lock_version": agreement.lock_version, "start_date": "not a date",
        "end_date": "", "annual_value": "1", "value_change_reason": HOSTILE})
    assert response.status_code == 400
    assert_inert(response)
    assert html(response).select_one("textarea#value_change_reason").text == HOSTILE


def test_an_offer_title_is_text_in_the_shortlist_banner_and_pages(ccg_client, hostile_offer):
    for path in ("/shortlists", f"/offers/{hostile_offer.id}",
                 f"/shortlists/compare?offer={hostile_offer.id}"):
        response = ccg_client.get(path)
        assert response.status_code == 200, path
        assert_inert(response)
    entry = db.session.scalar(select(ShortlistEntry).where(
        ShortlistEntry.offer_id == hostile_offer.id))
    response = ccg_client.post(f"/shortlists/entries/{entry.id}/remove",
                               follow_redirects=True)
    banner = html(response).select_one(".nhsuk-notification-banner")
    assert banner is not None and HOSTILE in banner.text
    assert_inert(response)


def test_an_offer_title_is_text_on_the_agreement_and_the_reckoners_offer_list(
        ccg_client, hostile_offer):
    agreement = build.create_agreement(build.ccg("05A"), [hostile_offer],
                                       status=AgreementStatus.DRAFT)
    assert_inert(ccg_client.get(f"/agreements/{agreement.id}"))
    assert_inert(ccg_client.get(f"/agreements/{agreement.id}/edit"), shown=False)
    scenario = build.make_scenario()
    assert_inert(ccg_client.get(f"/scenarios/{scenario.id}/offers"))


def test_a_scenario_name_is_text_in_the_bdus_comparison_options(bdu_client):
    first = build.make_scenario(name=HOSTILE)
    second = build.make_scenario(name="Baseline")
    response = bdu_client.get("/scenarios/compare")
    assert_inert(response)
    option = html(response).select_one(f"select#a option[value='{first.id}']")
    assert option.text.startswith(HOSTILE)
    compared = bdu_client.get(f"/scenarios/compare?a={first.id}&b={second.id}")
    assert compared.status_code == 200
    assert_inert(compared)


def test_query_parameters_are_never_echoed_as_markup(ccg_client, hostile_offer):
    for path in ("/shortlists/compare", "/scenarios/compare", "/offers", "/ready-reckoner",
                 "/shortlists/compare.csv", "/agreements"):
        response = ccg_client.get(path, query_string={"offer": HOSTILE, "a": HOSTILE,
                                                      "b": HOSTILE, "q": HOSTILE,
                                                      "population": HOSTILE, "page": HOSTILE})
        assert response.status_code < 500, path
        assert_inert(response, shown=False)


def test_review_commentary_stays_inside_a_co_reviewers_textarea(sign_in):
    review = build.started_review()
    bdu2 = build.person("bdu2@demo.test")
    reviews.assign_reviewer(build.person("bdu@demo.test"), review.submission, bdu2)
    db.session.refresh(review)
    criteria = review.submission.checkpoint.criteria
    reviews.save_review(build.person("bdu@demo.test"), review,
                        expected_lock_version=review.lock_version,
                        ratings={c.id: reviews.RatingInput(build.CP2_GOOD[c.key], HOSTILE)
                                 for c in criteria},
                        summary=HOSTILE)
    co_reviewer = sign_in("bdu2@demo.test")
    response = co_reviewer.get(f"/reviews/{review.id}/edit")
    assert response.status_code == 200
    assert_inert(response)
    page = html(response)
    assert page.select_one("textarea#summary").text == HOSTILE
    assert page.select_one(f"textarea#commentary_{criteria[0].id}").text == HOSTILE
    assert_inert(co_reviewer.get(f"/reviews/submissions/{review.submission_id}"),
                 shown=False)


def test_flashed_messages_and_error_summaries_are_text(ccg_client):
    with ccg_client.session_transaction() as session:
        session["_flashes"] = [("success", HOSTILE)]
    response = ccg_client.get("/shortlists")
    assert_inert(response)
    assert HOSTILE in html(response).select_one(".nhsuk-notification-banner").text


def test_the_header_escapes_the_users_name(sign_in):
    someone = build.make_user("hostile@demo.test", HOSTILE, build.ccg("05A"))
    assert someone.full_name == HOSTILE
    assert_inert(sign_in("hostile@demo.test").get("/shortlists"))


def test_code_built_markup_passed_to_the_macros_stays_live(ccg_client):
    """What the templates build for a macro's "html" is markup, escaped once, not text."""
    from marketplace.models import PartyStatus, StatementStatus

    coventry = build.ccg("05A")
    other = build.ccg("05H")
    statement = build.make_statement(other, [], partners=[coventry],
                                     status=StatementStatus.DRAFT, title=HOSTILE)
    statement.parties[-1].status = PartyStatus.INVITED
    db.session.commit()
    response = ccg_client.get("/statements")
    inset = html(response).select_one(".nhsuk-inset-text")
    # The invitation's list and link are the template's markup; the statement's title is text.
    assert inset.select_one("p").text == "Your CCG has been invited to take part in:"
    assert inset.select_one("ul li a").text == HOSTILE
    assert_inert(response)



def test_the_offers_wording_of_a_kpi_is_text_in_its_form(ccg_client, market):
    agreement = build.create_agreement(
        build.ccg("05A"), [market.arden_bi], status=AgreementStatus.DRAFT,
        kpis=[build.KPI_DASHBOARD | {"offer_wording": HOSTILE, "measure": HOSTILE}])
    kpi = db.session.scalar(select(AgreementKpi))
    response = ccg_client.get(f"/agreements/{agreement.id}/kpis/{kpi.id}/edit")
    assert response.status_code == 200
    assert_inert(response)
    inset = html(response).select_one(".nhsuk-inset-text p")
    assert inset.text == f"The offer said: “{HOSTILE}”."
    assert_inert(ccg_client.get(f"/agreements/{agreement.id}"))
