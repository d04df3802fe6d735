"""Each role's dashboard shows the work waiting for it, with counts and links."""

from marketplace.models import AgreementStatus

from . import factories as build
from .conftest import html, text_of
from .procurements.conftest import buying, clock  # noqa: F401  (fixtures)


def tasks(response) -> dict[str, tuple[int, str]]:
    assert response.status_code == 200
    found = {}
    for card in html(response).select(".app-task"):
        link = card.select_one("a")
        label = link.find(string=True, recursive=False).strip()
        found[label] = (int(card.select_one("p").get_text(strip=True)), link["href"])
    return found


def test_a_ccg_and_its_provider_see_the_agreements_and_procurements_waiting_for_them(
    buying, sign_in  # noqa: F811
):
    build.published_competition(buying)
    build.create_agreement(buying.coventry, [buying.market.arden_bi],
                           status=AgreementStatus.DRAFT)
    build.create_agreement(buying.coventry, [buying.market.arden_contracts],
                           status=AgreementStatus.AWAITING_COUNTERSIGNATURE)
    build.create_agreement(buying.darlington, [buying.market.arden_contracts],
                           status=AgreementStatus.DRAFT)  # another CCG's: not counted

    ccg = tasks(sign_in("ccg@demo.test").get("/dashboard"))
    assert ccg["Agreements to sign"] == (1, "/agreements")
    assert ccg["Agreements waiting for the provider to countersign"] == (1, "/agreements")
    assert ccg["Procurements open to bids"] == (1, "/procurements")
    assert ccg["Procurements in evaluation"] == (0, "/procurements")

    css = tasks(sign_in("css@demo.test").get("/dashboard"))
    assert css["Opportunities open to bid"] == (1, "/opportunities")
    assert css["Agreements to countersign"] == (1, "/customers")
    assert css["Conditions to answer"][1] == "/assurance"

    # Another CCG counts its own agreements only.
    darlington = tasks(sign_in("ccg2@demo.test").get("/dashboard"))
    assert darlington["Agreements to sign"][0] == 1
    assert darlington["Agreements waiting for the provider to countersign"][0] == 0


def test_reviewers_see_their_drafts_and_what_waits_for_a_reviewer(app_context, sign_in):
    build.started_review(2)
    build.submission(2, build.GEM)
    bdu = tasks(sign_in("bdu@demo.test").get("/dashboard"))
    assert bdu["Your reviews in draft"] == (1, "/reviews")
    assert bdu["Submissions waiting for a reviewer"] == (1, "/reviews")
    assert bdu["Reviews waiting for your sign-off"] == (0, "/reviews")
    assert bdu["Condition responses waiting for a decision"] == (0, "/reviews")
    peer = tasks(sign_in("peer@demo.test").get("/dashboard"))
    assert "Condition responses waiting for a decision" not in peer
    assert peer["Your reviews in draft"][0] == 0


def test_the_administrator_sees_what_changed_recently(admin_client):
    build.create_spec("PLN-HNA", "Health needs assessment")  # through the audited service
    page = html(admin_client.get("/dashboard"))
    events = page.select("main .nhsuk-list--border li")
    assert any("Health needs assessment" in event.get_text() for event in events)
    assert page.select_one('main a[href="/admin/audit-events"]')
    assert page.select(".app-task") == []


def test_a_ccg_sees_its_headroom_this_year_and_next_from_its_plan(ccg_client):
    assert "new scenario" in text_of(ccg_client.get("/dashboard"))
    scenario = build.make_scenario(name="Baseline 2013/14")
    page = ccg_client.get("/dashboard")
    rows = [[cell.get_text(strip=True) for cell in row.select("td")]
            for row in html(page).select("main table tbody tr")]
    assert [row[0] for row in rows][:1] == [scenario.financial_year]
    assert 1 <= len(rows) <= 2
    assert all(row[1].startswith(("£", "-£", "–£")) for row in rows)
    assert html(page).select_one(f'main a[href="/scenarios/{scenario.id}"]')
