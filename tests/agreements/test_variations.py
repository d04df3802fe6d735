"""Variations: one party proposes a change of value or end date with a reason; the other
agrees (a new version; the signed original stays version 1) or declines with a reason. The
varied term may be exactly 18 months, never a day more.

The agreement runs 1 April 2013 to 31 March 2014 at £120,000 a year; today is 20 May 2013.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AgreementStatus, AgreementVariation, AuditEvent, Role
from marketplace.services import variations as service
from marketplace.services.errors import ServiceError

from ..conftest import html, text_of, user
from ..factories import KPI_DASHBOARD, create_agreement, make_user
from ..queries import statements_for
from ..races import meanwhile

TODAY = datetime(2013, 5, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def agreement(market, clock):
    clock.set(TODAY)
    return create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                            end_date=date(2014, 3, 31), annual_value=Decimal("120000.00"))


def proposal(value="132500", day="30", month="9", year="2014", reason="Add the 2014 audit."):
    return {"annual_value": value, "end_date-day": day, "end_date-month": month,
            "end_date-year": year, "reason": reason}


def variations():
    return db.session.scalars(select(AgreementVariation).order_by(AgreementVariation.id)).all()


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def error_at(response, field_id):
    element = html(response).select_one(f"#{field_id}-error")
    return element.get_text(" ", strip=True) if element else None


def answer(client, agreement, variation, decision, reason="", lock_version=None, side=""):
    db.session.refresh(variation)
    return client.post(f"{side}/agreements/{agreement.id}/variations/{variation.id}/answer",
                       data={"lock_version": lock_version or variation.lock_version,
                             "decision": decision, "decline_reason": reason})


def test_the_ccg_proposes_the_provider_agrees_and_the_original_stays_version_1(
        ccg_client, css_client, agreement):
    response = ccg_client.post(f"/agreements/{agreement.id}/variations/new", data=proposal())
    assert response.status_code == 302
    [variation] = variations()
    # The proposer cannot answer its own proposal; the provider does.
    assert answer(ccg_client, agreement, variation, "agree").status_code == 403
    assert answer(css_client, agreement, variation, "agree", side="/customers"
                  ).status_code == 302
    db.session.refresh(variation)
    assert (variation.status, variation.version) == ("agreed", 2)
    history = service.versions(agreement)
    assert [(v.number, v.terms.end_date, v.terms.annual_value) for v in history] == [
        (1, date(2014, 3, 31), Decimal("120000.00")),
        (2, date(2014, 9, 30), Decimal("132500.00"))]
    db.session.refresh(agreement)
    assert agreement.end_date == date(2014, 3, 31)  # the signed original is untouched
    page = text_of(ccg_client.get(f"/agreements/{agreement.id}/variations/{variation.id}"))
    assert "£120,000.00 £132,500.00" in page
    assert "31 March 2014 30 September 2014" in page
    assert "12 months 18 months" in page
    listing = text_of(css_client.get(f"/customers/agreements/{agreement.id}/variations"))
    assert "The signed original" in listing and "(current)" in listing
    shown = text_of(ccg_client.get(f"/agreements/{agreement.id}"))
    assert "version 2 runs from 1 April 2013 to 30 September 2014 at £132,500.00 a year" \
        in shown
    assert "The terms below are the signed original" in shown
    assert len(events("agreement_variation.agreed")) == 1


def test_the_proposer_s_summary_names_the_changes(ccg_client, agreement):
    ccg_client.post(f"/agreements/{agreement.id}/variations/new", data=proposal())
    [event] = events("agreement_variation.proposed")
    assert "annual value £120,000.00 to £132,500.00" in event.summary
    assert "end date 31 March 2014 to 30 September 2014" in event.summary


def test_the_provider_proposes_and_the_ccg_declines_with_a_reason(ccg_client, css_client,
                                                                 agreement):
    assert css_client.post(f"/customers/agreements/{agreement.id}/variations/new",
                           data=proposal(day="", month="", year="")).status_code == 302
    [variation] = variations()
    no_reason = answer(ccg_client, agreement, variation, "decline")
    assert no_reason.status_code == 400
    assert "Say why you decline" in (error_at(no_reason, "decline_reason") or "")
    assert answer(ccg_client, agreement, variation, "decline", "Not in this year's budget"
                  ).status_code == 302
    db.session.refresh(variation)
    assert (variation.status, variation.version) == ("declined", None)
    assert len(service.versions(agreement)) == 1
    assert "Not in this year's budget" in text_of(
        css_client.get(f"/customers/agreements/{agreement.id}/variations/{variation.id}"))


def test_exactly_18_months_is_accepted_and_a_day_more_refused_at_the_field(ccg_client,
                                                                         agreement):
    over = ccg_client.post(f"/agreements/{agreement.id}/variations/new",
                           data=proposal(day="1", month="10"))
    assert over.status_code == 400
    assert "at most 18 months" in error_at(over, "end_date")
    assert "30 September 2014" in error_at(over, "end_date")
    assert variations() == []
    assert ccg_client.post(f"/agreements/{agreement.id}/variations/new",
                           data=proposal(day="30", month="9")).status_code == 302


@pytest.mark.parametrize(("fields", "field_id", "message"), [
    ({"reason": " "}, "reason", "Say why the agreement should be varied"),
    ({"annual_value": "lots"}, "annual_value", "as an amount"),
    ({"annual_value": "0"}, "annual_value", "more than £0"),
    ({"annual_value": "1.005"}, "annual_value", "at most 2 decimal places"),
    ({"annual_value": "120000", "end_date-day": "31", "end_date-month": "3"}, "annual_value",
     "different from the agreement's current terms"),
    ({"end_date-day": "19", "end_date-month": "5", "end_date-year": "2013"}, "end_date",
     "cannot be in the past"),
    ({"end_date-day": "31", "end_date-month": "2"}, "end_date", "must be a real date"),
])
def test_bad_proposals_are_refused_at_the_field_and_nothing_is_saved(ccg_client, agreement,
                                                                    fields, field_id, message):
    response = ccg_client.post(f"/agreements/{agreement.id}/variations/new",
                               data=proposal(**{k: v for k, v in fields.items()
                                                if k in ("reason",)}) | fields)
    assert response.status_code == 400
    assert message in (error_at(response, field_id) or "")
    assert variations() == []
    assert events("agreement_variation.proposed") == []


def test_one_open_proposal_at_a_time(ccg_client, css_client, agreement):
    ccg_client.post(f"/agreements/{agreement.id}/variations/new", data=proposal())
    second = css_client.post(f"/customers/agreements/{agreement.id}/variations/new",
                             data=proposal(value="100000"))
    assert second.status_code == 400
    assert "already waiting for an answer" in text_of(second)
    assert len(variations()) == 1


def test_a_second_variation_builds_on_the_first(agreement):
    ccg, css = user("ccg@demo.test"), user("css@demo.test")
    first = service.propose(ccg, agreement, Decimal("130000"), None, "More analysts")
    service.answer(css, first, None, True)
    second = service.propose(css, agreement, None, date(2014, 6, 30), "Align with the year")
    assert [(c.label, c.before, c.after) for c in service.changes_of(second)] == [
        ("End date", "31 March 2014", "30 June 2014"), ("Term", "12 months", "15 months")]
    service.answer(ccg, second, None, True)
    assert service.current_terms(agreement).annual_value == Decimal("130000.00")
    assert service.current_terms(agreement).end_date == date(2014, 6, 30)
    assert [v.number for v in service.versions(agreement)] == [1, 2, 3]


def test_no_variation_of_a_draft_or_an_ended_agreement(market, clock):
    clock.set(TODAY)
    for status in (AgreementStatus.DRAFT, AgreementStatus.ENDED):
        made = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                                status=status)
        with pytest.raises(ServiceError, match="only an agreement signed by both parties"):
            service.propose(user("ccg@demo.test"), made, Decimal("1"), None, "Why not")
    assert variations() == []


@pytest.mark.parametrize(("email", "ccg_side", "provider_side"), [
    ("ccg@demo.test", 200, 403),
    ("ccg2@demo.test", 404, 403),
    ("css@demo.test", 403, 200),
    ("css2@demo.test", 403, 404),
    ("bdu@demo.test", 200, 403),
])
def test_who_reads_the_variations(sign_in, agreement, email, ccg_side, provider_side):
    made = service.propose(user("ccg@demo.test"), agreement, Decimal("130000"), None, "Why")
    client = sign_in(email)
    for path in ("variations", f"variations/{made.id}"):
        assert client.get(f"/agreements/{agreement.id}/{path}").status_code == ccg_side
        assert client.get(f"/customers/agreements/{agreement.id}/{path}"
                          ).status_code == provider_side
    if email == "bdu@demo.test":
        page = html(client.get(f"/agreements/{agreement.id}/variations/{made.id}"))
        assert not page.select("form[action*='/answer']")


@pytest.mark.parametrize(("email", "ccg_side", "provider_side"), [
    ("ccg@demo.test", 302, 403),
    ("ccg2@demo.test", 404, 403),
    ("css@demo.test", 403, 302),
    ("css2@demo.test", 403, 404),
    ("bdu@demo.test", 403, 403),
])
def test_who_proposes(sign_in, agreement, email, ccg_side, provider_side):
    client = sign_in(email)
    assert client.post(f"/agreements/{agreement.id}/variations/new",
                       data=proposal()).status_code == ccg_side
    assert client.post(f"/customers/agreements/{agreement.id}/variations/new",
                       data=proposal()).status_code == provider_side
    assert len(variations()) == (1 if 302 in (ccg_side, provider_side) else 0)


@pytest.mark.parametrize(("email", "ccg_side", "provider_side"), [
    ("ccg@demo.test", 403, 403),   # the proposer
    ("ccg2@demo.test", 404, 403),
    ("css@demo.test", 403, 302),   # the other party
    ("css2@demo.test", 403, 404),
    ("bdu@demo.test", 403, 403),
])
def test_only_the_other_party_answers(sign_in, agreement, email, ccg_side, provider_side):
    made = service.propose(user("ccg@demo.test"), agreement, Decimal("130000"), None, "Why")
    client = sign_in(email)
    assert answer(client, agreement, made, "agree").status_code == ccg_side
    assert answer(client, agreement, made, "agree", side="/customers"
                  ).status_code == provider_side
    db.session.refresh(made)
    assert made.status == ("agreed" if provider_side == 302 else "proposed")


def test_two_answers_at_once_cannot_both_win(app, sign_in, agreement):
    made = service.propose(user("ccg@demo.test"), agreement, Decimal("130000"), None, "Why")
    make_user("pat.colleague@example.nhs.uk", "Pat Colleague", agreement.provider,
              Role.CSS_LEADER)
    colleague, me = sign_in("pat.colleague@example.nhs.uk"), sign_in("css@demo.test")
    lock = made.lock_version
    url = f"/customers/agreements/{agreement.id}/variations/{made.id}/answer"
    with meanwhile(app, lambda: colleague.post(url, data={
            "lock_version": lock, "decision": "decline", "decline_reason": "No"})) as other:
        response = me.post(url, data={"lock_version": lock, "decision": "agree"})
    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "Somebody else answered this variation" in text_of(response)
    db.session.expire_all()
    assert db.session.get(AgreementVariation, made.id).status == "declined"
    assert events("agreement_variation.agreed") == []


def test_a_kpi_target_variation_agreed_and_shown_in_the_diff(market, clock, ccg_client,
                                                            css_client):
    from ..factories import KPI_DASHBOARD, KPI_QUERIES
    clock.set(TODAY)
    made = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                            kpis=[KPI_DASHBOARD, KPI_QUERIES])
    dashboard, queries = made.lines[0].kpis
    out_of_range = css_client.post(f"/customers/agreements/{made.id}/variations/new", data={
        "reason": "Raise the bar", f"kpi_{queries.id}": "101"})
    assert out_of_range.status_code == 400
    assert "between 0 and 100" in text_of(out_of_range)
    assert variations() == []
    assert css_client.post(f"/customers/agreements/{made.id}/variations/new", data={
        "reason": "Raise the bar", f"kpi_{queries.id}": "97.5"}).status_code == 302
    [variation] = variations()
    assert answer(ccg_client, made, variation, "agree").status_code == 302
    assert dict(service.current_terms(made).targets)[queries.id] == Decimal("97.5")
    db.session.refresh(queries)
    assert queries.target == Decimal("95")  # the signed KPI is untouched
    page = text_of(ccg_client.get(f"/agreements/{made.id}/variations/{variation.id}"))
    assert "Target: Queries answered within 2 days 95 97.5" in page


def test_an_agreed_extension_adds_its_months_to_the_returns_schedule(market, clock):
    from marketplace.services import performance_returns

    from ..factories import KPI_DASHBOARD

    clock.set(TODAY)
    agreement = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                                 start_date=date(2013, 4, 1), end_date=date(2014, 3, 31),
                                 kpis=[KPI_DASHBOARD])
    assert len(performance_returns.schedule(agreement)) == 12
    ccg, css = user("ccg@demo.test"), user("css@demo.test")
    longer = service.propose(ccg, agreement, None, date(2014, 9, 30), "Until the competition")
    assert len(performance_returns.schedule(agreement)) == 12  # proposed is not agreed
    service.answer(css, longer, None, True)
    rows = performance_returns.schedule(agreement)
    assert len(rows) == 18 and rows[-1].period.label == "September 2014"
    assert performance_returns.term_ends([agreement]) == {agreement.id: date(2014, 9, 30)}


def test_the_proposal_form_runs_as_many_queries_for_three_lines_as_for_one(sign_in, market,
                                                                         clock):
    """The KPIs of every line come with the agreement, for both sides: not a query per
    line."""
    clock.set(TODAY)
    coventry = user("ccg@demo.test").organisation
    one = create_agreement(coventry, [market.arden_bi], kpis=[KPI_DASHBOARD])
    three = create_agreement(coventry, [market.arden_bi, market.arden_contracts,
                                        market.arden_comms], kpis=[KPI_DASHBOARD])
    for client, page in ((sign_in("ccg@demo.test"), "/agreements/{}/variations/new"),
                         (sign_in("css@demo.test"), "/customers/agreements/{}/variations/new")):
        counts = [statements_for(client, page.format(agreement.id)) for agreement in (one, three)]
        assert counts[0] == counts[1], page
