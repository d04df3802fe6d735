"""Demo contract life across the market: shadow-year agreements with a believable record.

CSSs ran in shadow form from April 2012, hosted by the PCT clusters, so five CCGs hold
service level agreements with their home CSS for April 2012 to March 2013. At the demo's
"now" (Monday 19 November 2012) seven months have ended. Each agreement is drafted, given
KPIs, signed by both sides and reported on through the services a click calls, with the
clock pinned to each day, so the audit trail, the notifications and the late flags all read
as they would have.

The record follows the CSS's Checkpoint 2 outcome: the A-rated CSSs meet nearly everything,
Greater Manchester (B) misses a few figures and has one disputed, and Cumbria and Lancashire
(B, the weakest record of those that trade on after the summer's mergers) sends every return
late, misses more, and is given notice by its CCG in November (three months' notice: the
agreement ends in February). Greater Manchester's agreement is varied once in October (more
activity, more money) and Kent and Medway's once at the end of October (extended to September
2013, the 18-month limit); service reviews with actions are held on two of them, in July and
October. Nothing is dated after the demo's "now": a return not sent by then is left unsent.

Idempotent: an agreement between the pair for that start day is left alone once signed, a
month that has a return is not reported again, and a review, variation or notice already
recorded is not recorded twice.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    FigureReview,
    Organisation,
    OrganisationKind,
)
from marketplace.services import (
    agreements,
    ending,
    performance_returns,
    service_levels,
    service_reviews,
    variations,
)
from marketplace.services.performance_returns import FigureInput
from marketplace.services.service_levels import KpiInput
from marketplace.services.service_reviews import ActionInput

from .performance import _at, _draft, _set_now
from .procurements import DEMO_NOW, _DemoUsers

START, END = date(2012, 4, 1), date(2013, 3, 31)
LAST_REPORTED_MONTH = 7  # October 2012, due in late November


@dataclass(frozen=True)
class Kpi:
    measure: str
    unit: str
    target: Decimal
    direction: str  # "higher" or "lower" is better
    tolerance: Decimal


# The KPIs of each line, by position (the offers differ; what is measured is much the same).
LINE_KPIS: tuple[tuple[Kpi, ...], ...] = (
    (Kpi("Monthly report to the governing body by the 10th working day", "working_days",
         Decimal(10), "lower", Decimal(2)),
     Kpi("Data extracts delivered on time", "percent", Decimal(95), "higher", Decimal(3))),
    (Kpi("Queries answered within 5 working days", "percent", Decimal(90), "higher",
         Decimal(5)),),
    (Kpi("Cases reviewed within 28 days", "percent", Decimal(85), "higher", Decimal(5)),),
)


@dataclass(frozen=True)
class Story:
    ccg_code: str
    css_name: str
    # Out of 20: how many figures are met, and how many more within tolerance; the rest
    # are missed. Which ones is fixed by a simple pattern, so every seed is the same.
    met: int
    within: int
    late_days: int = 0  # days after the due day each return is sent
    disputed_month: int | None = None
    review_months: tuple[int, ...] = ()
    notice_on: date | None = None


STORIES = (
    Story("05H", "Arden CSS", met=19, within=1, review_months=(6,)),
    Story("09C", "Kent and Medway CSS", met=18, within=2),
    Story("00C", "North East CSS", met=18, within=1),
    Story("00T", "Greater Manchester CSS", met=14, within=3, disputed_month=7,
          review_months=(3, 6)),
    Story("00Q", "Cumbria and Lancashire CSS", met=10, within=4, late_days=6, disputed_month=5,
          notice_on=date(2012, 11, 12)),
)

# Who proposes (the other side agrees), when, the value's factor, the new end, and why.
VARIATIONS = {
    "00T": (date(2012, 10, 22), "css",
            Decimal("1.08"), None,
            "Activity for the new continuing healthcare cases has run 8% above the plan since "
            "July; the CSS takes on the extra case reviews for the rest of the year."),
    "09C": (date(2012, 10, 29), "ccg",
            None, date(2013, 9, 30),
            "Extended to the end of September 2013 while the CCG runs its first competition "
            "for commissioning support, as the 18-month limit allows."),
}

MISSED_COMMENTARY = "Below target: two vacancies in the team this month, now filled."
DISPUTE_REASON = ("Our own records show the report reached the governing body two working "
                  "days later than this figure says.")
RESUBMITTED_COMMENTARY = "Corrected: the report was sent on the 12th working day, not the 10th."
REVIEW_ATTENDEES = "Head of contracting (CCG), account manager and service leads (CSS)"


def _month_end(number: int) -> date:
    """The last day of the agreement's month ``number`` (1 is April 2012)."""
    months = START.month - 1 + number
    return date(START.year + months // 12, months % 12 + 1, 1) - timedelta(days=1)


def _figure(kpi: Kpi, band: str, seed: int) -> Decimal:
    """A figure met, within tolerance or missed, varied a little by seed."""
    step = Decimal(seed % 3)
    sign = 1 if kpi.direction == "higher" else -1
    if band == "met":
        value = kpi.target + sign * (Decimal(1) + step)
    elif band == "within":
        value = kpi.target - sign * (Decimal(1) + min(step, kpi.tolerance - 1))
    else:
        value = kpi.target - sign * (kpi.tolerance + Decimal(2) + step)
    return max(value, Decimal(0)).quantize(Decimal(1))


def _band(story: Story, index: int, kpi_number: int, month: int) -> str:
    slot = (index * 7 + kpi_number * 3 + month * 11) % 20
    if slot < story.met:
        return "met"
    return "within" if slot < story.met + story.within else "missed"


def _agreement(ccg: Organisation, provider: Organisation) -> Agreement | None:
    return db.session.scalar(select(Agreement).where(
        Agreement.ccg_id == ccg.id, Agreement.provider_id == provider.id,
        Agreement.start_date == START))


def _sign(agreement: Agreement, ccg_user, css_user) -> None:
    _set_now(_at(date(2012, 3, 19)))
    for line, wanted in zip(agreement.lines, LINE_KPIS, strict=False):
        for kpi in list(line.kpis):
            service_levels.remove_kpi(ccg_user, kpi, agreement.lock_version)
        for kpi in wanted:
            service_levels.add_kpi(ccg_user, agreement, agreement.lock_version, line, KpiInput(
                kpi.measure, kpi.unit, str(kpi.target), kpi.direction, str(kpi.tolerance)))
    _set_now(_at(date(2012, 3, 21), 11))
    agreements.sign_for_ccg(ccg_user, agreement, agreement.lock_version)
    _set_now(_at(date(2012, 3, 23), 15))
    agreements.countersign(css_user, agreement, agreement.lock_version)


def _returns(story: Story, index: int, agreement: Agreement, ccg_user, css_user) -> None:
    done = {row.period.number for row in performance_returns.schedule(agreement)
            if row.versions}
    due = {row.period.number: row.due_on for row in performance_returns.schedule(agreement)}
    # Each of the agreement's KPIs with the demo KPI it was made from.
    kpis = [(kpi, LINE_KPIS[line_index][position])
            for line_index, line in enumerate(agreement.lines)
            for position, kpi in enumerate(line.kpis)]
    for month in range(1, LAST_REPORTED_MONTH + 1):
        if month in done or month not in due:
            continue
        # On time: a week after the month ends; late: days after the due day.
        sent = (due[month] + timedelta(days=story.late_days) if story.late_days
                else _month_end(month) + timedelta(days=7))
        if _at(sent) > DEMO_NOW:
            continue  # not sent yet at the demo's "now" (and not due yet either)
        _set_now(_at(sent))
        figures = {}
        for number, (kpi, template) in enumerate(kpis):
            band = _band(story, index, number, month)
            figures[kpi.id] = FigureInput(
                str(_figure(template, band, month + number)),
                MISSED_COMMENTARY if band == "missed" else "")
        made = performance_returns.submit_return(css_user, agreement, month, figures)
        _set_now(_at(sent + timedelta(days=5), 14))
        disputed = kpis[0][0].id if month == story.disputed_month else None
        for figure in made.figures:
            is_disputed = figure.kpi_id == disputed
            performance_returns.review_figure(
                ccg_user, figure, figure.lock_version,
                (FigureReview.DISPUTED if is_disputed else FigureReview.ACCEPTED).value,
                DISPUTE_REASON if is_disputed else "")
        if disputed is not None:
            _set_now(_at(sent + timedelta(days=8), 16))
            performance_returns.resubmit(css_user, made, {disputed: FigureInput(
                str(_figure(kpis[0][1], "missed", 0)), RESUBMITTED_COMMENTARY)})


def _reviews(story: Story, agreement: Agreement, ccg_user) -> None:
    held = {review.held_on for review in service_reviews.reviews_of(agreement)}
    for month in story.review_months:
        held_on = _month_end(month) + timedelta(days=10)
        if held_on in held:
            continue
        _set_now(_at(held_on, 16))
        review = service_reviews.record_review(
            ccg_user, agreement, held_on, REVIEW_ATTENDEES,
            "Quarterly review of the service levels and the returns so far. Reporting is "
            "steady; the CCG asked for earlier sight of the month-end data extracts.",
            [ActionInput("Send the data extract two working days earlier each month",
                         "CSS account manager", held_on + timedelta(days=30)),
             ActionInput("Agree the format of the quarterly activity summary",
                         "CCG head of contracting", held_on + timedelta(days=45))])
        if month != story.review_months[-1]:
            _set_now(_at(held_on + timedelta(days=20), 10))
            action = review.actions[0]
            service_reviews.mark_action_done(ccg_user, action, action.lock_version)


def _vary(agreement: Agreement, ccg_user, css_user, code: str) -> None:
    if variations.variations_of(agreement):
        return
    on, proposed_by, factor, end_date, reason = VARIATIONS[code]
    proposer, answerer = ((css_user, ccg_user) if proposed_by == "css"
                          else (ccg_user, css_user))
    _set_now(_at(on, 11))
    value = (agreement.annual_value * factor).quantize(Decimal("0.01")) if factor else None
    proposed = variations.propose(proposer, agreement, value, end_date, reason)
    _set_now(_at(on + timedelta(days=3), 15))
    variations.answer(answerer, proposed, proposed.lock_version, True)


def _notice(story: Story, agreement: Agreement, ccg_user) -> None:
    if story.notice_on is None or ending.ending_of(agreement) is not None:
        return
    _set_now(_at(story.notice_on, 12))
    ending.end(ccg_user, agreement, agreement.lock_version, "notice",
               "Late returns every month and data extracts missing their target: the CCG will "
               "do this work itself from February and buy it through a competition from "
               "April.")


def seed_contract_life(scale: int = 1) -> None:
    users = _DemoUsers()
    pinned = current_app.config.get(clock.SETTING)
    try:
        for index, story in enumerate(STORIES):
            ccg = db.session.scalar(select(Organisation).where(
                Organisation.ods_code == story.ccg_code, Organisation.kind == OrganisationKind.CCG))
            provider = db.session.scalar(select(Organisation).where(
                Organisation.name == story.css_name, Organisation.kind == OrganisationKind.CSS))
            if ccg is None or provider is None:
                continue
            ccg_user, css_user = users.ccg_lead(ccg), users.provider_leader(provider)
            agreement = _agreement(ccg, provider) or _draft(ccg, provider, START, END)
            if agreement is None:
                continue
            if agreement.status == AgreementStatus.DRAFT:
                _sign(agreement, ccg_user, css_user)
            if agreement.status not in performance_returns.REPORTED_ON:
                continue
            _returns(story, index, agreement, ccg_user, css_user)
            _reviews(story, agreement, ccg_user)
            if story.ccg_code in VARIATIONS:
                _vary(agreement, ccg_user, css_user, story.ccg_code)
            _notice(story, agreement, ccg_user)
    finally:
        current_app.config[clock.SETTING] = pinned
