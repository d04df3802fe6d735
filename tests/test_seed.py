from datetime import date

from sqlalchemy import func, select, text

from marketplace.demo import seed_demo
from marketplace.extensions import db
from marketplace.models import AuditEvent, Organisation, Region, User


def counts():
    return {
        kind: n
        for kind, n in db.session.execute(
            select(Organisation.kind, func.count()).group_by(Organisation.kind)
        )
    }


def test_seed_loads_the_real_ccgs_regions_and_csss(app_context):
    assert counts()["ccg"] == 211
    assert counts()["css"] == 26
    assert counts()["sha_cluster"] == 4
    assert db.session.scalar(select(func.count()).select_from(Region)) == 4
    corby = db.session.scalar(select(Organisation).where(Organisation.ods_code == "03V"))
    assert (corby.name, corby.population, corby.region.name) == (
        "NHS Corby CCG",
        69801,
        "Midlands and East of England",
    )
    total = db.session.scalar(select(func.sum(Organisation.population)))
    assert total == 55_712_256


def test_seeding_twice_changes_nothing(app, app_context):
    seed_demo()
    before = (counts(), db.session.scalar(select(func.count()).select_from(User)))
    seed_demo()
    after = (counts(), db.session.scalar(select(func.count()).select_from(User)))
    assert before == after


def test_seed_demo_refuses_production(app, monkeypatch):
    original = app.config["ENV_NAME"]
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app.config["ENV_NAME"] = original
    assert result.exit_code != 0
    assert "refuses to run against a production configuration" in result.output


def test_demo_logins_cover_every_role(app_context):
    roles = {u.role for u in db.session.scalars(select(User).where(User.email.like("%@demo.test")))}
    assert roles == {"ccg_user", "css_leader", "bdu_reviewer", "peer_reviewer", "admin"}


def test_every_demo_provider_publishes_a_prospectus(app, app_context):
    from marketplace.models import Offer, OrganisationKind, ProspectusVersion, VersionStatus

    seed_demo()
    providers = db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.kind.in_([OrganisationKind.CSS, OrganisationKind.INDEPENDENT_PROVIDER])))
    statuses = dict(db.session.execute(
        select(ProspectusVersion.status, func.count()).group_by(ProspectusVersion.status)).all())
    assert statuses[VersionStatus.PUBLISHED] == providers == 28
    assert statuses[VersionStatus.SUPERSEDED] >= 5  # some v1s superseded by v2
    prices = db.session.execute(select(Offer.pricing_model, func.min(Offer.price),
                                       func.max(Offer.price)).group_by(Offer.pricing_model))
    ranges = {model: (low, high) for model, low, high in prices}
    assert set(ranges) == {"per_head", "fixed_annual", "day_rate", "per_case"}
    assert ranges["per_head"][0] >= 0.5 and ranges["per_head"][1] <= 12
    # The planner has statistics for what search reads, on either engine: without them
    # SQLite ran a keyword search's full-text match once per version (seconds at scale 100).
    if db.engine.dialect.name == "sqlite":
        analysed = set(db.session.scalars(text("SELECT tbl FROM sqlite_stat1")))
    else:
        analysed = set(db.session.scalars(text("SELECT DISTINCT tablename FROM pg_stats")))
    assert {"organisation", "prospectus", "prospectus_version", "offer"} <= analysed


def test_seed_scale_adds_independent_providers_idempotently(app, app_context):
    from marketplace.models import Offer

    seed_demo(1)
    offers_at_one = db.session.scalar(select(func.count(Offer.id)))
    seed_demo(2)
    after = (counts(), db.session.scalar(select(func.count(Offer.id))))
    assert after[0]["independent_provider"] == 2 + 28
    assert after[1] > offers_at_one * 1.5
    seed_demo(2)
    assert (counts(), db.session.scalar(select(func.count(Offer.id)))) == after
    assert db.session.scalar(select(Organisation).where(
        Organisation.name == "Independent provider 17 Ltd")) is not None


def test_demo_ccgs_buy_mostly_from_home_and_spend_as_in_2013(app, app_context):
    """domain.md: CSS prices of £8-£12 a head, the average CCG just over £9 to its CSU;
    each CCG buys mostly from its home CSS, some lines from neighbours, the national
    service and independent providers; headroom in the 2013/14 plans small."""
    from collections import defaultdict
    from decimal import Decimal

    from marketplace.demo.business_plans import _home_codes
    from marketplace.demo.market import successor_of
    from marketplace.demo.supply import NATIONAL_SERVICE
    from marketplace.models import Agreement, Scenario
    from marketplace.services import scenarios

    seed_demo()
    home_of = {code: name for name, codes in _home_codes().items() for code in codes}
    spend = defaultdict(lambda: defaultdict(Decimal))
    elsewhere = set()
    for agreement in db.session.scalars(select(Agreement).where(
            Agreement.start_date == date(2013, 4, 1),
            Agreement.status.in_(["signed", "final"]))):
        ccg, provider = agreement.ccg, agreement.provider
        spend[ccg][provider] += agreement.annual_value
        home = successor_of(db.session.scalar(
            select(Organisation).where(Organisation.name == home_of[ccg.ods_code])))
        if provider == home:
            continue
        if agreement.novated_from and agreement.novated_from.name == NATIONAL_SERVICE:
            elsewhere.add("national")
        elif provider.kind == "independent_provider":
            elsewhere.add("independent")
        elif provider.region == ccg.region:
            elsewhere.add("neighbour")
    assert len(spend) > 150  # of 211 CCGs
    per_head = {ccg.ods_code: sum(by.values()) / ccg.population for ccg, by in spend.items()}
    # Before: £0.36 to £23.99 a head (mean £7.80); now £8.00 to £11.88, mean £9.28.
    assert Decimal("8.00") <= min(per_head.values()) and max(per_head.values()) <= Decimal("12")
    assert Decimal("9") < sum(per_head.values()) / len(per_head) < Decimal("10")
    assert max(per_head.values()) - min(per_head.values()) > 3
    for ccg, by in spend.items():
        home = successor_of(db.session.scalar(
            select(Organisation).where(Organisation.name == home_of[ccg.ods_code])))
        assert max(by, key=by.get) == home, ccg.ods_code
        assert by[home] > sum(by.values()) * Decimal("0.6"), ccg.ods_code
    assert elsewhere == {"national", "independent", "neighbour"}
    assert sum(1 for by in spend.values() if len(by) > 1) > 30  # 51 of 207

    # The 2013/14 plans at £25 a head: Coventry and Rugby pays Arden £10.91 a head, Ealing
    # pays North West London £8.00; £13.24 and £13.51 left for commissioning support; 44p
    # and 67p of it unspent (before: Coventry £3.29 bought, £20.82 left, £16.08 unspent).
    plans = db.session.scalars(select(Scenario).where(
        Scenario.allowance_per_head_override.is_(None))).all()
    assert {plan.organisation.ods_code for plan in plans} == {"05A", "07W"}
    bought = []
    for plan in plans:
        year = scenarios.outcome(plan).headline
        population = Decimal(plan.population)
        assert (year.financial_year, year.reckoner.allowance_per_head) == ("2013/14", 25)
        assert year.reckoner.warnings == ()
        bought.append(year.sourcing.buy_total / population)
        assert Decimal("8") <= bought[-1] <= Decimal("12")
        assert Decimal("0.3") <= year.sourcing.balance / population <= Decimal("0.7")
        assert Decimal("12") <= year.reckoner.commissioning_support_per_head <= Decimal("14")
        # What the plan buys is what its agreement from April 2013 costs it a head.
        ccg = plan.organisation
        assert abs(bought[-1] - per_head[ccg.ods_code]) < Decimal("0.05")
    assert max(bought) - min(bought) > 2


# Moments that lie ahead when they are set (a competition's question cut-off and closing
# time); every other stamp records when something was done. Days of events kept as dates.
AHEAD = {("procurement", "clarifications_close_at"), ("procurement", "closes_at")}
EVENT_DAYS = {("service_review", "held_on"), ("service_review_action", "done_on"),
              ("agreement_ending", "given_on"), ("board_hosting_decision", "decided_on"),
              ("licence", "granted_on"), ("css_merger", "effective_on"),
              ("organisation", "merged_on")}


def test_nothing_seeded_is_dated_after_the_demo_now(app, app_context):
    # make run pins "now" to DEMO_NOW (Monday 19 November 2012): what the demo seeds is its
    # history, so no audit entry, signature, submission, score, answer or record is dated
    # after it; only what lies ahead (closing times, standstill ends, starts, due days) is.
    from marketplace.demo import DEMO_NOW
    from marketplace.models.base import UTCDateTime

    tables = [table for table in db.metadata.sorted_tables if "id" in table.c]
    before = {table.name: db.session.scalar(select(func.max(table.c.id))) or 0
              for table in tables}  # the organisations and users every test starts with
    seed_demo()
    later = {}
    for table in tables:
        for column in table.c:
            key = (table.name, column.name)
            if isinstance(column.type, UTCDateTime) and key not in AHEAD:
                cut = DEMO_NOW
            elif key in EVENT_DAYS:
                cut = DEMO_NOW.date()
            else:
                continue
            found = db.session.scalar(select(func.max(column)).where(
                table.c.id > before[table.name], column > cut))
            if found is not None:
                later[f"{table.name}.{column.name}"] = found
    assert later == {}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.occurred_at <= DEMO_NOW)) > 500
