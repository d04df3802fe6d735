from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Agreement, AuditEvent
from marketplace.services import agreements as service
from marketplace.services.errors import Conflict, PermissionDenied, ServiceError

from ..conftest import html, text_of, user
from ..factories import KPI_DASHBOARD, create_agreement, create_prospectus_version_with_offers
from ..queries import statements_for

TERMS = {"start_date": "2013-04-01", "end_date": "2014-09-30"}


def agreements():
    return db.session.scalars(select(Agreement).order_by(Agreement.id)).all()


def error_at(response, field_id):
    element = html(response).select_one(f"#{field_id}-error")
    return element.get_text(" ", strip=True) if element else None


def draft(market, *offers, **terms):
    """A draft as an award leaves it (services/agreements_from_awards.py has its own tests)."""
    return create_agreement(
        user("ccg@demo.test").organisation, list(offers or (market.arden_bi,)),
        status="draft", start_date=terms.get("start", date(2013, 4, 1)),
        end_date=terms.get("end", date(2014, 9, 30)))


def edit(client, agreement, **fields):
    db.session.refresh(agreement)
    return client.post(f"/agreements/{agreement.id}/edit",
                       data={"lock_version": agreement.lock_version, **TERMS, **fields})


# No agreement without a procurement


def test_the_old_new_agreement_page_leads_to_procurements_and_drafts_nothing(ccg_client,
                                                                           market):
    for response in (ccg_client.get(f"/agreements/new?offer={market.arden_bi.id}"),
                     ccg_client.post("/agreements/new",
                                     data={"offer_ids": [market.arden_bi.id], **TERMS})):
        assert response.status_code == 303
        assert response.headers["Location"] == "/procurements"
    assert agreements() == []
    page = text_of(ccg_client.get("/procurements"))
    assert "a direct award from your shortlist with the reason for it" in page
    assert not hasattr(service, "create_agreement")


# Changing a draft: dates and the agreed value


def test_end_before_start_is_refused_at_the_field(ccg_client, market):
    agreement = draft(market)
    response = edit(ccg_client, agreement, start_date="2013-04-01", end_date="2013-03-01")
    assert response.status_code == 400
    assert error_at(response, "end_date") == "Error: The end date must be after the start date"
    db.session.refresh(agreement)
    assert agreement.end_date == date(2014, 9, 30)


def test_missing_and_impossible_dates(ccg_client, market):
    response = edit(ccg_client, draft(market), start_date="", end_date="2013-02-30")
    assert "Enter the start date" in error_at(response, "start_date")
    assert "must be a real date" in error_at(response, "end_date")


def test_longer_than_18_months_is_saved_with_a_warning_in_words(ccg_client, market):
    agreement = draft(market)
    edit(ccg_client, agreement, start_date="2013-04-01", end_date="2015-03-31")
    page = text_of(ccg_client.get(f"/agreements/{agreement.id}"))
    assert "This agreement runs for 24 months, longer than 18 months" in page
    assert "Longer than 18 months" in text_of(ccg_client.get("/agreements"))


def test_18_months_exactly_has_no_warning(ccg_client, market):
    agreement = draft(market)
    assert "longer than 18 months" not in text_of(ccg_client.get(f"/agreements/{agreement.id}"))


def test_a_changed_value_needs_a_reason(ccg_client, market):
    agreement = draft(market)
    response = edit(ccg_client, agreement, annual_value="5000000")
    assert response.status_code == 400
    assert (
        "Give a reason for agreeing £5,000,000.00 a year rather than the £5,575,152.00"
        in error_at(response, "value_change_reason")
    )
    response = edit(ccg_client, agreement, annual_value="5,000,000.00",
                    value_change_reason="Volume discount agreed at the March meeting")
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.annual_value == Decimal("5000000.00")
    assert agreement.computed_annual_value == Decimal("5575152.00")
    assert agreement.value_change_reason == "Volume discount agreed at the March meeting"
    page = text_of(ccg_client.get(f"/agreements/{agreement.id}"))
    assert "Volume discount agreed at the March meeting" in page
    # 18 months at £5,000,000 a year.
    assert "£7,500,000.00" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "cannot be negative"),
        ("lots", "as an amount of money"),
        ("60000000", "at most £50,000,000.00"),
    ],
)
def test_bad_annual_values(ccg_client, market, value, message):
    response = edit(ccg_client, draft(market), annual_value=value, value_change_reason="Because")
    assert message in error_at(response, "annual_value")


def test_the_computed_value_needs_no_reason(ccg_client, market):
    agreement = draft(market)
    assert edit(ccg_client, agreement, annual_value="5575152").status_code == 302
    db.session.refresh(agreement)
    assert agreement.value_change_reason == ""


# Editing and moving on


def test_a_draft_is_edited_with_its_lock_version(ccg_client, market):
    agreement = draft(market)
    form = html(ccg_client.get(f"/agreements/{agreement.id}/edit"))
    lock = form.select_one("input[name=lock_version]")["value"]
    assert form.select_one("#annual_value")["value"] == "5575152.00"
    response = ccg_client.post(
        f"/agreements/{agreement.id}/edit",
        data={
            "lock_version": lock,
            "start_date": "2013-04-01",
            "end_date": "2014-03-31",
            "annual_value": "5575152.00",
        },
    )
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.end_date == date(2014, 3, 31)
    assert agreement.lock_version == int(lock) + 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agreement.updated"))


def test_a_stale_save_is_refused_with_a_message(ccg_client, sign_in, market):
    agreement = draft(market)
    stale_lock = html(ccg_client.get(f"/agreements/{agreement.id}/edit")).select_one(
        "input[name=lock_version]"
    )["value"]
    # A colleague changes the agreement first.
    ccg_user = user("ccg@demo.test")
    service.update_agreement(
        ccg_user,
        agreement,
        agreement.lock_version,
        service.AgreementTerms(date(2013, 5, 1), date(2014, 9, 30)),
    )
    response = ccg_client.post(
        f"/agreements/{agreement.id}/edit",
        data={"lock_version": stale_lock, "start_date": "2013-06-01", "end_date": "2014-09-30"},
    )
    assert response.status_code == 409
    assert "Somebody else changed this agreement after you opened it" in text_of(response)
    db.session.refresh(agreement)
    assert agreement.start_date == date(2013, 5, 1)

    response = ccg_client.post(
        f"/agreements/{agreement.id}/sign", data={"lock_version": stale_lock}
    )
    assert response.status_code == 409
    assert "Somebody else changed this agreement" in text_of(response)
    db.session.refresh(agreement)
    assert agreement.status == "draft"


def test_a_concurrent_write_is_caught_by_the_version_column(app_context, market):
    agreement = draft(market)
    db.session.execute(
        Agreement.__table__.update().where(Agreement.id == agreement.id).values(lock_version=99)
    )  # another transaction's write, behind this session's back
    with pytest.raises(Conflict):
        service.sign_for_ccg(user("ccg@demo.test"), agreement, agreement.lock_version)


def status_post(client, agreement, status):
    db.session.refresh(agreement)
    return client.post(
        f"/agreements/{agreement.id}/status",
        data={"lock_version": agreement.lock_version, "status": status},
    )


def sign_post(client, agreement, who="ccg"):
    db.session.refresh(agreement)
    url = (f"/agreements/{agreement.id}/sign" if who == "ccg"
           else f"/customers/agreements/{agreement.id}/countersign")
    return client.post(url, data={"lock_version": agreement.lock_version})


def test_the_ccg_signs_the_css_countersigns_then_final_and_ended(ccg_client, css_client,
                                                                   market):
    agreement = draft(market)
    page = html(ccg_client.get(f"/agreements/{agreement.id}"))
    assert page.select("button[name=status]") == []
    assert page.find("a", string="Sign the agreement")["href"] == (
        f"/agreements/{agreement.id}/sign")
    # The confirmation page shows what is signed, with the value over the full term.
    confirm = text_of(ccg_client.get(f"/agreements/{agreement.id}/sign"))
    assert "You are signing for NHS Coventry and Rugby CCG" in confirm
    assert "£8,362,728.00" in confirm  # £5,575,152 a year for 18 months
    # The CSS has nothing to countersign yet.
    assert "nothing for you to countersign" in text_of(css_client.get(
        f"/customers/agreements/{agreement.id}/countersign", follow_redirects=True))

    assert sign_post(ccg_client, agreement).status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == "awaiting_countersignature"
    assert agreement.ccg_signed_by.email == "ccg@demo.test" and agreement.signed_at is None
    assert "waiting for Arden CSS to countersign" in text_of(
        ccg_client.get(f"/agreements/{agreement.id}"))
    # Signing twice is refused with a message, not a second signature.
    again = sign_post(ccg_client, agreement)
    assert again.status_code == 400 and "cannot be signed by the CCG" in text_of(again)

    assert f"Countersign agreement {agreement.reference} with NHS Coventry and Rugby CCG" in (
        text_of(css_client.get("/customers")))
    css_page = text_of(css_client.get(f"/customers/agreements/{agreement.id}"))
    assert "Countersign the agreement" in css_page
    assert "You are countersigning for Arden CSS" in text_of(
        css_client.get(f"/customers/agreements/{agreement.id}/countersign"))
    assert sign_post(css_client, agreement, "css").status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == "signed" and agreement.signed_at is not None
    assert agreement.provider_signed_by.email == "css@demo.test"

    assert status_post(ccg_client, agreement, "final").status_code == 302
    assert status_post(ccg_client, agreement, "ended").status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == "ended"
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "Agreement").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor.email) for e in events] == [
        ("agreement.signed_by_ccg", "ccg@demo.test"),
        ("agreement.countersigned", "css@demo.test"),
        ("agreement.final", "ccg@demo.test"),
        ("agreement.ended", "ccg@demo.test"),
    ]
    assert "This agreement has ended." in text_of(ccg_client.get(f"/agreements/{agreement.id}"))


def test_the_css_declines_with_a_reason_and_the_ccg_gets_a_draft_back(ccg_client, css_client,
                                                                        market):
    agreement = draft(market)
    sign_post(ccg_client, agreement)
    db.session.refresh(agreement)
    url = f"/customers/agreements/{agreement.id}/decline"
    response = css_client.post(url, data={"lock_version": agreement.lock_version,
                                          "reason": "   "})
    assert response.status_code == 400
    assert "Say why you are not countersigning" in error_at(response, "reason")
    response = css_client.post(url, data={"lock_version": agreement.lock_version,
                                          "reason": "The start date must be 1 May 2013."})
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == "draft" and agreement.ccg_signed_at is None
    assert agreement.provider_decline_reason == "The start date must be 1 May 2013."
    page = text_of(ccg_client.get(f"/agreements/{agreement.id}"))
    assert "Arden CSS declined to countersign" in page
    assert "The start date must be 1 May 2013." in page
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "agreement.countersignature_declined"))
    assert event.actor.email == "css@demo.test"
    assert event.changes["reason"] == "The start date must be 1 May 2013."
    # The CCG changes the draft and signs again.
    assert edit(ccg_client, agreement, start_date="2013-05-01").status_code == 302
    assert sign_post(ccg_client, agreement).status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == "awaiting_countersignature"


@pytest.mark.parametrize("reason", ["x" * 2001, "bad\x00byte"])
def test_a_hostile_decline_reason_is_refused_at_the_field(ccg_client, css_client, market,
                                                          reason):
    agreement = draft(market)
    sign_post(ccg_client, agreement)
    db.session.refresh(agreement)
    response = css_client.post(f"/customers/agreements/{agreement.id}/decline",
                               data={"lock_version": agreement.lock_version, "reason": reason})
    assert response.status_code == 400
    assert error_at(response, "reason")
    db.session.refresh(agreement)
    assert agreement.status == "awaiting_countersignature"


def test_another_css_cannot_countersign_or_decline(ccg_client, sign_in, market):
    agreement = draft(market)
    sign_post(ccg_client, agreement)
    gem = sign_in("css2@demo.test")
    assert gem.get(f"/customers/agreements/{agreement.id}").status_code == 404
    for url in (f"/customers/agreements/{agreement.id}/countersign",
                f"/customers/agreements/{agreement.id}/decline"):
        assert gem.get(url).status_code == 404
        assert gem.post(url, data={"lock_version": 2, "reason": "No"}).status_code == 404
    db.session.refresh(agreement)
    assert agreement.status == "awaiting_countersignature"
    with pytest.raises(PermissionDenied):
        service.countersign(user("css2@demo.test"), agreement, agreement.lock_version)
    with pytest.raises(PermissionDenied):  # the CCG cannot countersign for the provider
        service.countersign(user("ccg@demo.test"), agreement, agreement.lock_version)
    with pytest.raises(PermissionDenied):
        service.decline_to_countersign(user("css2@demo.test"), agreement,
                                       agreement.lock_version, "No")


def test_a_stale_countersignature_is_a_conflict(ccg_client, css_client, market):
    agreement = draft(market)
    sign_post(ccg_client, agreement)
    db.session.refresh(agreement)
    response = css_client.post(f"/customers/agreements/{agreement.id}/countersign",
                               data={"lock_version": agreement.lock_version - 1})
    assert response.status_code == 409
    db.session.refresh(agreement)
    assert agreement.status == "awaiting_countersignature"


def test_steps_cannot_be_skipped_or_undone(ccg_client, market):
    agreement = draft(market)
    response = status_post(ccg_client, agreement, "final")
    assert response.status_code == 400
    assert "is draft, so it cannot be made final" in text_of(response)
    # Signing is never a status change: the CCG signs on its page, the CSS countersigns.
    assert status_post(ccg_client, agreement, "signed").status_code == 400
    sign_post(ccg_client, agreement)
    assert status_post(ccg_client, agreement, "signed").status_code == 400
    assert status_post(ccg_client, agreement, "draft").status_code == 400
    assert status_post(ccg_client, agreement, "nonsense").status_code == 400
    db.session.refresh(agreement)
    assert agreement.status == "awaiting_countersignature"


def both_sign(agreement):
    service.sign_for_ccg(user("ccg@demo.test"), agreement, agreement.lock_version)
    service.countersign(user("css@demo.test") if agreement.provider.name == "Arden CSS"
                        else user("css2@demo.test"), agreement, agreement.lock_version)


def test_a_signed_agreement_is_immutable(ccg_client, market):
    agreement = draft(market)
    both_sign(agreement)
    response = ccg_client.get(f"/agreements/{agreement.id}/edit", follow_redirects=True)
    assert "its terms cannot change any more, only its status" in text_of(response)
    db.session.refresh(agreement)
    response = ccg_client.post(
        f"/agreements/{agreement.id}/edit",
        data={
            "lock_version": agreement.lock_version,
            "start_date": "2013-01-01",
            "end_date": "2013-12-31",
        },
    )
    db.session.refresh(agreement)
    assert agreement.start_date == date(2013, 4, 1)
    with pytest.raises(ServiceError, match="cannot change any more"):
        service.update_agreement(
            user("ccg@demo.test"),
            agreement,
            agreement.lock_version,
            service.AgreementTerms(date(2013, 1, 1), date(2013, 12, 31)),
        )


def test_the_agreement_keeps_its_offer_rows_when_the_css_publishes_again(ccg_client, market):
    agreement = draft(market, market.arden_bi)
    create_prospectus_version_with_offers(market.arden, [(market.bi, {"price": "20.00"})])
    db.session.refresh(agreement)
    assert agreement.lines[0].offer.price == Decimal("12.00")
    assert sign_post(ccg_client, agreement).status_code == 302


# Who may see what


def test_another_ccgs_agreement_is_not_found(sign_in, market):
    agreement = draft(market)
    other = sign_in("ccg2@demo.test")
    for path in (f"/agreements/{agreement.id}", f"/agreements/{agreement.id}/edit",
                 f"/agreements/{agreement.id}/sign"):
        assert other.get(path).status_code == 404
    assert other.post(f"/agreements/{agreement.id}/sign",
                      data={"lock_version": 1}).status_code == 404
    assert (
        other.post(
            f"/agreements/{agreement.id}/status", data={"lock_version": 1, "status": "signed"}
        ).status_code
        == 404
    )
    assert agreement.reference not in text_of(other.get("/agreements"))


def test_the_service_refuses_someone_from_another_ccg(app_context, market):
    agreement = draft(market)
    with pytest.raises(PermissionDenied):
        service.change_status(user("ccg2@demo.test"), agreement, agreement.lock_version, "final")
    for somebody in ("ccg2@demo.test", "css@demo.test", "bdu@demo.test"):
        with pytest.raises(PermissionDenied):
            service.sign_for_ccg(user(somebody), agreement, agreement.lock_version)


@pytest.mark.parametrize(
    "email", ["css@demo.test", "bdu@demo.test", "admin@demo.test", "peer@demo.test"]
)
def test_only_ccg_users_use_agreement_pages(sign_in, market, email):
    agreement = draft(market)
    client = sign_in(email)
    for path in ("/agreements", "/agreements/new", f"/agreements/{agreement.id}/edit",
                 f"/agreements/{agreement.id}/sign"):
        assert client.get(path).status_code == 403
    # The BDU reads any agreement (what CSSs are contracted for), and changes nothing.
    assert client.get(f"/agreements/{agreement.id}").status_code == (
        200 if email == "bdu@demo.test" else 403)
    assert (
        client.post(
            f"/agreements/{agreement.id}/status", data={"lock_version": 1, "status": "final"}
        ).status_code
        == 403
    )
    assert client.post(f"/agreements/{agreement.id}/sign",
                       data={"lock_version": 1}).status_code == 403


def test_the_bdu_reads_an_agreement_without_actions(sign_in, market):
    agreement = draft(market)
    page = sign_in("bdu@demo.test").get(f"/agreements/{agreement.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert agreement.reference in text and "Arden CSS" in text
    assert "Sign the agreement" not in text and "What you can do" not in text


# What the CSS sees


def test_a_css_leader_sees_customers_income_and_market_share(css_client, market):
    coventry = user("ccg@demo.test").organisation
    warwickshire_north = db.session.scalar(
        select(type(coventry)).where(type(coventry).ods_code == "05H")
    )
    create_agreement(coventry, [market.arden_bi], status="signed")  # £5,575,152.00
    create_agreement(warwickshire_north, [market.arden_contracts], status="final")  # £250,000.00
    create_agreement(warwickshire_north, [market.arden_comms], status="draft")  # not counted
    create_agreement(user("ccg2@demo.test").organisation, [market.arden_comms], status="ended")

    response = css_client.get("/customers")
    assert response.status_code == 200
    page = text_of(response)
    assert "£5,825,152.00" in page  # contracted income: signed + final
    # Midlands and East of England: registered population and CCG count from the 2013 list.
    share = service.customer_summary(market.arden).share
    assert share.ccgs_under_agreement == 2
    assert share.population_under_agreement == 464_596 + 183_852
    assert f"{share.population_percent}%" in page and f"{share.ccg_percent}%" in page
    assert f"2 of {share.region_ccgs} CCGs" in page
    assert "NHS Warwickshire North CCG" in page and "Draft" in page and "Ended" in page


def test_market_share_arithmetic_matches_the_region(app_context, market):
    from marketplace.models import Organisation

    region_ccgs = db.session.scalars(
        select(Organisation).where(
            Organisation.kind == "ccg", Organisation.region_id == market.arden.region_id
        )
    ).all()
    create_agreement(user("ccg@demo.test").organisation, [market.arden_bi])
    share = service.customer_summary(market.arden).share
    assert share.region_ccgs == len(region_ccgs)
    assert share.region_population == sum(c.population for c in region_ccgs)
    assert share.population_share == Decimal(464_596) / Decimal(share.region_population)


def test_a_css_sees_its_own_agreements_only(css_client, sign_in, market):
    arden_deal = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi])
    gem_deal = create_agreement(user("ccg@demo.test").organisation, [market.gem_bi])
    assert css_client.get(f"/customers/agreements/{arden_deal.id}").status_code == 200
    assert css_client.get(f"/customers/agreements/{gem_deal.id}").status_code == 404
    assert gem_deal.reference not in text_of(css_client.get("/customers"))
    page = html(css_client.get(f"/customers/agreements/{arden_deal.id}"))
    assert page.select("button[name=status]") == []  # the CSS reads; the CCG records
    assert sign_in("css2@demo.test").get(f"/customers/agreements/{gem_deal.id}").status_code == 200


@pytest.mark.parametrize("email", ["ccg@demo.test", "bdu@demo.test", "admin@demo.test"])
def test_only_css_leaders_see_customers(sign_in, market, email):
    assert sign_in(email).get("/customers").status_code == 403


def test_a_css_with_no_agreements(css_client):
    page = text_of(css_client.get("/customers"))
    assert "No CCG has recorded an agreement with you yet" in page
    assert "0.0%" in page
    assert "Customers outside the region 0" in page


def test_values_for_the_checkpoints_work(app_context, market):
    coventry = user("ccg@demo.test").organisation
    darlington = user("ccg2@demo.test").organisation
    create_agreement(coventry, [market.arden_bi], status="signed")
    create_agreement(coventry, [market.arden_contracts], status="final")
    create_agreement(coventry, [market.gem_bi], status="draft")
    create_agreement(darlington, [market.gem_contracts], status="signed")
    ealing = user("ccg3@demo.test").organisation
    assert service.agreement_values_by_ccg([coventry.id, darlington.id, ealing.id]) == {
        coventry.id: {market.arden.id: Decimal("5825152.00")},
        darlington.id: {market.gem.id: Decimal("150000.00")},
        ealing.id: {},
    }
    assert service.contracted_income_by_customer(market.arden.id) == {
        coventry.id: Decimal("5825152.00")
    }
    assert service.contracted_income_by_customer(market.meridian.id) == {}


def test_the_model_refuses_to_save_a_signed_agreements_terms(app_context, market):
    agreement = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi])
    agreement.annual_value = Decimal("1.00")
    with pytest.raises(ValueError, match="annual_value cannot change"):
        db.session.commit()
    db.session.rollback()
    agreement.status = "final"  # a status move is still allowed
    db.session.commit()
    assert agreement.status == "final"


def test_two_agreements_of_one_ccg_numbered_at_once_get_different_references(app, market,
                                                                            monkeypatch):
    """Numbering holds the CCG's row until the transaction ends, so a second one waits
    instead of counting the same references (and failing on the unique reference)."""
    import threading

    from marketplace.models import AgreementLine
    from marketplace.services.transaction import transactional

    from ..database import database_kind

    if database_kind() != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    offer = market.arden_bi
    offer_id, spec_id, provider_id = offer.id, offer.specification_id, offer.organisation_id
    db.session.remove()
    numbering = service.new_reference
    both_numbered = threading.Barrier(2)

    def number_then_wait(ccg):
        reference = numbering(ccg)
        try:  # without the lock both threads get here with the same number
            both_numbered.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return reference

    @transactional
    def number_and_save(ccg):
        agreement = Agreement(
            reference=service.new_reference(ccg), ccg=ccg, provider_id=provider_id,
            status="draft", start_date=date(2013, 4, 1), end_date=date(2014, 3, 31),
            computed_annual_value=Decimal(1), annual_value=Decimal(1),
            lines=[AgreementLine(specification_id=spec_id, offer_id=offer_id,
                                 annual_cost=Decimal(1))])
        db.session.add(agreement)
        db.session.flush()
        return agreement.reference

    outcomes = []

    def draft_one():
        with app.app_context():
            try:
                outcomes.append(number_and_save(user("ccg@demo.test").organisation))
            except Exception as error:  # noqa: BLE001  (the test reports whatever it was)
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    monkeypatch.setattr(service, "new_reference", number_then_wait)
    threads = [threading.Thread(target=draft_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["SLA-05A-001", "SLA-05A-002"], outcomes


def test_an_agreement_page_runs_as_many_queries_for_three_lines_as_for_one(sign_in, market):
    """Each line's specification, offer and service levels come with the lines, for the
    CCG's page and the CSS's: not a query per line."""
    coventry = user("ccg@demo.test").organisation
    one = create_agreement(coventry, [market.arden_bi], kpis=[KPI_DASHBOARD])
    three = create_agreement(coventry, [market.arden_bi, market.arden_contracts,
                                        market.arden_comms], kpis=[KPI_DASHBOARD])
    for client, page in ((sign_in("ccg@demo.test"), "/agreements/{}"),
                         (sign_in("css@demo.test"), "/customers/agreements/{}")):
        counts = [statements_for(client, page.format(agreement.id)) for agreement in (one, three)]
        assert counts[0] == counts[1], page


def test_the_agreement_lists_run_as_many_queries_for_three_agreements_as_for_one(sign_in,
                                                                                 market):
    """The CCG's list and the CSS's customers page read every agreement's other party and
    its end (by notice, else as varied) with the list: not queries per agreement."""
    coventry = user("ccg@demo.test").organisation
    ccg, css = sign_in("ccg@demo.test"), sign_in("css@demo.test")

    create_agreement(coventry, [market.arden_bi], kpis=[KPI_DASHBOARD])
    with_one = [statements_for(ccg, "/agreements"), statements_for(css, "/customers")]
    for offer in (market.arden_contracts, market.arden_comms):
        create_agreement(coventry, [offer], kpis=[KPI_DASHBOARD])
    with_three = [statements_for(ccg, "/agreements"), statements_for(css, "/customers")]
    # Before, each running agreement cost four queries or more (its ending, its variations,
    # its lines, each line's KPIs, its CCG): 85 statements for nine agreements at scale 100.
    assert with_three == with_one, (with_one, with_three)
