"""The README's table of accepted numbers is the list in marketplace/domain/number_ranges.py."""

from marketplace.config import PROJECT_ROOT
from marketplace.domain.number_ranges import NUMBER_RANGES


def test_the_readme_lists_every_number_range_as_the_code_has_it():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for number in NUMBER_RANGES:
        row = f"| {number.what} | {number.low:,} | {number.high:,} | {number.unit} |"
        assert row in readme, row
