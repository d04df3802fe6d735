"""A signed agreement's KPIs, accepted results and variations as OCDS contract data: core
implementation milestones and amendments, with the figures in the Metrics extension; every
release valid against the official schema, commentary never published.

The agreement runs 1 April 2013 to 31 March 2014 at £120,000 a year with two monthly KPIs:
the dashboard by working day 10 (lower is better, tolerance 2) and queries answered in 2
days, 95% (higher is better, tolerance 2).
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.services import performance_returns as returns
from marketplace.services import variations
from marketplace.services.ocds_implementation import METRICS_EXTENSION
from marketplace.services.performance_returns import FigureInput

from ..conftest import user
from ..factories import KPI_DASHBOARD, KPI_QUERIES, create_agreement
from ..ocds_schema import release_errors

OCID = "ocds-cssmkt-SLA-05A-101"


@pytest.fixture
def agreement(market, clock):
    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    return create_agreement(
        user("ccg@demo.test").organisation,
        [market.arden_bi],
        reference="SLA-05A-101",
        end_date=date(2014, 3, 31),
        annual_value=Decimal("120000.00"),
        kpis=[KPI_DASHBOARD, KPI_QUERIES],
    )


def _submit(agreement, period, dashboard, queries):
    dashboard_kpi, queries_kpi = agreement.lines[0].kpis
    return returns.submit_return(
        user("css@demo.test"),
        agreement,
        period,
        {
            dashboard_kpi.id: FigureInput(dashboard, "Secret commentary about the dashboard"),
            queries_kpi.id: FigureInput(queries, "Secret commentary about queries"),
        },
    )


def _review(performance_return, *decisions):
    for figure, decision in zip(performance_return.figures, decisions, strict=True):
        returns.review_figure(
            user("ccg@demo.test"),
            figure,
            figure.lock_version,
            decision,
            "The log shows otherwise" if decision == "disputed" else "",
        )


def _release(client, ocid=OCID):
    response = client.get(f"/api/v1/ocds/releases/{ocid}")
    assert response.status_code == 200
    package = json.loads(response.get_data(as_text=True), parse_float=Decimal)
    assert package["extensions"] == [METRICS_EXTENSION]
    return package["releases"]


def _valid(release):
    assert release_errors(json.loads(json.dumps(release, default=float))) == []


def test_kpis_and_accepted_results_are_milestones_and_metrics(client, agreement, clock):
    april = _submit(agreement, 1, "9", "93.5")
    _review(april, "accepted", "accepted")  # met; within tolerance (93.5 ≥ 95 − 2)
    clock.set(datetime(2013, 6, 20, 9, 0, tzinfo=UTC))
    may = _submit(agreement, 2, "13", "97")
    _review(may, "accepted", "disputed")  # missed (13 > 10 + 2); the dispute is not a result

    [release] = _release(client)
    _valid(release)
    assert release["tag"] == ["contract", "implementation"]
    [contract] = release["contracts"]
    dashboard, queries = agreement.lines[0].kpis
    assert [
        (m["id"], m["title"], m["observations"][0]["measure"]) for m in contract["agreedMetrics"]
    ] == [
        (f"KPI-{dashboard.id}", "Monthly dashboard delivered", 10),
        (f"KPI-{queries.id}", "Queries answered within 2 days", 95),
    ]
    milestones = contract["implementation"]["milestones"]
    assert [(m["title"], m["status"], m["type"], m["dueDate"]) for m in milestones] == [
        ("Monthly dashboard delivered: April 2013", "met", "delivery", "2013-04-30T23:59:59Z"),
        (
            "Queries answered within 2 days: April 2013",
            "partiallyMet",
            "delivery",
            "2013-04-30T23:59:59Z",
        ),
        ("Monthly dashboard delivered: May 2013", "notMet", "delivery", "2013-05-31T23:59:59Z"),
    ]
    assert milestones[2]["description"] == (
        "Monthly dashboard delivered was 13 working days against a target of 10 working days: "
        "missed"
    )
    metrics = {m["title"]: m for m in contract["implementation"]["metrics"]}
    assert [o["measure"] for o in metrics["Monthly dashboard delivered"]["observations"]] == [9, 13]
    [april_queries] = metrics["Queries answered within 2 days"]["observations"]
    assert april_queries["measure"] == Decimal("93.5")
    assert april_queries["period"] == {
        "startDate": "2013-04-01T00:00:00Z",
        "endDate": "2013-04-30T23:59:59Z",
    }
    assert april_queries["relatedImplementationMilestone"]["status"] == "partiallyMet"
    assert "transactions" not in contract["implementation"]  # no payments are recorded
    assert "Secret" not in json.dumps(release, default=str)


def test_an_agreed_variation_is_an_amendment_with_the_varied_term(client, agreement, clock):
    variation = variations.propose(
        user("ccg@demo.test"),
        agreement,
        Decimal("132500.00"),
        date(2014, 9, 30),
        "Add the 2014 audit.",
        {agreement.lines[0].kpis[1].id: Decimal("97")},
    )
    clock.set(datetime(2013, 5, 22, 10, 0, tzinfo=UTC))
    variations.answer(user("css@demo.test"), variation, variation.lock_version, True)

    [release] = _release(client)
    _valid(release)
    assert release["tag"] == ["contract", "implementation", "contractAmendment"]
    [contract] = release["contracts"]
    [amendment] = contract["amendments"]
    assert amendment["id"] == "SLA-05A-101-version-2"
    assert amendment["date"] == "2013-05-22T10:00:00Z"
    assert amendment["rationale"] == "Add the 2014 audit."
    assert "Annual value: £120,000.00 to £132,500.00" in amendment["description"]
    assert "End date: 31 March 2014 to 30 September 2014" in amendment["description"]
    # The current version's period and value over it: £132,500 × 1.5 years.
    assert contract["period"]["endDate"] == "2014-09-30T23:59:59Z"
    assert contract["value"]["amount"] == Decimal("198750.00")
    # The varied KPI target is the one in force.
    assert contract["agreedMetrics"][1]["observations"][0]["measure"] == 97
    assert release["date"] >= amendment["date"]


def test_an_agreement_without_results_or_variations_publishes_only_its_kpis(client, agreement):
    [release] = _release(client)
    _valid(release)
    assert release["tag"] == ["contract"]
    [contract] = release["contracts"]
    assert len(contract["agreedMetrics"]) == 2
    assert "implementation" not in contract and "amendments" not in contract


def test_a_procured_agreement_gets_an_implementation_release(client, buying, clock):
    from marketplace.services.agreements_from_awards import draft_agreements_from_award

    from ..procurements.test_ocds_records import _sign_both, _through_standstill

    b = buying
    procurement = _through_standstill(b)
    drafts = draft_agreements_from_award(procurement)
    for agreement in drafts:
        _sign_both(b, agreement)
    ocid = f"ocds-cssmkt-{procurement.reference}"
    before = _release(client, ocid)
    assert [r["tag"] for r in before] == [["tender"], ["award"], ["contract"], ["contract"]]

    coventry = next(a for a in drafts if a.ccg == b.coventry)
    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    variation = variations.propose(
        b.lead_user, coventry, Decimal("200000.00"), None, "More analysts"
    )
    variations.answer(b.arden_user, variation, variation.lock_version, True)
    db.session.expire_all()

    releases = _release(client, ocid)
    assert [r["tag"] for r in releases][-1] == ["implementation", "contractAmendment"]
    latest = releases[-1]
    _valid(latest)
    assert latest["id"] == f"{procurement.reference}-implementation-{coventry.reference}"
    assert latest["contracts"][0]["awardID"] == f"{procurement.reference}-award"
    record = client.get(f"/api/v1/ocds/records/{ocid}").get_json()["records"][0]
    compiled = record["compiledRelease"]
    contract = next(c for c in compiled["contracts"] if c["id"] == coventry.reference)
    assert contract["amendments"][0]["rationale"] == "More analysts"
    assert contract["dateSigned"]  # from the stored contract release, merged
    _valid(compiled)


def test_the_openapi_document_names_the_extension(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    contract = schemas["OcdsRelease"]["properties"]["contracts"]["items"]["properties"]
    assert "Metrics extension" in contract["agreedMetrics"]["description"]
    assert "milestones" in contract["implementation"]["properties"]
    assert "amendments" in contract
    package = schemas["OcdsReleasePackage"]["properties"]
    assert package["extensions"]["example"] == [METRICS_EXTENSION]
