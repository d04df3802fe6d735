"""The affordability gate on the CCG's signing and variation pages.

NHS Coventry and Rugby CCG (464,596 people, no saved scenario) has the reckoner's default
£1,611,000 of fixed costs, which leaves £10,003,900.00 in 2013/14, £9,878,459.08 in 2014/15
and £8,642,633.72 in 2015/16 for commissioning support.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AgreementVariation, AuditEvent
from marketplace.services import variations
from marketplace.services.scenarios import InHouseInput

from ..conftest import html, text_of, user
from ..factories import create_agreement, make_scenario
from ..queries import counting_statements


def ccg():
    return user("ccg@demo.test").organisation


def test_the_sign_page_shows_every_year_fitting(ccg_client, market):
    agreement = create_agreement(
        ccg(), [market.arden_bi], status="draft", annual_value=Decimal("5000000.00")
    )
    page = html(ccg_client.get(f"/agreements/{agreement.id}/sign"))
    section = page.select_one("#affordability").get_text(" ", strip=True)
    assert "Affordable" in section
    assert "£10,003,900.00" in section and "£8,642,633.72" in section
    # 1 April 2013 to 30 September 2014: £5,000,000 in 2013/14, then 183 of 365 days.
    assert "£2,506,849.32" in section
    assert "default corporate costs" in section
    assert page.select_one("#affordability-warning") is None


def test_a_signed_agreement_counts_and_a_penny_over_warns(ccg_client, market):
    # Already signed: £10,003,899.99 − £5,000,000.00 in 2013/14; the draft brings 2013/14
    # to exactly the headroom plus a penny.
    create_agreement(
        ccg(), [market.arden_bi], annual_value=Decimal("5000000.00"), end_date=date(2014, 3, 31)
    )
    draft = create_agreement(
        ccg(),
        [market.arden_bi],
        status="draft",
        annual_value=Decimal("5003900.01"),
        end_date=date(2014, 3, 31),
    )
    page = html(ccg_client.get(f"/agreements/{draft.id}/sign"))
    callout = page.select_one("#affordability-warning").get_text(" ", strip=True)
    assert "Not affordable in every year" in callout
    assert "in 2013/14 by £0.01" in callout
    assert "Does not fit" in page.select_one("#affordability table").get_text(" ", strip=True)

    # Signing goes ahead (the CCG decides) and the audit event keeps the figures it saw.
    response = ccg_client.post(
        f"/agreements/{draft.id}/sign", data={"lock_version": draft.lock_version}
    )
    assert response.status_code == 302
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "agreement.signed_by_ccg")
    )
    assert event.changes["affordability"]["2013/14"] == {
        "headroom": "10003900.00",
        "committed": "10003900.01",
        "left": "-0.01",
    }
    assert "by £0.01" in event.changes["affordability_warning"]


def test_exactly_at_headroom_does_not_warn(ccg_client, market):
    create_agreement(
        ccg(), [market.arden_bi], annual_value=Decimal("5000000.00"), end_date=date(2014, 3, 31)
    )
    draft = create_agreement(
        ccg(),
        [market.arden_bi],
        status="draft",
        annual_value=Decimal("5003900.00"),
        end_date=date(2014, 3, 31),
    )
    section = text_of(ccg_client.get(f"/agreements/{draft.id}/sign"))
    assert "Not affordable" not in section and "Affordable" in section


def test_a_proposed_variation_shows_the_ccg_the_varied_figures_not_the_provider(
    ccg_client, css_client, market, clock
):
    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    agreement = create_agreement(
        ccg(), [market.arden_bi], end_date=date(2014, 3, 31), annual_value=Decimal("9000000.00")
    )
    form = text_of(ccg_client.get(f"/agreements/{agreement.id}/variations/new"))
    assert "As your agreements stand, all your CCG's agreements fit" in form
    variation = variations.propose(
        user("css@demo.test"), agreement, Decimal("10500000.00"), None, "More analysts"
    )
    db.session.commit()
    page = text_of(ccg_client.get(f"/agreements/{agreement.id}/variations/{variation.id}"))
    assert "Not affordable in every year" in page
    assert "in 2013/14 by £496,100.00" in page  # £10,500,000 − £10,003,900
    assert "(this one, as varied)" in page
    provider_page = text_of(
        css_client.get(f"/customers/agreements/{agreement.id}/variations/{variation.id}")
    )
    assert "Can your CCG afford it?" not in provider_page
    assert db.session.get(AgreementVariation, variation.id).status == "proposed"


def test_the_ccgs_own_scenario_sets_the_headroom(ccg_client, market):
    # In-house costs of £500,000 (10 WTE at £50,000) on top of the default fixed costs
    # leave £10,003,900.00 − £500,000.00 = £9,503,900.00 in 2013/14.
    make_scenario(
        name="Plan for April",
        in_house=(InHouseInput("Analysts", Decimal("10"), Decimal("50000")),),
    )
    db.session.commit()
    draft = create_agreement(
        ccg(),
        [market.arden_bi],
        status="draft",
        annual_value=Decimal("9503900.01"),
        end_date=date(2014, 3, 31),
    )
    section = text_of(ccg_client.get(f"/agreements/{draft.id}/sign"))
    assert "your draft scenario “Plan for April”" in section
    assert "£9,503,900.00" in section and "in 2013/14 by £0.01" in section


def test_agreements_count_on_their_varied_terms_and_an_undated_end_not_at_all(
    ccg_client, market, clock
):
    # Signed at £1,000,000 and varied to £2,000,000: with the draft at £8,003,900.01,
    # 2013/14 is a penny over. Ended with no date recorded, the £5,000,000 one costs nothing.
    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    signed = create_agreement(
        ccg(), [market.arden_bi], annual_value=Decimal("1000000.00"), end_date=date(2014, 3, 31)
    )
    variation = variations.propose(
        user("ccg@demo.test"), signed, Decimal("2000000.00"), None, "More analysts"
    )
    variations.answer(user("css@demo.test"), variation, None, True)
    create_agreement(ccg(), [market.arden_bi], status="ended",
                     annual_value=Decimal("5000000.00"), end_date=date(2014, 3, 31))
    draft = create_agreement(
        ccg(), [market.arden_bi], status="draft", annual_value=Decimal("8003900.01"),
        end_date=date(2014, 3, 31),
    )
    section = text_of(ccg_client.get(f"/agreements/{draft.id}/sign"))
    assert "in 2013/14 by £0.01" in section


def test_the_gate_runs_as_many_queries_for_three_agreements_as_for_one(ccg_client, market,
                                                                      clock):
    """The CCG's agreements come as plain rows on their terms as varied, in one query: not
    their lines, KPIs, variations and ending for each."""
    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    draft = create_agreement(ccg(), [market.arden_bi], status="draft")

    def statements() -> int:
        db.session.expire_all()  # as in a new request: nothing loaded already
        with counting_statements() as count:
            assert ccg_client.get(f"/agreements/{draft.id}/sign").status_code == 200
        return len(count)

    with_one = statements()
    for offer in (market.arden_contracts, market.arden_comms):
        create_agreement(ccg(), [offer], end_date=date(2014, 3, 31))
    assert statements() == with_one


def test_the_variation_gate_is_kept_until_the_market_changes(ccg_client, market, clock,
                                                             catalogue_cache_on):
    from marketplace.services.audit import record_event

    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    agreement = create_agreement(
        ccg(), [market.arden_bi], end_date=date(2014, 3, 31), annual_value=Decimal("9000000.00")
    )
    db.session.commit()
    url = f"/agreements/{agreement.id}/variations/new"
    assert "all your CCG's agreements fit" in text_of(ccg_client.get(url))
    # Another agreement written behind the services' back (no audit event): the kept gate
    # stands.
    create_agreement(ccg(), [market.arden_contracts], end_date=date(2014, 3, 31),
                     annual_value=Decimal("1500000.00"))
    db.session.commit()
    assert "all your CCG's agreements fit" in text_of(ccg_client.get(url))
    # Once a change through the services commits, it is worked out afresh.
    record_event("tested", None, "A change", system=True)
    db.session.commit()
    assert "Not affordable in every year" in text_of(ccg_client.get(url))
