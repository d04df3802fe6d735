"""Service levels of an agreement: drafted from the offer, changed by the CCG before it signs,
frozen once signed; every change authorised, audited and refused when based on an old page."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AgreementKpi, AuditEvent, FrozenRecordError
from marketplace.services import agreements as agreement_service
from marketplace.services import service_levels as service
from marketplace.services.agreements_from_awards import draft_agreements_from_award
from marketplace.services.errors import ServiceError

from ..conftest import html, text_of, user
from ..factories import KPI_DASHBOARD, KPI_QUERIES, awarded_competition, create_agreement

GOOD = {"measure": "Queries answered within 2 days", "unit": "percent", "target": "95",
        "direction": "higher", "tolerance": "2", "frequency": "monthly"}


def coventry_draft(market, **kwargs):
    return create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                            status="draft", **kwargs)


def kpis():
    return db.session.scalars(select(AgreementKpi).order_by(AgreementKpi.id)).all()


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def error_at(response, field_id):
    element = html(response).select_one(f"#{field_id}-error")
    return element.get_text(" ", strip=True) if element else None


def add(client, agreement, **fields):
    db.session.refresh(agreement)
    return client.post(f"/agreements/{agreement.id}/kpis/new", data={
        "lock_version": agreement.lock_version, "line_id": agreement.lines[0].id,
        **GOOD, **fields})


def test_an_award_drafts_each_line_s_kpis_from_the_offer_s_service_levels(buying):
    drafts = draft_agreements_from_award(awarded_competition(buying))
    coventry = next(a for a in drafts if a.ccg == buying.coventry)
    bi_line = next(line for line in coventry.lines if line.offer == buying.market.arden_bi)
    # Arden's offer says "Monthly dashboard: By working day 10".
    [kpi] = bi_line.kpis
    assert (kpi.measure, kpi.unit, kpi.target, kpi.direction, kpi.tolerance, kpi.frequency) == (
        "Monthly dashboard", "working_days", Decimal("10.00"), "lower", Decimal("0.00"),
        "monthly")
    assert kpi.offer_wording == "Monthly dashboard: By working day 10"
    # The contract monitoring offer says "Reports on time: 95%".
    contracts_line = next(line for line in coventry.lines if line is not bi_line)
    assert [(k.measure, k.unit, k.target, k.direction) for k in contracts_line.kpis] == [
        ("Reports on time", "percent", Decimal("95.00"), "higher")]
    [event] = events("agreement.drafted_from_award")[:1]
    assert event.changes["kpis"] == 2


def test_the_ccg_adds_a_kpi_in_one_audited_change_that_moves_the_lock_on(ccg_client, market):
    agreement = coventry_draft(market)
    before = agreement.lock_version
    response = add(ccg_client, agreement)
    assert response.status_code == 302
    [kpi] = kpis()
    assert (kpi.measure, kpi.unit, kpi.target, kpi.direction, kpi.tolerance) == (
        GOOD["measure"], "percent", Decimal("95.00"), "higher", Decimal("2.00"))
    db.session.refresh(agreement)
    assert agreement.lock_version == before + 1
    [event] = events("agreement.kpi_added")
    assert event.actor_id == user("ccg@demo.test").id
    assert event.changes["target"] == "95.00"
    page = text_of(ccg_client.get(f"/agreements/{agreement.id}"))
    assert "Queries answered within 2 days 95% Higher is better 2 percentage points Monthly" \
        in page


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"target": "100.5"}, "target", "The target must be between 0 and 100%"),
    ({"target": "10 days"}, "target", "enter the number only"),
    ({"unit": "working_days", "target": "95%"}, "target", "not a percentage"),
    ({"tolerance": "-1"}, "tolerance", "The tolerance must be between 0 and 100%"),
    ({"target": ""}, "target", "Enter the target"),
    ({"measure": ""}, "measure", "Enter what is measured"),
    ({"direction": "sideways"}, "direction", "Choose whether higher or lower is better"),
    ({"frequency": "weekly"}, "frequency", "Choose how often it is reported"),
    ({"unit": "furlongs"}, "unit", "Choose the unit"),
])
def test_bad_kpis_are_refused_at_the_field_and_nothing_is_saved(ccg_client, market, fields,
                                                                 field, message):
    agreement = coventry_draft(market)
    response = add(ccg_client, agreement, **fields)
    assert response.status_code == 400
    assert message in error_at(response, field)
    assert kpis() == [] and events("agreement.kpi_added") == []


def test_every_wrong_field_is_named_at_once(ccg_client, market):
    response = add(ccg_client, coventry_draft(market), measure="", target="200")
    assert error_at(response, "measure") and error_at(response, "target")


def test_a_change_based_on_an_old_page_is_refused_and_not_saved(ccg_client, market):
    agreement = coventry_draft(market, kpis=[KPI_DASHBOARD])
    [kpi] = kpis()
    old = agreement.lock_version
    add(ccg_client, agreement)  # somebody else adds one meanwhile
    response = ccg_client.post(f"/agreements/{agreement.id}/kpis/{kpi.id}/edit", data={
        "lock_version": old, "line_id": kpi.agreement_line_id, **GOOD, "unit": "working_days",
        "target": "8", "direction": "lower"})
    assert response.status_code == 409
    assert "Somebody else changed this agreement" in text_of(response)
    db.session.refresh(kpi)
    assert kpi.target == Decimal("10.00")


def test_the_ccg_changes_and_removes_a_kpi(ccg_client, market):
    agreement = coventry_draft(market, kpis=[KPI_DASHBOARD])
    [kpi] = kpis()
    form = html(ccg_client.get(f"/agreements/{agreement.id}/kpis/{kpi.id}/edit"))
    assert form.select_one("#target")["value"] == "10"
    assert form.select_one("#tolerance")["value"] == "2"
    response = ccg_client.post(f"/agreements/{agreement.id}/kpis/{kpi.id}/edit", data={
        "lock_version": agreement.lock_version, "line_id": kpi.agreement_line_id,
        "measure": kpi.measure, "unit": "working_days", "target": "8", "direction": "lower",
        "tolerance": "1", "frequency": "quarterly"})
    assert response.status_code == 302
    db.session.refresh(kpi)
    assert (kpi.target, kpi.tolerance, kpi.frequency) == (Decimal("8.00"), Decimal("1.00"),
                                                          "quarterly")
    [changed] = events("agreement.kpi_changed")
    assert changed.changes["target"] == ["10.00", "8.00"]
    db.session.refresh(agreement)
    response = ccg_client.post(f"/agreements/{agreement.id}/kpis/{kpi.id}/remove",
                               data={"lock_version": agreement.lock_version})
    assert response.status_code == 302
    assert kpis() == [] and len(events("agreement.kpi_removed")) == 1


@pytest.mark.parametrize(("email", "status"), [
    ("ccg@demo.test", 200),    # the CCG of the agreement
    ("ccg2@demo.test", 404),   # another CCG: not even confirmed to exist
    ("css@demo.test", 403),    # the provider: reads the agreement, never changes its terms
    ("css2@demo.test", 403),   # a rival CSS
    ("bdu@demo.test", 403),    # the BDU reads, never acts
])
def test_only_the_agreement_s_ccg_may_change_its_kpis(sign_in, market, email, status):
    agreement = coventry_draft(market, kpis=[KPI_DASHBOARD])
    [kpi] = kpis()
    client = sign_in(email)
    assert client.get(f"/agreements/{agreement.id}/kpis/new").status_code == status
    assert client.get(f"/agreements/{agreement.id}/kpis/{kpi.id}/edit").status_code == status
    posted = client.post(f"/agreements/{agreement.id}/kpis/{kpi.id}/edit", data={
        "lock_version": agreement.lock_version, "line_id": kpi.agreement_line_id, **GOOD})
    assert posted.status_code == (302 if status == 200 else status)
    db.session.refresh(agreement)
    removed = client.post(f"/agreements/{agreement.id}/kpis/{kpi.id}/remove",
                          data={"lock_version": agreement.lock_version})
    assert removed.status_code == (302 if status == 200 else status)
    if status != 200:
        db.session.refresh(kpi)
        assert kpi.target == Decimal("10.00")
        assert events("agreement.kpi_changed") == []


def test_the_service_refuses_another_organisation_s_user(market):
    agreement = coventry_draft(market)
    with pytest.raises(ServiceError):
        service.add_kpi(user("ccg2@demo.test"), agreement, None, agreement.lines[0],
                        service.KpiInput(**GOOD))
    assert kpis() == []


def test_a_kpi_of_another_agreement_is_not_found_through_this_one(ccg_client, market):
    mine = coventry_draft(market)
    other = coventry_draft(market, kpis=[KPI_DASHBOARD])
    [kpi] = kpis()
    assert ccg_client.get(f"/agreements/{mine.id}/kpis/{kpi.id}/edit").status_code == 404
    assert other.id != mine.id


def test_signed_agreements_kpis_are_frozen(ccg_client, market):
    agreement = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                                 kpis=[KPI_DASHBOARD])
    [kpi] = kpis()
    response = ccg_client.get(f"/agreements/{agreement.id}/kpis/{kpi.id}/edit")
    assert response.status_code == 302
    assert "its service levels cannot change any more" in text_of(
        ccg_client.get(response.headers["Location"]))
    page = html(ccg_client.get(f"/agreements/{agreement.id}"))
    assert "Monthly dashboard delivered" in page.get_text()
    assert page.find("a", string="Add a service level") is None
    with pytest.raises(ServiceError, match="cannot change any more"):
        service.update_kpi(user("ccg@demo.test"), kpi, None, service.KpiInput(**GOOD))
    # Whatever path forgets to ask, the flush refuses.
    kpi.target = Decimal("1")
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()


def test_the_ccg_cannot_sign_while_a_kpi_has_no_target(market):
    agreement = coventry_draft(market, kpis=[{**KPI_QUERIES, "target": None}])
    with pytest.raises(ServiceError, match="Set a target for service level"):
        agreement_service.sign_for_ccg(user("ccg@demo.test"), agreement, None)
    db.session.refresh(agreement)
    assert agreement.status == "draft"


@pytest.mark.parametrize(("email", "url"), [
    ("css@demo.test", "/customers/agreements/{id}"),
    ("bdu@demo.test", "/agreements/{id}"),
])
def test_the_provider_and_the_bdu_read_the_kpis(sign_in, market, email, url):
    agreement = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                                 kpis=[KPI_DASHBOARD, KPI_QUERIES])
    page = text_of(sign_in(email).get(url.format(id=agreement.id)))
    assert "Monthly dashboard delivered 10 working days Lower is better 2 working days" in page
    assert "Change" not in page.split("Service levels", 1)[1]


def test_the_provider_s_reason_for_declining_shows_as_markup_not_escaped_tags(ccg_client,
                                                                             market):
    from marketplace.models.base import utcnow

    agreement = coventry_draft(market)
    agreement.provider_decline_reason = "We can start in May <not April>."
    agreement.provider_declined_at = utcnow()
    db.session.commit()
    inset = html(ccg_client.get(f"/agreements/{agreement.id}")).select_one(".nhsuk-inset-text")
    assert inset.find("strong").get_text().startswith("Arden CSS declined to countersign on")
    assert inset.find_all("p")[1].get_text() == "We can start in May <not April>."
