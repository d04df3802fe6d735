"""Administrators keep the procurement thresholds; every change is audited."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, ProcurementThreshold

from ..conftest import html, text_of


def _seeded() -> ProcurementThreshold:
    return db.session.scalar(select(ProcurementThreshold))


def _form(threshold: ProcurementThreshold, **changes) -> dict:
    data = {"name": threshold.name, "description": threshold.description,
            "amount": f"{threshold.amount}", "required_route": threshold.required_route,
            "standstill_days": str(threshold.standstill_days), "source": threshold.source,
            "applies_from-day": "1", "applies_from-month": "1", "applies_from-year": "2012",
            "applies_until-day": "31", "applies_until-month": "12", "applies_until-year": "2013"}
    data.update(changes)
    return data


def test_the_2012_eu_threshold_is_listed_with_its_source(admin_client):
    page = text_of(admin_client.get("/admin/procurement-thresholds"))
    assert "EU threshold for services (sub-central contracting authorities)" in page
    assert "£173,934.00 over the full term" in page
    assert "Commission Regulation (EU) No 1251/2011" in page
    assert "1 January 2012 to 31 December 2013" in page


@pytest.mark.parametrize("email", ["ccg@demo.test", "css@demo.test", "bdu@demo.test"])
def test_only_administrators(sign_in, email):
    client = sign_in(email)
    assert client.get("/admin/procurement-thresholds").status_code == 403
    assert client.post(f"/admin/procurement-thresholds/{_seeded().id}/edit",
                       data=_form(_seeded(), amount="1")).status_code == 403
    assert _seeded().amount == Decimal("173934.00")


@pytest.mark.parametrize("changes, message", [
    ({"amount": "²"}, "Enter the amount in pounds"),
    ({"amount": "-5"}, "Enter the amount in pounds"),
    ({"amount": "9" * 30}, "Enter the amount in pounds"),
    ({"standstill_days": "61"}, "Enter the standstill as a whole number of days"),
    ({"standstill_days": "１０"}, "Enter the standstill as a whole number of days"),
    ({"applies_until-year": "2011"}, "The last day must be on or after the first"),
    ({"source": ""}, "Say where the figure comes from"),
    ({"required_route": "auction"}, "Not a valid choice"),
])
def test_bad_values_save_nothing(admin_client, changes, message):
    threshold = _seeded()
    response = admin_client.post(f"/admin/procurement-thresholds/{threshold.id}/edit",
                                 data=_form(threshold, **changes))
    assert response.status_code == 400
    errors = [a.get_text(" ", strip=True)
              for a in html(response).select(".nhsuk-error-summary__list a")]
    assert any(message in error for error in errors), errors
    db.session.refresh(threshold)
    assert threshold.amount == Decimal("173934.00") and threshold.standstill_days == 10


def test_a_change_and_a_new_threshold_are_audited(admin_client):
    threshold = _seeded()
    response = admin_client.post(f"/admin/procurement-thresholds/{threshold.id}/edit",
                                 data=_form(threshold, amount="172,514.00"))
    assert response.status_code == 302
    db.session.refresh(threshold)
    assert threshold.amount == Decimal("172514.00")
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "procurement_threshold.changed"))
    assert event.changes == {"amount": ["173934.00", "172514.00"]}
    added = admin_client.post("/admin/procurement-thresholds/new", data=_form(
        threshold, name="EU threshold for services, 2014", amount="172514",
        **{"applies_from-year": "2014", "applies_until-year": "2015"}))
    assert added.status_code == 302
    new = db.session.scalar(select(ProcurementThreshold).where(
        ProcurementThreshold.name == "EU threshold for services, 2014"))
    assert new.applies_from == date(2014, 1, 1) and new.applies_until == date(2015, 12, 31)
