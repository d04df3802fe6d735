"""Ending: notice by either party (3 months by default), termination with a reason, warnings
6 and 3 months before the end on the agreement and the lists, and the ways to renew.

The agreement runs 1 April 2013 to 31 March 2014.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AgreementEnding, AuditEvent
from marketplace.services import ending as service
from marketplace.services import variations
from marketplace.services.errors import ServiceError

from ..conftest import html, text_of, user
from ..factories import create_agreement
from ..races import meanwhile

MAY = datetime(2013, 5, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def agreement(market, clock):
    clock.set(MAY)
    return create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                            end_date=date(2014, 3, 31), annual_value=Decimal("120000.00"))


def endings():
    return db.session.scalars(select(AgreementEnding)).all()


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def end(client, agreement, kind, reason="", side="", lock_version=None):
    db.session.refresh(agreement)
    return client.post(f"{side}/agreements/{agreement.id}/ending", data={
        "lock_version": lock_version or agreement.lock_version, "kind": kind,
        "reason": reason})


def test_the_provider_gives_notice_on_15_may_and_it_ends_on_14_august(css_client, ccg_client,
                                                                      agreement):
    page = text_of(css_client.get(f"/customers/agreements/{agreement.id}/ending"))
    assert "ends it on 14 August 2013" in page
    assert end(css_client, agreement, "notice", side="/customers").status_code == 302
    [ending] = endings()
    assert (ending.kind, ending.ends_on) == ("notice", date(2013, 8, 14))
    db.session.refresh(agreement)
    assert agreement.status == "signed"  # it runs until the notice runs out
    assert len(events("agreement.notice_given")) == 1
    shown = text_of(ccg_client.get(f"/agreements/{agreement.id}"))
    assert f"{agreement.provider.name} gave notice on 15 May 2013: this agreement ends on " \
        "14 August 2013" in shown
    # Notice ends within 3 months: the warning shows on the agreement and the list.
    assert "Ends within 3 months" in shown
    assert "Ends within 3 months" in text_of(ccg_client.get("/agreements"))


def test_termination_needs_a_reason_and_ends_the_agreement_today(ccg_client, agreement):
    refused = end(ccg_client, agreement, "termination")
    assert refused.status_code == 400
    assert "Say why the agreement is terminated" in text_of(refused)
    assert endings() == []
    assert end(ccg_client, agreement, "termination", "Service withdrawn").status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == "ended"
    assert endings()[0].ends_on == date(2013, 5, 15)
    assert "Service withdrawn" in events("agreement.terminated")[0].summary


def test_termination_after_notice_replaces_it_but_notice_twice_is_refused(agreement):
    ccg, css = user("ccg@demo.test"), user("css@demo.test")
    service.end(css, agreement, None, "notice", "")
    with pytest.raises(ServiceError, match="already been given"):
        service.end(ccg, agreement, None, "notice", "")
    service.end(ccg, agreement, None, "termination", "Cannot wait three months")
    [ending] = endings()
    assert ending.kind == "termination"
    with pytest.raises(ServiceError):
        service.end(ccg, agreement, None, "termination", "Again")


def test_notice_follows_a_varied_end_date(agreement):
    ccg, css = user("ccg@demo.test"), user("css@demo.test")
    variation = variations.propose(ccg, agreement, None, date(2013, 6, 30), "Shorter")
    variations.answer(css, variation, None, True)
    assert service.end(css, agreement, None, "notice", "").ends_on == date(2013, 6, 30)


@pytest.mark.parametrize(("today", "expected"), [
    (datetime(2013, 9, 30, 9, tzinfo=UTC), None),   # exactly 6 months before: no warning
    (datetime(2013, 10, 1, 9, tzinfo=UTC), 6),
    (datetime(2013, 12, 31, 9, tzinfo=UTC), 6),     # exactly 3 months before
    (datetime(2014, 1, 1, 9, tzinfo=UTC), 3),
])
def test_expiry_warnings_on_the_agreement_and_both_lists(ccg_client, css_client, agreement,
                                                        clock, today, expected):
    clock.set(today)
    words = f"Ends within {expected} months" if expected else "Ends within"
    for page in (ccg_client.get(f"/agreements/{agreement.id}"), ccg_client.get("/agreements"),
                 css_client.get(f"/customers/agreements/{agreement.id}"),
                 css_client.get("/customers")):
        assert (words in text_of(page)) == bool(expected)


def test_a_varied_end_moves_the_warning(ccg_client, agreement, clock):
    variation = variations.propose(user("ccg@demo.test"), agreement, None, date(2014, 9, 30),
                                   "Extend to 18 months")
    variations.answer(user("css@demo.test"), variation, None, True)
    clock.set(datetime(2014, 4, 1, 9, tzinfo=UTC))  # past the signed end, before the varied
    assert "Ends within 6 months" in text_of(ccg_client.get(f"/agreements/{agreement.id}"))


def test_the_lists_warn_from_the_varied_end_and_then_from_the_notice(ccg_client, css_client,
                                                                   agreement, clock):
    variation = variations.propose(user("ccg@demo.test"), agreement, None, date(2014, 9, 30),
                                   "Extend to 18 months")
    variations.answer(user("css@demo.test"), variation, None, True)
    clock.set(datetime(2014, 1, 15, 9, tzinfo=UTC))  # 2.5 months before the signed end

    def warnings():
        return [("Ends within 3 months" in text_of(page), "Ends within 6 months" in text_of(page))
                for page in (ccg_client.get("/agreements"), css_client.get("/customers"))]

    assert warnings() == [(False, False)] * 2  # the varied end is 8.5 months away
    db.session.refresh(agreement)
    service.end(user("ccg@demo.test"), agreement, agreement.lock_version, "notice", "")
    assert warnings() == [(True, False)] * 2  # the notice ends it on 14 April 2014


def test_the_ccg_sees_how_to_renew(ccg_client, css_client, agreement):
    page = html(ccg_client.get(f"/agreements/{agreement.id}"))
    assert page.find("a", href="/statements/new") is not None
    assert page.find("a", href=f"/agreements/{agreement.id}/variations/new") is not None
    provider = html(css_client.get(f"/customers/agreements/{agreement.id}"))
    assert provider.find("a", href=f"/customers/agreements/{agreement.id}/variations/new")


@pytest.mark.parametrize(("email", "ccg_side", "provider_side"), [
    ("ccg@demo.test", 302, 403),
    ("ccg2@demo.test", 404, 403),
    ("css@demo.test", 403, 302),
    ("css2@demo.test", 403, 404),
    ("bdu@demo.test", 403, 403),
])
def test_who_gives_notice(sign_in, agreement, email, ccg_side, provider_side):
    client = sign_in(email)
    assert end(client, agreement, "notice").status_code == ccg_side
    if ccg_side != 302:
        assert end(client, agreement, "notice", side="/customers").status_code == provider_side
    assert len(endings()) == (1 if 302 in (ccg_side, provider_side) else 0)


def test_two_parties_giving_notice_at_once_cannot_both(app, sign_in, agreement):
    ccg, css = sign_in("ccg@demo.test"), sign_in("css@demo.test")
    lock = agreement.lock_version
    url = f"/agreements/{agreement.id}/ending"
    with meanwhile(app, lambda: css.post(f"/customers{url}", data={
            "lock_version": lock, "kind": "notice", "reason": ""})) as other:
        response = ccg.post(f"/agreements/{agreement.id}/ending",
                            data={"lock_version": lock, "kind": "termination",
                                  "reason": "Withdrawn"})
    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "Somebody else gave notice" in text_of(response)
    db.session.expire_all()
    assert [e.kind for e in endings()] == ["notice"]
    assert events("agreement.terminated") == []
