"""Reference data shipped with the app; SOURCES.md says where each file comes from."""

import csv
from functools import cache
from importlib import resources
from statistics import median_low


def read_csv(name: str) -> list[dict]:
    with resources.files("marketplace.data").joinpath(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def median_ccg_population() -> int:
    """The median GP-registered population of the 211 CCGs of 2013 (ccgs_2013.csv)."""
    return median_low(int(row["population"]) for row in read_csv("ccgs_2013.csv"))
