"""What a CCG can afford for commissioning support each year, and whether its agreements fit.

The headroom is the ready reckoner's: the running cost allowance for the year (population ×
the allowance per head an administrator keeps) less the CCG's fixed and in-house costs. They
come from the CCG's own plan (its latest final scenario, else its latest) when it has one,
else from the reckoner's default corporate structure at its registered population. Read-only:
the gate shows figures, it does not refuse a signature (the CCG decides, knowing them).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.domain.affordability import Affordability, Commitment, assess
from marketplace.domain.reckoner import (
    FINANCIAL_YEARS,
    allowance_for_year,
    default_commissioning_support_budget,
)
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementEnding,
    AgreementStatus,
    AgreementVariation,
    Organisation,
    Scenario,
    ScenarioStatus,
)

from . import scenarios
from .variations import current_annual_value, current_end_date

# Agreements the CCG has put its name to (or is about to): they cost it money.
COUNTED = (
    AgreementStatus.AWAITING_COUNTERSIGNATURE.value,
    AgreementStatus.SIGNED.value,
    AgreementStatus.FINAL.value,
    AgreementStatus.ENDED.value,
)


@dataclass(frozen=True)
class Headroom:
    by_year: dict[str, Decimal]
    scenario: Scenario | None  # None: the reckoner's defaults at the registered population

    @property
    def source(self) -> str:
        if self.scenario is not None:
            return f"your {self.scenario.status_label.lower()} scenario “{self.scenario.name}”"
        return "the ready reckoner's default corporate costs at your registered population"


def _years(allowances: dict[str, Decimal]) -> tuple[str, ...]:
    return tuple(year for year in FINANCIAL_YEARS if year in allowances)


@cache  # the statement's shape, built once: the CCGs are bound when it runs
def _latest_scenarios_statement(named: bool):
    """named: only the CCGs bound as ``ccg_ids``; otherwise every organisation's."""
    ranked = (
        select(
            Scenario.id,
            func.row_number()
            .over(
                partition_by=Scenario.organisation_id,
                order_by=(
                    case((Scenario.status == ScenarioStatus.FINAL, 0), else_=1),
                    Scenario.updated_at.desc(),
                    Scenario.id.desc(),
                ),
            )
            .label("rank"),
        )
    )
    if named:
        ranked = ranked.where(Scenario.organisation_id.in_(bindparam("ccg_ids", expanding=True)))
    ranked = ranked.subquery()
    return (
        select(Scenario)
        .join(ranked, ranked.c.id == Scenario.id)
        .where(ranked.c.rank == 1)
        .options(
            selectinload(Scenario.fixed_costs),
            selectinload(Scenario.in_house_roles),
        )
    )


def _latest_scenarios(ccg_ids: list[int] | None) -> dict[int, Scenario]:
    """Each CCG's latest scenario (its latest final one, else its latest), loaded with what
    its headroom reads: its fixed costs and in-house roles (its lines do not enter the
    headroom, so they are not read). The choice is made in SQL, so the costs and roles of
    the scenarios not chosen are never read, and a page of many CCGs costs the same few
    queries as one. ccg_ids None: every organisation's (no list of ids to send)."""
    if ccg_ids is None:
        found = db.session.scalars(_latest_scenarios_statement(False))
    else:
        found = db.session.scalars(_latest_scenarios_statement(True), {"ccg_ids": list(ccg_ids)})
    return {scenario.organisation_id: scenario for scenario in found}


def headroom_by_ccg(
    ccgs: Iterable[Organisation], only: Iterable[str] | None = None, *, every_ccg: bool = False
) -> dict[int, Headroom]:
    """CCG id → its headroom per year, for many CCGs at once (a fixed number of queries for
    their plans). ccgs: organisations, or rows with their id and population.
    only: work out just these financial years (a page showing one year).
    every_ccg: ``ccgs`` are every CCG, so their plans are read without naming each one (a
    list of two hundred ids cost more to send than the query took to run)."""
    ccgs = list(ccgs)
    allowances = scenarios.allowances()
    years = _years(allowances)
    if only is not None:
        years = tuple(year for year in years if year in set(only))
    plans = _latest_scenarios(None if every_ccg else [ccg.id for ccg in ccgs])
    result = {}
    for ccg in ccgs:
        scenario = plans.get(ccg.id)
        if scenario is not None:
            by_year = {
                year: budget
                for year, budget in scenarios.headroom_by_year(scenario, allowances).items()
                if year in years
            }
        elif ccg.population:
            by_year = {
                year: default_commissioning_support_budget(
                    ccg.population, allowance_for_year(year, allowances)
                )
                for year in years
            }
        else:
            by_year = {}
        result[ccg.id] = Headroom(by_year, scenario)
    return result


def headroom_for(ccg: Organisation) -> Headroom:
    return headroom_by_ccg([ccg])[ccg.id]


def _commitments(
    ccg: Organisation, subject: Agreement | None, varied: AgreementVariation | None = None
) -> list[Commitment]:
    """The CCG's counted agreements by start, then the subject if it is not one of them
    (a draft about to be signed), on their terms as varied: plain rows in one query."""
    counted = Agreement.status.in_(COUNTED)
    rows = db.session.execute(
        select(Agreement.id, Agreement.reference, Organisation.name.label("provider"),
               Agreement.status, Agreement.start_date,
               AgreementEnding.ends_on.label("ends_on"),
               current_end_date().label("end_date"),
               current_annual_value().label("annual_value"))
        .join(Organisation, Organisation.id == Agreement.provider_id)
        .outerjoin(AgreementEnding, AgreementEnding.agreement_id == Agreement.id)
        .where(Agreement.ccg_id == ccg.id,
               counted if subject is None else or_(counted, Agreement.id == subject.id))
        .order_by(case((counted, 0), else_=1), Agreement.start_date, Agreement.id)
    )
    result = []
    for row in rows:
        if row.status == AgreementStatus.ENDED and row.ends_on is None:
            continue  # ended with no date recorded: nothing to cost it by
        is_subject = subject is not None and row.id == subject.id
        end = row.ends_on if row.ends_on is not None else row.end_date
        annual_value = row.annual_value
        if varied is not None and is_subject:
            end = varied.new_end_date or end
            if row.ends_on is not None:
                end = min(end, row.ends_on)
            annual_value = varied.new_annual_value or annual_value
        result.append(Commitment(row.reference, row.provider, row.start_date, end,
                                 annual_value, is_subject))
    return result


@dataclass(frozen=True)
class Gate:
    headroom: Headroom
    affordability: Affordability


def for_signing(agreement: Agreement) -> Gate:
    """All the CCG's agreements, this draft included, against its headroom."""
    headroom = headroom_for(agreement.ccg)
    return Gate(headroom, assess(_commitments(agreement.ccg, agreement), headroom.by_year))


def for_variation(agreement: Agreement, variation: AgreementVariation | None = None) -> Gate:
    """As for signing, with the agreement on the proposed terms when a variation is given."""
    headroom = headroom_for(agreement.ccg)
    return Gate(
        headroom, assess(_commitments(agreement.ccg, agreement, variation), headroom.by_year)
    )
