"""Whole-market sufficiency as a CSV (one row per CCG and year) or a workbook (a sheet per
table: CCGs, regions, PCT clusters, specifications, unsupplied specifications, market shares).

Money goes into the workbook as numbers (Decimal, never float) with a £ format; text typed by
people (organisation names) is quoted where a spreadsheet would run it as a formula.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from marketplace.domain.sufficiency import Rollup, Sufficiency
from marketplace.reckoner.exports import FORMULA_STARTS, MONEY_FORMAT, XLSX_TYPE

__all__ = ["XLSX_TYPE", "csv_text", "workbook_bytes"]

PERCENT_FORMAT = '0.0"%"'
BOLD = Font(bold=True)


def _row(values) -> list:
    return [
        "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
        for value in values
    ]


CCG_HEADERS = [
    ("Financial year", "text"),
    ("CCG", "text"),
    ("ODS code", "text"),
    ("Region", "text"),
    ("PCT cluster", "text"),
    ("Registered population", "number"),
    ("Planned income from all CSSs", "money"),
    ("Headroom for commissioning support", "money"),
    ("Planned more than it can afford", "money"),
    ("Stated intention to buy (a year)", "money"),
    ("Planned beyond its intention", "money"),
    ("CSSs planning income", "text"),
    ("Position", "text"),
]


def ccg_rows(result: Sufficiency) -> list[list]:
    return [
        [
            row.financial_year,
            row.ccg.name,
            row.ccg.code,
            row.ccg.region or "",
            row.ccg.cluster or "",
            row.ccg.population,
            row.planned,
            row.headroom,
            row.over_headroom,
            row.intention,
            row.beyond_intention,
            "; ".join(row.suppliers),
            row.in_words,
        ]
        for year in result.years
        for row in year.ccgs
    ]


ROLLUP_HEADERS = [
    ("Financial year", "text"),
    ("Name", "text"),
    ("CCGs", "number"),
    ("Planned income", "money"),
    ("Headroom", "money"),
    ("Headroom less planned income", "money"),
    ("Stated intention to buy (a year)", "money"),
    ("CCGs planned beyond what they can afford", "number"),
    ("Suppliers", "number"),
    ("Largest supplier", "text"),
    ("Largest supplier's share", "percent"),
    ("Concentration (HHI)", "number"),
    ("Concentration", "text"),
]


def rollup_row(rollup: Rollup, name: str) -> list:
    top = rollup.concentration.shares[0] if rollup.concentration.shares else None
    return [
        rollup.financial_year,
        name,
        rollup.ccgs,
        rollup.planned,
        rollup.headroom,
        rollup.gap,
        rollup.intention,
        rollup.ccgs_over,
        rollup.concentration.suppliers,
        top.provider if top else "",
        top.percent if top else None,
        rollup.concentration.hhi_shown,
        rollup.concentration.band,
    ]


def sheets(result: Sufficiency) -> list[tuple[str, list[tuple[str, str]], list[list]]]:
    years = result.years
    share_rows = [
        [year.financial_year, kind, rollup.label, share.provider, share.amount, share.percent]
        for year in years
        for kind, rollups in (("Specification", year.by_specification), ("Region", year.by_region))
        for rollup in rollups
        for share in rollup.concentration.shares
    ]
    return [
        ("CCGs", CCG_HEADERS, ccg_rows(result)),
        ("Regions", ROLLUP_HEADERS, [rollup_row(r, r.label) for y in years for r in y.by_region]),
        (
            "PCT clusters",
            [*ROLLUP_HEADERS[:2], ("Region", "text"), *ROLLUP_HEADERS[2:]],
            [
                (lambda row: [*row[:2], r.region, *row[2:]])(rollup_row(r, r.label))
                for y in years
                for r in y.by_cluster
            ],
        ),
        (
            "Specifications",
            ROLLUP_HEADERS,
            [rollup_row(r, r.label) for y in years for r in y.by_specification],
        ),
        (
            "Nobody plans to supply",
            [
                ("Financial year", "text"),
                ("Specification", "text"),
                ("CCGs intending to buy", "number"),
                ("Their stated intention (a year)", "money"),
            ],
            [
                [y.financial_year, u.specification.name, u.ccgs_intending, u.intention]
                for y in years
                for u in y.unsupplied
            ],
        ),
        (
            "Market shares",
            [
                ("Financial year", "text"),
                ("Market", "text"),
                ("Name", "text"),
                ("CSS", "text"),
                ("Planned income", "money"),
                ("Share", "percent"),
            ],
            share_rows,
        ),
    ]


def csv_text(result: Sufficiency) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([name for name, _kind in CCG_HEADERS])
    for row in ccg_rows(result):
        writer.writerow(_row("" if value is None else value for value in row))
    return output.getvalue()


def workbook_bytes(result: Sufficiency) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets(result):
        sheet = book.create_sheet(title)
        sheet.append([name for name, _kind in headers])
        for cell in sheet[1]:
            cell.font = BOLD
        for row in rows:
            sheet.append(_row(row))
            for cell, (_name, kind) in zip(sheet[sheet.max_row], headers, strict=True):
                if kind == "money":
                    cell.number_format = MONEY_FORMAT
                elif kind == "percent":
                    cell.number_format = PERCENT_FORMAT
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
