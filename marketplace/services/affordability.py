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

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.domain.affordability import Affordability, Commitment, assess
from marketplace.domain.reckoner import (
    FINANCIAL_YEARS,
    ReckonerInputs,
    allowance_for_year,
    compute,
)
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementEnding,
    AgreementLine,
    AgreementStatus,
    AgreementVariation,
    Organisation,
    Scenario,
    ScenarioLine,
    ScenarioStatus,
)

from . import scenarios
from .variations import variations_by_agreement, versions

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


def _latest_scenarios(ccg_ids: list[int]) -> dict[int, Scenario]:
    """Each CCG's latest scenario (its latest final one, else its latest), loaded with what
    its outcome reads. The choice is made in SQL, so the lines, costs and roles of the
    scenarios not chosen are never read, and a page of many CCGs costs the same few
    queries as one."""
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
        .where(Scenario.organisation_id.in_(ccg_ids))
        .subquery()
    )
    return {
        scenario.organisation_id: scenario
        for scenario in db.session.scalars(
            select(Scenario)
            .join(ranked, ranked.c.id == Scenario.id)
            .where(ranked.c.rank == 1)
            .options(
                selectinload(Scenario.lines).selectinload(ScenarioLine.partners),
                selectinload(Scenario.fixed_costs),
                selectinload(Scenario.in_house_roles),
            )
        )
    }


def headroom_by_ccg(
    ccgs: Iterable[Organisation], only: Iterable[str] | None = None
) -> dict[int, Headroom]:
    """CCG id → its headroom per year, for many CCGs at once (a fixed number of queries for
    their plans). ccgs: organisations, or rows with their id and population.
    only: work out just these financial years (a page showing one year)."""
    ccgs = list(ccgs)
    allowances = scenarios.allowances()
    years = _years(allowances)
    if only is not None:
        years = tuple(year for year in years if year in set(only))
    plans = _latest_scenarios([ccg.id for ccg in ccgs])
    result = {}
    for ccg in ccgs:
        scenario = plans.get(ccg.id)
        if scenario is not None:
            outcome = scenarios.outcome(scenario, allowances)
            by_year = {
                year.financial_year: year.reckoner.commissioning_support_budget
                for year in outcome.years
                if year.financial_year in years
            }
        elif ccg.population:
            by_year = {
                year: compute(
                    ReckonerInputs(
                        population=ccg.population,
                        allowance_per_head=allowance_for_year(year, allowances),
                        financial_year=year,
                    )
                ).commissioning_support_budget
                for year in years
            }
        else:
            by_year = {}
        result[ccg.id] = Headroom(by_year, scenario)
    return result


def headroom_for(ccg: Organisation) -> Headroom:
    return headroom_by_ccg([ccg])[ccg.id]


def _commitment(
    agreement: Agreement, ending: AgreementEnding | None, subject: bool = False,
    variations: list[AgreementVariation] | None = None,
) -> Commitment | None:
    terms = versions(agreement, variations)[-1].terms
    end = ending.ends_on if ending is not None else terms.end_date
    if agreement.status == AgreementStatus.ENDED and ending is None:
        return None  # ended with no date recorded: nothing to cost it by
    return Commitment(
        agreement.reference,
        agreement.provider.name,
        terms.start_date,
        end,
        terms.annual_value,
        subject,
    )


def _commitments(
    ccg: Organisation, subject: Agreement | None, varied: AgreementVariation | None = None
) -> list[Commitment]:
    agreements = list(
        db.session.scalars(
            select(Agreement)
            .where(Agreement.ccg_id == ccg.id, Agreement.status.in_(COUNTED))
            .order_by(Agreement.start_date, Agreement.id)
            # Their terms as varied: the original ones name the KPI targets.
            .options(selectinload(Agreement.lines).selectinload(AgreementLine.kpis),
                     joinedload(Agreement.provider))
        )
    )
    if subject is not None and subject not in agreements:
        agreements.append(subject)
    variations = variations_by_agreement(agreements)
    endings = {
        ending.agreement_id: ending
        for ending in db.session.scalars(
            select(AgreementEnding).where(
                AgreementEnding.agreement_id.in_([a.id for a in agreements])
            )
        )
    }
    result = []
    for agreement in agreements:
        item = _commitment(agreement, endings.get(agreement.id), agreement is subject,
                           variations[agreement.id])
        if item is None:
            continue
        if varied is not None and agreement is subject:
            end = varied.new_end_date or item.end_date
            ending = endings.get(agreement.id)
            item = Commitment(
                item.reference,
                item.provider,
                item.start_date,
                min(end, ending.ends_on) if ending else end,
                varied.new_annual_value or item.annual_value,
                True,
            )
        result.append(item)
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
