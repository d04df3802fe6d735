"""Demo contract performance: KPIs and monthly returns, made through the services.

The signed agreements of the buying demo start in April 2013, so at the demo's "now" (Monday
19 November 2012) none of their months has ended. Performance is shown on the shadow-year
agreement the demo CCG (ccg@, Coventry and Rugby) has with its home CSS (css@, Arden CSS):
June 2012 to March 2013, signed in May. It is drafted, its lines given KPIs by the CCG,
signed by both sides and reported on, each step the service a click calls, with the clock
pinned to its day:

- June: every figure met, accepted.
- July: one figure within tolerance, the rest met, accepted.
- August: one figure missed (accepted as reported), one disputed by the CCG with its reason
  and resubmitted by the CSS in September, the new figure awaiting the CCG's review.
- September: not submitted, past its due day (19 October), so the agreement shows it late to
  both sides.
- October: ended, not due yet (due 21 November).

Idempotent: an agreement between the two for that start day is left alone, and a month that
already has a return is not reported again.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementLine,
    AgreementStatus,
    FigureReview,
    Offer,
    Organisation,
    OrganisationKind,
    ProspectusVersion,
    VersionStatus,
)
from marketplace.services import agreements, performance_returns, service_levels
from marketplace.services.offers_for_buyers import annual_cost
from marketplace.services.performance_returns import FigureInput
from marketplace.services.service_levels import KpiInput

from .procurements import _DemoUsers

CCG_CODE, CSS_NAME = "05A", "Arden CSS"
SHADOW_START, SHADOW_END = date(2012, 6, 1), date(2013, 3, 31)
LINES = 3


@dataclass(frozen=True)
class DemoKpi:
    measure: str
    unit: str
    target: str
    direction: str
    tolerance: str
    figures: tuple[str, ...]  # June, July, August as first reported


# The KPIs for each line, by position; the figures tell the story in the module docstring.
KPIS: tuple[tuple[DemoKpi, ...], ...] = (
    (DemoKpi("Monthly report to the governing body by the 10th working day", "working_days",
             "10", "lower", "2", ("8", "11", "9")),
     DemoKpi("Data extracts delivered on time", "percent", "95", "higher", "3",
             ("97.5", "98", "88"))),
    (DemoKpi("Queries answered within 5 working days", "percent", "90", "higher", "5",
             ("93", "95", "91")),),
    (DemoKpi("Cases reviewed within 28 days", "percent", "85", "higher", "5",
             ("90", "88", "86")),),
)
# August: the CCG disputes this KPI's figure (line, position) and the CSS resubmits it.
DISPUTED = (2, 0)
DISPUTE_REASON = ("Our own case log shows 31 of the 40 cases reviewed within 28 days (78%), "
                  "not 86%: please check the three reviews closed after the month end.")
RESUBMITTED = "80"
RESUBMITTED_COMMENTARY = ("Corrected: three reviews were closed in September and had been "
                          "counted in August. 32 of 40 cases within 28 days.")


def _at(day: date, hour: int = 10) -> datetime:
    return clock.uk_moment(day, time(hour, 0))


def _set_now(moment: datetime) -> None:
    current_app.config["MARKETPLACE_TODAY"] = moment


def _offers(provider: Organisation) -> list[Offer]:
    offers = db.session.scalars(
        select(Offer)
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .where(Offer.organisation_id == provider.id,
               ProspectusVersion.status == VersionStatus.PUBLISHED)
        .order_by(Offer.id)).all()
    by_specification: dict[int, Offer] = {}
    for offer in offers:
        by_specification.setdefault(offer.specification_id, offer)
    return list(by_specification.values())[:LINES]


def shadow_agreement() -> Agreement | None:
    return db.session.scalar(
        select(Agreement)
        .join(Organisation, Agreement.ccg_id == Organisation.id)
        .where(Organisation.ods_code == CCG_CODE, Agreement.start_date == SHADOW_START))


def _draft(ccg: Organisation, provider: Organisation, start: date = SHADOW_START,
           end: date = SHADOW_END) -> Agreement | None:
    offers = _offers(provider)
    if not offers:
        return None
    lines = [AgreementLine(offer=offer, specification_id=offer.specification_id,
                           annual_cost=annual_cost(offer, ccg.population)) for offer in offers]
    value = sum((line.annual_cost for line in lines), Decimal(0))
    # Recorded as a draft (as the older demo agreements are recorded): from here on every
    # step is a service.
    agreement = Agreement(reference=agreements.new_reference(ccg), ccg=ccg, provider=provider,
                          status=AgreementStatus.DRAFT, start_date=start,
                          end_date=end, computed_annual_value=value, annual_value=value,
                          lines=lines)
    db.session.add(agreement)
    db.session.flush()
    return agreement


def _kpis_and_signatures(agreement: Agreement, ccg_user, css_user) -> None:
    _set_now(_at(date(2012, 5, 21)))
    for line, wanted in zip(agreement.lines, KPIS, strict=False):
        for kpi in list(line.kpis):  # the offer's drafts, replaced by the agreed ones
            service_levels.remove_kpi(ccg_user, kpi, agreement.lock_version)
        for kpi in wanted:
            service_levels.add_kpi(ccg_user, agreement, agreement.lock_version, line, KpiInput(
                kpi.measure, kpi.unit, kpi.target, kpi.direction, kpi.tolerance))
    _set_now(_at(date(2012, 5, 23), 11))
    agreements.sign_for_ccg(ccg_user, agreement, agreement.lock_version)
    _set_now(_at(date(2012, 5, 25), 15))
    agreements.countersign(css_user, agreement, agreement.lock_version)


def _kpi_ids(agreement: Agreement) -> list[list[int]]:
    return [[kpi.id for kpi in line.kpis] for line in agreement.lines]


def _returns(agreement: Agreement, ccg_user, css_user) -> None:
    ids = _kpi_ids(agreement)
    submitted = {row.period.number for row in performance_returns.schedule(agreement)
                 if row.versions}
    # Months 1-3 (June to August), each submitted a few working days after its end (within
    # its due day) and reviewed by the CCG the week after.
    for number, (sent, reviewed) in enumerate(((date(2012, 7, 9), date(2012, 7, 16)),
                                               (date(2012, 8, 7), date(2012, 8, 14)),
                                               (date(2012, 9, 6), date(2012, 9, 13))),
                                              start=1):
        if number in submitted:
            continue
        _set_now(_at(sent))
        figures = {ids[i][j]: FigureInput(kpi.figures[number - 1])
                   for i, line_kpis in enumerate(KPIS) if i < len(ids)
                   for j, kpi in enumerate(line_kpis)}
        made = performance_returns.submit_return(css_user, agreement, number, figures)
        _set_now(_at(reviewed, 14))
        disputed = ids[DISPUTED[0]][DISPUTED[1]] if number == 3 else None
        for figure in made.figures:
            if figure.kpi_id == disputed:
                performance_returns.review_figure(ccg_user, figure, figure.lock_version,
                                                  FigureReview.DISPUTED.value, DISPUTE_REASON)
            else:
                performance_returns.review_figure(ccg_user, figure, figure.lock_version,
                                                  FigureReview.ACCEPTED.value)
        if disputed is not None:
            _set_now(_at(date(2012, 9, 18), 16))
            performance_returns.resubmit(css_user, made, {
                disputed: FigureInput(RESUBMITTED, RESUBMITTED_COMMENTARY)})
    # September's return is not submitted: past its due day at the demo's "now", it is late.


def seed_performance(scale: int = 1) -> None:
    ccg = db.session.scalar(select(Organisation).where(
        Organisation.ods_code == CCG_CODE, Organisation.kind == OrganisationKind.CCG))
    provider = db.session.scalar(select(Organisation).where(
        Organisation.name == CSS_NAME, Organisation.kind == OrganisationKind.CSS))
    if ccg is None or provider is None:
        return
    users = _DemoUsers()
    ccg_user, css_user = users.ccg_lead(ccg), users.provider_leader(provider)
    pinned = current_app.config.get("MARKETPLACE_TODAY")
    try:
        agreement = shadow_agreement()
        if agreement is None:
            agreement = _draft(ccg, provider)
            if agreement is None:
                return
        if agreement.status == AgreementStatus.DRAFT:
            _kpis_and_signatures(agreement, ccg_user, css_user)
        if agreement.status in performance_returns.REPORTED_ON:
            _returns(agreement, ccg_user, css_user)
    finally:
        current_app.config["MARKETPLACE_TODAY"] = pinned
