"""Notice running out: the agreement ends the day after the notice's last day, by the one
clock, when a page reads it or from `flask agreements end-due`, with a system audit event; and
at most one open variation proposal per agreement, held by a partial unique index.

The agreement runs 1 April 2013 to 31 March 2014; notice given on 15 May 2013 ends it on
14 August 2013.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import AgreementVariation, AuditEvent, Role
from marketplace.services import ending as service
from marketplace.services import variations

from ..conftest import text_of, user
from ..factories import create_agreement, make_user
from ..races import meanwhile

MAY = datetime(2013, 5, 15, 9, 0, tzinfo=UTC)
LAST_DAY = datetime(2013, 8, 14, 20, 0, tzinfo=UTC)  # 9pm in UK summer time: still the 14th
DAY_AFTER = datetime(2013, 8, 14, 23, 30, tzinfo=UTC)  # 12:30am on 15 August in the UK


@pytest.fixture
def agreement(market, clock):
    clock.set(MAY)
    made = create_agreement(
        user("ccg@demo.test").organisation,
        [market.arden_bi],
        end_date=date(2014, 3, 31),
        annual_value=Decimal("120000.00"),
    )
    service.end(user("css@demo.test"), made, made.lock_version, "notice", "")
    return made


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_it_runs_on_its_last_day_and_ends_on_the_next_when_a_page_reads_it(
    agreement, clock, ccg_client, css_client
):
    clock.set(LAST_DAY)
    css_client.get(f"/customers/agreements/{agreement.id}")
    db.session.refresh(agreement)
    assert agreement.status == "signed"
    assert events("agreement.ended_by_notice") == []

    clock.set(DAY_AFTER)
    page = text_of(ccg_client.get(f"/agreements/{agreement.id}"))
    db.session.refresh(agreement)
    assert agreement.status == "ended"
    assert "Ended" in page
    [event] = events("agreement.ended_by_notice")
    assert event.actor_id is None  # the clock's doing, not the reader's
    assert event.summary == (
        f"Agreement {agreement.reference} between NHS Coventry and Rugby "
        "CCG and Arden CSS ended: the notice given by Arden CSS ran out "
        "on 14 August 2013"
    )
    ccg_client.get(f"/agreements/{agreement.id}")  # read again: nothing more happens
    assert len(events("agreement.ended_by_notice")) == 1


def test_the_command_ends_every_agreement_whose_notice_ran_out(app, agreement, market, clock):
    clock.set(MAY)
    running = create_agreement(
        user("ccg@demo.test").organisation, [market.arden_contracts], end_date=date(2014, 3, 31)
    )
    runner = app.test_cli_runner()
    clock.set(LAST_DAY)
    assert "0 agreements ended." in runner.invoke(args=["agreements", "end-due"]).output
    clock.set(DAY_AFTER)
    result = runner.invoke(args=["agreements", "end-due"])
    assert result.exit_code == 0, result.output
    assert f"Ended {agreement.reference}: its notice ran out" in result.output
    assert "1 agreement ended." in result.output
    db.session.expire_all()
    assert agreement.status == "ended" and running.status == "signed"
    assert len(events("agreement.ended_by_notice")) == 1
    assert "0 agreements ended." in runner.invoke(args=["agreements", "end-due"]).output


def test_a_termination_is_not_ended_again(agreement, clock):
    service.end(
        user("ccg@demo.test"), agreement, agreement.lock_version, "termination", "Service failures"
    )
    clock.set(DAY_AFTER)
    assert service.end_due() == []
    assert events("agreement.ended_by_notice") == []


# --- one open variation proposal -----------------------------------------------------------


def test_the_database_holds_one_open_proposal_per_agreement(agreement):
    variations.propose(user("ccg@demo.test"), agreement, Decimal("130000"), None, "More")
    db.session.add(
        AgreementVariation(
            agreement=agreement,
            new_annual_value=Decimal("140000"),
            reason="Even more",
            proposed_at=MAY,
            proposed_by_id=user("css@demo.test").id,
            proposed_for_id=agreement.provider_id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_declined_and_agreed_variations_do_not_count_as_open(agreement):
    first = variations.propose(user("ccg@demo.test"), agreement, Decimal("130000"), None, "A")
    variations.answer(user("css@demo.test"), first, first.lock_version, False, "No")
    second = variations.propose(user("ccg@demo.test"), agreement, Decimal("125000"), None, "B")
    variations.answer(user("css@demo.test"), second, second.lock_version, True)
    variations.propose(user("css@demo.test"), agreement, Decimal("126000"), None, "C")
    assert [v.status for v in variations.variations_of(agreement)] == [
        "declined",
        "agreed",
        "proposed",
    ]


def test_two_proposals_at_once_keep_one(app, sign_in, agreement):
    make_user("pat.colleague@example.nhs.uk", "Pat Colleague", agreement.ccg, Role.CCG_USER)
    colleague, me = sign_in("pat.colleague@example.nhs.uk"), sign_in("ccg@demo.test")
    url = f"/agreements/{agreement.id}/variations/new"
    with meanwhile(
        app, lambda: colleague.post(url, data={"annual_value": "130000", "reason": "First"})
    ) as other:
        response = me.post(url, data={"annual_value": "140000", "reason": "Second"})
    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "already waiting for an answer" in text_of(response)
    db.session.expire_all()
    assert [v.reason for v in variations.variations_of(agreement)] == ["First"]
