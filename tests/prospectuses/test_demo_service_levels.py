"""Demo offers state service levels that differ by provider: each provider's standard is
drawn from its own seed (demo/prospectuses.provider_standard), so two CSSs offering the same
specification promise different turnaround, reporting days or shares of calls answered."""

from collections import defaultdict

from sqlalchemy import select

from marketplace.demo import seed_demo
from marketplace.demo.prospectuses import provider_standard
from marketplace.extensions import db
from marketplace.models import Offer, Organisation, ProspectusVersion, ServiceSpecification


def test_worked_examples_of_a_providers_standard():
    # Arden CSS draws a turnaround factor of 1.25, a working-day shift of -2 and -5 points
    # of calls answered: 15 x 1.25 = 18.75 -> 19 (half-up), 10 - 2 = 8, 90 - 5 = 85,
    # 30 seconds x 1.25 = 37.5 -> 38.
    assert provider_standard("Ad hoc analyses within 15 working days", "Arden CSS") == (
        "Ad hoc analyses within 19 working days")
    assert provider_standard("Monthly report by working day 10", "Arden CSS") == (
        "Monthly report by working day 8")
    assert provider_standard("Service desk answers 90% of calls within 30 seconds",
                             "Arden CSS") == "Service desk answers 85% of calls within 38 seconds"
    # Kent and Medway CSS offers the specification's own standard.
    assert provider_standard("Ad hoc analyses within 15 working days",
                             "Kent and Medway CSS") == "Ad hoc analyses within 15 working days"


def test_dates_and_bounds_are_kept():
    for name in ("Arden CSS", "CSS South", "Greater East Midlands CSS"):
        assert provider_standard("Commissioning intentions issued by 30 September", name) == (
            "Commissioning intentions issued by 30 September")
        assert provider_standard("System availability 99.5%", name) == (
            "System availability 99.5%")
        # Never below one day, never before working day 5, never above 99% of calls.
        assert provider_standard("Orders placed within 1 working days", name).endswith(
            "within 1 working days")
        assert int(provider_standard("Lists by working day 5", name).rsplit(" ", 1)[1]) >= 5
        assert int(provider_standard("Answers 98% of calls", name).split()[1][:-1]) <= 99


def test_demo_providers_offer_different_service_levels_for_the_same_specification(
        app_context):
    seed_demo()
    targets = defaultdict(set)
    for code, levels in db.session.execute(
        select(ServiceSpecification.code, Offer.service_levels)
        .join(Offer, Offer.specification_id == ServiceSpecification.id)
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(Organisation, ProspectusVersion.organisation_id == Organisation.id)
        .where(Organisation.kind == "css")
    ):
        targets[code].add(tuple(level["target"] for level in levels or []))
    varied = [code for code, found in targets.items() if len(found) > 1]
    assert len(varied) >= 10, targets
