"""Validation against the official OCDS 1.1 release schema (marketplace/data/ocds/, its source
named in marketplace/data/SOURCES.md), with date-times checked as RFC 3339 as OCDS asks."""

import re

from jsonschema import Draft4Validator, FormatChecker

from marketplace.services.ocds_releases import release_schema

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

checker = FormatChecker()


@checker.checks("date-time")
def _date_time(value) -> bool:
    return not isinstance(value, str) or bool(RFC3339.match(value))


def release_errors(release: dict) -> list[str]:
    """Every way ``release`` breaks the schema, as readable lines ([] when it is valid)."""
    validator = Draft4Validator(release_schema(), format_checker=checker)
    return sorted(f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                  for error in validator.iter_errors(release))
