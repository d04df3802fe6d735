"""The BDU keeps the plan-check thresholds and the hosting policy; reviews record them."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.domain.plan_checks import DEFAULT_THRESHOLDS, THRESHOLD_SPECS
from marketplace.extensions import db
from marketplace.models import AuditEvent, PlanCheckThreshold
from marketplace.services import plan_checks
from marketplace.services.assurance import analysis_for_review
from marketplace.services.errors import PermissionDenied

from .. import factories as build
from ..conftest import html, text_of

URL = "/assurance/plan-check-thresholds"


def _form(**changes) -> dict:
    return DEFAULT_THRESHOLDS.values() | changes


def test_the_migration_seeds_every_threshold_with_its_default(app_context):
    assert plan_checks.stored_values() == {spec.key: spec.default for spec in THRESHOLD_SPECS}
    assert plan_checks.thresholds_in_force() == DEFAULT_THRESHOLDS


@pytest.mark.parametrize(("email", "status"), [
    ("bdu@demo.test", 200), ("admin@demo.test", 200), ("css@demo.test", 403),
    ("ccg@demo.test", 403), ("peer@demo.test", 403),
])
def test_who_may_open_the_page(sign_in, email, status):
    assert sign_in(email).get(URL).status_code == status


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "sign-in" in response.headers["Location"]


def test_every_field_has_a_label_and_its_value(bdu_client):
    page = html(bdu_client.get(URL))
    for spec in THRESHOLD_SPECS:
        assert page.select_one(f"label[for={spec.key}]").get_text(strip=True) == spec.label
    assert page.select_one("#concentration_percent")["value"] == "40.0"
    assert page.select_one("#host_if_all_at_least option[selected]")["value"] == "amber_green"


def test_the_bdu_changes_a_threshold_and_it_is_audited(bdu_client):
    response = bdu_client.post(URL, data=_form(concentration_percent="35",
                                               do_not_host_if_amber_red_count="3"))
    assert response.status_code == 302
    assert "2 values changed" in text_of(bdu_client.get(URL))
    assert plan_checks.thresholds_in_force().concentration_percent == Decimal("35")
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "plan_check_thresholds.updated")).one()
    assert event.changes == {"concentration_percent": ["40.0", "35"],
                             "do_not_host_if_amber_red_count": ["2", "3"]}
    row = db.session.scalar(select(PlanCheckThreshold).where(
        PlanCheckThreshold.key == "concentration_percent"))
    assert row.updated_by.email == "bdu@demo.test"


def test_saving_the_same_values_changes_nothing(bdu_client):
    assert bdu_client.post(URL, data=_form()).status_code == 302
    # The same value written differently is the same value.
    assert bdu_client.post(URL, data=_form(concentration_percent="40.00",
                                           cost_per_wte_min="25000.0")).status_code == 302
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "plan_check_thresholds.updated")) is None


@pytest.mark.parametrize(("field", "value", "message"), [
    ("concentration_percent", "100.1", "Enter a value from 0 to 100"),
    ("concentration_percent", "", "Enter share of income from one customer"),
    ("agreement_break_months", "0", "Enter a value from 1 to 48"),
    ("agreement_break_months", "1.5", "Not a valid integer value"),
    ("cost_per_wte_max", "20000", "at or above the lowest"),
    ("do_not_host_if_any_at", "amber_green", "worse than the one for hosting"),
    ("host_if_all_at_least", "purple", "Not a valid choice"),
])
def test_values_out_of_range_are_refused_next_to_their_field(bdu_client, field, value, message):
    response = bdu_client.post(URL, data=_form(**{field: value}))
    assert response.status_code == 400
    page = html(response)
    assert message in page.select_one(f"#{field}-error").get_text()
    assert page.select_one(".nhsuk-error-summary")
    assert plan_checks.stored_values()[field] == DEFAULT_THRESHOLDS.values()[field]


def test_only_the_bdu_and_administrators_keep_the_thresholds(app_context):
    with pytest.raises(PermissionDenied):
        plan_checks.update_thresholds(build.person("css@demo.test"), _form())


def test_a_review_records_the_values_in_force_and_keeps_them_once_signed_off(app_context):
    review = build.started_review(3)
    values = {"leadership": "amber", "customer": "amber", "business": "amber",
              "delivery": "amber"}
    build.rate(review, values)
    assert review.thresholds_in_force == DEFAULT_THRESHOLDS.values()
    assert review.computed_outcome_code == "host_with_conditions"
    build.sign_off(review)
    bdu = build.person("bdu@demo.test")
    plan_checks.update_thresholds(bdu, _form(host_if_all_at_least="amber",
                                             concentration_percent="10"))
    db.session.refresh(review)
    assert review.thresholds_in_force["host_if_all_at_least"] == "amber_green"
    analysis = analysis_for_review(review)
    assert analysis.result.thresholds.concentration_percent == Decimal("40.0")
    assert ("Share of income from one customer (%)", "40.0%") in analysis.thresholds


def test_the_hosting_rule_uses_the_bdus_policy(app_context):
    plan_checks.update_thresholds(build.person("bdu@demo.test"),
                                  _form(host_if_all_at_least="amber"))
    review = build.started_review(3)
    build.rate(review, {"leadership": "amber", "customer": "amber", "business": "amber",
                        "delivery": "amber"})
    assert review.computed_outcome_code == "host"  # all Amber now hosts without conditions
    assert review.thresholds_in_force["host_if_all_at_least"] == "amber"


def test_the_review_document_gives_the_flags_in_plain_words(app_context):
    from marketplace.services.review_document_render import review_html

    review = build.started_review(2, build.GEM)
    weak = build.plan(build.GEM, 5, submitted=True, weak=True)
    review.submission.business_plan_id = weak.id
    db.session.commit()
    db.session.refresh(review)
    page = html_of(review_html(review))
    flags = {card["data-flag"]: card.get_text(" ", strip=True)
             for card in page.select(".analysis-flag")}
    assert "income_flat" in flags
    assert not any("_" in text for text in flags.values()), flags
    thresholds = page.select_one(".analysis-thresholds").get_text(" ", strip=True)
    assert "Near-flat income (% change a year) 1.0%" in thresholds


def html_of(markup: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(markup, "html.parser")
