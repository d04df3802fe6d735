"""A CCG issues its authorisation evidence pack from its own records: a PDF issued once and
never changed, versioned, audited, downloaded only by the CCG's own users.

Coventry and Rugby (464,596 people) with the worked example's fixed costs of £1,611,000 has
headroom of £11,614,900.00 − £1,611,000 = £10,003,900.00 in 2013/14 (£25 a head),
£9,878,459.08 in 2014/15 (£24.73) and £8,642,633.72 in 2015/16 (£22.07).
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Agreement, AuditEvent, AuthorisationPack, FrozenRecordError
from marketplace.services import ending, scenarios, variations

from ..conftest import html, text_of, user
from ..factories import (
    CP2_GOOD,
    KPI_DASHBOARD,
    create_agreement,
    drafted_review,
    make_scenario,
    mixed_lines,
    signed_off_without_document,
)
from ..queries import counting_statements
from ..reports.documents import text as pdf_text

ISSUED = datetime(2013, 2, 4, 10, 30, tzinfo=UTC)


@pytest.fixture
def records(market, clock):
    clock.set(ISSUED)
    coventry = user("ccg@demo.test").organisation
    competed = create_agreement(
        coventry,
        [market.arden_bi],
        status="draft",
        reference="SLA-05A-301",
        start_date=date(2013, 10, 1),
        end_date=date(2015, 3, 31),
        annual_value=Decimal("120000.00"),
    )
    direct = create_agreement(
        coventry,
        [market.gem_contracts],
        status="draft",
        reference="SLA-05A-302",
        start_date=date(2013, 4, 1),
        end_date=date(2014, 3, 31),
        annual_value=Decimal("50000.00"),
    )
    table = Agreement.__table__
    for made, route, status in (
        (competed, "further_competition", "signed"),
        (direct, "direct_award", "final"),
    ):
        db.session.execute(
            table.update().where(table.c.id == made.id).values(route=route, status=status)
        )
    db.session.commit()
    db.session.expire_all()
    create_agreement(coventry, [market.gem_bi], status="draft", reference="SLA-05A-303")
    signed_off_without_document(drafted_review(2, CP2_GOOD))  # Arden: Scenario A
    return coventry


def _rows(page, table_caption):
    for table in html(page).select("main table"):
        caption = table.select_one("caption")
        if caption and table_caption in caption.get_text():
            return [
                [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
                for row in table.select("tbody tr")
            ]
    raise AssertionError(f"no table {table_caption!r}")


def test_the_page_previews_the_pack_with_its_worked_numbers(records, ccg_client):
    scenario = make_scenario(name="Final plan", lines=mixed_lines())
    scenarios.finalise_scenario(user("ccg@demo.test"), scenario)
    make_scenario(name="A later draft")  # the final one is the plan, not the latest draft
    page = ccg_client.get("/authorisation-evidence")
    assert page.status_code == 200
    words = text_of(page)
    assert "Scenario “Final plan” (final)" in words
    assert "No pack has been issued yet." in words
    choices = _rows(page, "From the scenario")
    assert [row[:2] for row in choices][:2] == [
        ["Contract management", "Do in-house"],
        ["Business intelligence", "Buy"],
    ]
    agreements = _rows(page, "Agreements the CCG has signed")
    assert [(row[0], row[2], row[5]) for row in agreements] == [
        ("SLA-05A-302 (final)", "Direct award", "Not yet assessed"),
        ("SLA-05A-301 (signed)", "Further competition", "Checkpoint 2: Scenario A: Proceed"),
    ]
    years = _rows(page, "Headroom against agreement costs")
    assert years == [
        # £50,000 for the whole year and £120,000 × 182/365 = £59,835.62.
        [
            "2013/14",
            "£11,614,900.00",
            "£10,003,900.00",
            "£109,835.62",
            "Fits: £9,894,064.38 of the headroom is left after the agreements",
        ],
        [
            "2014/15",
            "£11,489,459.08",
            "£9,878,459.08",
            "£120,000.00",
            "Fits: £9,758,459.08 of the headroom is left after the agreements",
        ],
        [
            "2015/16",
            "£10,253,633.72",
            "£8,642,633.72",
            "£0.00",
            "Fits: £8,642,633.72 of the headroom is left after the agreements",
        ],
    ]
    assert "viability warning" not in words.lower()
    assert "SLA-05A-303" not in words  # a draft is not an arrangement yet


def test_issuing_stores_an_immutable_pdf_version_with_its_audit_event(records, ccg_client, clock):
    response = ccg_client.post("/authorisation-evidence/issue")
    assert response.status_code == 303
    [pack] = db.session.scalars(select(AuthorisationPack)).all()
    assert (pack.version, pack.filename) == (
        1,
        "authorisation-evidence-nhs-coventry-and-rugby-ccg-v1.pdf",
    )
    assert pack.issued_at == ISSUED
    download = ccg_client.get(f"/authorisation-evidence/{pack.id}/pack.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["X-Content-SHA256"] == pack.sha256
    assert download.headers["Cache-Control"] == "private, no-store"
    content = download.get_data()
    assert content.startswith(b"%PDF")
    words = pdf_text(content)
    assert "NHS Coventry and Rugby CCG" in words
    assert "Further competition" in words and "Direct award" in words
    assert "£10,003,900.00" in words and "£109,835.62" in words
    assert "Version 1, issued 4 February 2013" in words
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "authorisation_pack.issued")
    ).all()
    assert event.summary.endswith(
        " issued version 1 of NHS Coventry and Rugby CCG's "
        "authorisation evidence pack (2 agreements)"
    )
    assert event.actor_id == user("ccg@demo.test").id
    assert event.changes["sha256"] == pack.sha256

    clock.set(datetime(2013, 3, 4, 9, 0, tzinfo=UTC))
    assert ccg_client.post("/authorisation-evidence/issue").status_code == 303
    versions = db.session.scalars(
        select(AuthorisationPack).order_by(AuthorisationPack.version)
    ).all()
    assert [v.version for v in versions] == [1, 2]
    assert ccg_client.get(f"/authorisation-evidence/{pack.id}/pack.pdf").get_data() == content
    listing = text_of(ccg_client.get("/authorisation-evidence"))
    assert "Version 2" in listing and "Version 1" in listing
    versions[0].filename = "changed.pdf"
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuthorisationPack, pack.id))
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()


def test_a_small_ccg_sees_the_viability_warning(market, clock, sign_in):
    clock.set(ISSUED)
    page = sign_in("ccg2@demo.test").get("/authorisation-evidence")  # Darlington, 106,079
    assert page.status_code == 200
    words = text_of(page)
    assert "Small-CCG viability warning" in words
    assert "with 106,079 people, fixed and in-house costs of £1,611,000.00 take 61%" in words
    assert "No scenario yet" in words
    assert "has signed no agreement" in words


def test_only_the_ccgs_own_users_issue_and_read_its_packs(records, ccg_client, sign_in, client):
    assert ccg_client.post("/authorisation-evidence/issue").status_code == 303
    pack = db.session.scalar(select(AuthorisationPack))
    url = f"/authorisation-evidence/{pack.id}/pack.pdf"
    # Another CCG's user: not even told it exists; its own page lists only its own.
    darlington = sign_in("ccg2@demo.test")
    assert darlington.get(url).status_code == 404
    assert pack.filename not in text_of(darlington.get("/authorisation-evidence"))
    for email in ("css@demo.test", "bdu@demo.test", "admin@demo.test", "peer@demo.test"):
        other = sign_in(email)
        assert other.get("/authorisation-evidence").status_code == 403, email
        assert other.get(url).status_code == 403, email
        assert other.post("/authorisation-evidence/issue").status_code == 403, email
    anonymous = client.get("/authorisation-evidence")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    assert client.post("/authorisation-evidence/issue").status_code in (302, 400, 403)
    assert (
        db.session.scalar(
            select(AuthorisationPack.version).order_by(AuthorisationPack.version.desc())
        )
        == 1
    )


def test_unknown_pack_is_not_found(ccg_client, app_context):
    assert ccg_client.get("/authorisation-evidence/999/pack.pdf").status_code == 404


def test_the_pack_shows_agreements_on_their_varied_terms_and_notice(records, ccg_client,
                                                                    clock):
    competed = db.session.scalar(select(Agreement).where(Agreement.reference == "SLA-05A-301"))
    clock.set(datetime(2013, 11, 4, 10, 30, tzinfo=UTC))
    variation = variations.propose(user("ccg@demo.test"), competed, Decimal("240000.00"),
                                   date(2015, 1, 31), "More analysts")
    variations.answer(user("css@demo.test"), variation, None, True)
    page = ccg_client.get("/authorisation-evidence")
    [row] = [row for row in _rows(page, "Agreements the CCG has signed")
             if row[0].startswith("SLA-05A-301")]
    assert row[3:5] == ["1 October 2013 to 31 January 2015", "£240,000.00"]
    db.session.refresh(competed)
    ending.end(user("ccg@demo.test"), competed, competed.lock_version, "notice", "")
    page = ccg_client.get("/authorisation-evidence")
    [row] = [row for row in _rows(page, "Agreements the CCG has signed")
             if row[0].startswith("SLA-05A-301")]
    assert row[3] == "1 October 2013 to 3 February 2014"  # notice given 4 November 2013


def test_the_page_runs_as_many_queries_for_three_agreements_as_for_one(records, ccg_client,
                                                                       market):
    """The agreements come as plain rows on their terms as varied, in one query: not their
    lines, KPIs, variations and ending for each."""
    def statements() -> int:
        db.session.expire_all()  # as in a new request: nothing loaded already
        with counting_statements() as count:
            assert ccg_client.get("/authorisation-evidence").status_code == 200
        return len(count)

    before = statements()
    coventry = user("ccg@demo.test").organisation
    for offer in (market.arden_contracts, market.arden_comms):
        create_agreement(coventry, [offer], kpis=[KPI_DASHBOARD])
    assert statements() == before
