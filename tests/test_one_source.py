"""Each fact the app relies on is written down once, and derived where it can be."""

import ast
import csv
from pathlib import Path

import pytest

from marketplace.data import median_ccg_population, read_csv
from marketplace.search import REFERENCE_POPULATION

PACKAGE = Path(__file__).resolve().parent.parent / "marketplace"

# Each name is assigned at module level in exactly this module and imported everywhere else.
FACTS = {
    "PROVIDER_KINDS": "models/organisation.py",
    "MIN_POPULATION": "domain/inputs.py",
    "MAX_POPULATION": "domain/inputs.py",
    "MAX_WTE": "domain/inputs.py",
    "MAX_ALLOWANCE_PER_HEAD": "domain/inputs.py",
    "REFERENCE_POPULATION": "search/offers.py",
    "TIMELINE_2012": "domain/checkpoints.py",
}


def _module_level_assignments() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = (node.targets if isinstance(node, ast.Assign)
                       else [node.target] if isinstance(node, ast.AnnAssign) else [])
            for target in targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(
                        str(path.relative_to(PACKAGE)))
    return found


@pytest.mark.parametrize(("name", "home"), FACTS.items())
def test_each_fact_is_written_in_one_module(name, home):
    assert _module_level_assignments()[name] == [home]


def test_the_running_cost_allowances_live_only_in_their_rows():
    # The migrations seed financial_year_allowance and administrators edit it; the code keeps
    # no second copy for the reckoner to fall back on.
    assert "DEFAULT_ALLOWANCES" not in _module_level_assignments()


def test_the_reference_population_is_the_median_ccg_from_the_ccg_list():
    populations = sorted(int(row["population"]) for row in read_csv("ccgs_2013.csv"))
    assert len(populations) == 211
    assert REFERENCE_POPULATION == median_ccg_population() == populations[105] == 226_054
    assert sum(p < REFERENCE_POPULATION for p in populations) == 105
    assert sum(p > REFERENCE_POPULATION for p in populations) == 105


def test_read_csv_reads_the_packaged_file():
    path = PACKAGE / "data" / "ccgs_2013.csv"
    with path.open(encoding="utf-8") as handle:
        assert read_csv("ccgs_2013.csv") == list(csv.DictReader(handle))
