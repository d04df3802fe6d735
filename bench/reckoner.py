"""Time a full three-year do/buy/share scenario for every CCG in England.

Run from the repository root: python bench/reckoner.py [--runs N]
The target is under 0.5 s for all 211 CCGs; this prints the figures and does not assert.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marketplace.domain.money import format_money  # noqa: E402
from marketplace.domain.reckoner import InHouseRole  # noqa: E402
from marketplace.domain.sourcing import (  # noqa: E402
    BuyLine,
    DoLine,
    MultiYearScenario,
    ShareLine,
    compute_multi_year,
)
from tests.domain import PUBLISHED_ALLOWANCES  # noqa: E402  (what the migrations seed)

CCG_LIST = ROOT / "marketplace" / "data" / "ccgs_2013.csv"
TARGET_SECONDS = 0.5

IN_HOUSE = (
    InHouseRole("Head of commissioning", Decimal("1"), Decimal("85000")),
    InHouseRole("Commissioning managers", Decimal("3.6"), Decimal("52000")),
    InHouseRole("Governance and PA support", Decimal("2.5"), Decimal("28500")),
)
DO_SERVICES = (
    "Health needs assessment",
    "Patient and public engagement",
    "Service redesign",
    "Prioritisation",
    "Evaluation of effectiveness",
    "Clinical leadership support",
)
BUY_PER_HEAD = (
    ("Business intelligence", "0.85"),
    ("Risk stratification", "0.40"),
    ("Contract monitoring", "1.60"),
    ("Quality assurance", "0.90"),
    ("HR and payroll", "0.70"),
    ("IM&T", "1.90"),
    ("Finance", "1.30"),
)
BUY_OTHER = (
    BuyLine("Procurement and market management", "day_rate", Decimal("650"), Decimal("120")),
    BuyLine("Individual funding requests", "per_case", Decimal("310"), Decimal("180")),
    BuyLine("Legal advice", "fixed_annual", Decimal("45000")),
    BuyLine("Contract negotiation", manual_amount=Decimal("38500")),
)
SHARED_SERVICES = (
    ("Communications and engagement", Decimal("420000")),
    ("Medicines management", Decimal("610000")),
    ("Continuing healthcare", Decimal("880000")),
)


def read_ccgs() -> list[dict]:
    with CCG_LIST.open(newline="", encoding="utf-8") as handle:
        return [{**row, "population": int(row["population"])} for row in csv.DictReader(handle)]


def neighbours(ccg: dict, region: list[dict], count: int) -> list[dict]:
    """The CCG and the next few in its region by ODS code (wrapping round)."""
    start = region.index(ccg)
    return [region[(start + step) % len(region)] for step in range(min(count, len(region)))]


def scenario_for(ccg: dict, region: list[dict]) -> MultiYearScenario:
    lines: list = [
        DoLine(service, Decimal("0.8") + Decimal(i) / 4, Decimal("47500"), Decimal("3000"))
        for i, service in enumerate(DO_SERVICES)
    ]
    lines += [BuyLine(service, "per_head", Decimal(price)) for service, price in BUY_PER_HEAD]
    lines += BUY_OTHER
    for i, (service, total) in enumerate(SHARED_SERVICES):
        team = neighbours(ccg, region, 3 + i)  # 3, 4 and 5 partners
        partners = tuple((row["ods_code"], row["population"]) for row in team)
        lines.append(ShareLine(service, total, partners))
    # In the last year one bought line is brought in-house, as some CCGs did.
    brought_back = DoLine("Finance", Decimal("4"), Decimal("46000"), Decimal("8000"))
    return MultiYearScenario(
        ccg_key=ccg["ods_code"],
        population=ccg["population"],
        lines=tuple(lines),
        in_house=IN_HOUSE,
        non_pay=Decimal("60000"),
        line_overrides={"2015/16": (brought_back,)},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    ccgs = read_ccgs()
    regions: dict[str, list[dict]] = defaultdict(list)
    for ccg in ccgs:
        regions[ccg["region"]].append(ccg)
    # Building the scenarios stands for loading them; only the computing is timed.
    scenarios = [scenario_for(ccg, regions[ccg["region"]]) for ccg in ccgs]

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        results = [compute_multi_year(scenario, PUBLISHED_ALLOWANCES) for scenario in scenarios]
        timings.append(time.perf_counter() - started)

    best = min(timings)
    lines = sum(len(year.sourcing.lines) for years in results for year in years)
    short = sum(1 for years in results for year in years if year.sourcing.balance < 0)
    england_spend = sum(year.sourcing.total_spend for years in results for year in years)
    print(f"CCGs: {len(scenarios)}; scenario-years: {len(scenarios) * 3}; lines costed: {lines}")
    print(f"runs: {runs}; best {best:.4f} s; worst {max(timings):.4f} s")
    print(f"per CCG (best run): {best / len(scenarios) * 1000:.3f} ms")
    print(f"spend on commissioning support, three years, all CCGs: {format_money(england_spend)}")
    print(f"scenario-years with a shortfall: {short}")
    verdict = "meets" if best < TARGET_SECONDS else "misses"
    print(f"target under {TARGET_SECONDS} s for all CCGs: {verdict}")


if __name__ == "__main__":
    main()
