"""A scenario as a spreadsheet (inputs and results sheets) or a CSV of its results.

Money goes into the workbook as numbers (Decimal, never float) with a £ format, so a finance
lead can keep calculating with it.
"""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from marketplace.domain import pricing
from marketplace.domain.sourcing import BUY, DO, MODES
from marketplace.services.scenarios import MODE_LABELS, SPLIT_METHOD_LABELS, ScenarioOutcome

MONEY_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
PERCENT_FORMAT = '0.0"%"'
BOLD = Font(bold=True)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text a spreadsheet would run as a formula (names are typed by users), so it is quoted.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _row(values) -> list:
    return [_safe(value) for value in values]


def result_rows(outcome: ScenarioOutcome) -> list[tuple[str, str, object, str]]:
    """(section, item, value, kind) for every result figure; kind is money, percent or text."""
    rows: list[tuple[str, str, object, str]] = []
    headline = outcome.headline
    reckoner, sourcing = headline.reckoner, headline.sourcing
    year = headline.financial_year
    rows += [
        (f"Ready reckoner {year}", "Population", reckoner.population, "number"),
        (f"Ready reckoner {year}", "Allowance per head", reckoner.allowance_per_head, "money"),
        (f"Ready reckoner {year}", "Running cost allowance", reckoner.running_cost_allowance,
         "money"),
        (f"Ready reckoner {year}", "Fixed corporate costs", reckoner.fixed_costs_total, "money"),
        (f"Ready reckoner {year}", "In-house costs", reckoner.in_house_total, "money"),
        (f"Ready reckoner {year}", "Money for commissioning support",
         reckoner.commissioning_support_budget, "money"),
        (f"Ready reckoner {year}", "Money for commissioning support per head",
         reckoner.commissioning_support_per_head, "money"),
    ]
    for warning in reckoner.warnings:
        rows.append((f"Ready reckoner {year}", "Warning", warning.message, "text"))
    for line in sourcing.lines:
        rows.append((f"Services {year}", f"{line.service} ({MODE_LABELS[line.mode]})",
                     line.annual_cost, "money"))
    for mode in MODES:
        rows.append((f"Do, share or buy {year}", f"Total: {MODE_LABELS[mode]}",
                     sourcing.totals_by_mode[mode], "money"))
    rows.append((f"Do, share or buy {year}", "Total spend", sourcing.total_spend, "money"))
    rows.append((f"Do, share or buy {year}",
                 "Surplus" if sourcing.balance >= 0 else "Shortfall",
                 abs(sourcing.balance), "money"))
    for mode in MODES:
        rows.append((f"Split of spend {year}", MODE_LABELS[mode],
                     sourcing.spend_split_percent[mode], "percent"))
        rows.append(("Split in the 2012 survey", MODE_LABELS[mode],
                     sourcing.survey_split_percent[mode], "percent"))
    for year_result in outcome.years:
        label = f"Year {year_result.financial_year}"
        rows += [
            (label, "Running cost allowance", year_result.reckoner.running_cost_allowance,
             "money"),
            (label, "Money for commissioning support",
             year_result.reckoner.commissioning_support_budget, "money"),
            (label, "Total spend", year_result.sourcing.total_spend, "money"),
            (label, "Surplus or shortfall (negative)", year_result.sourcing.balance, "money"),
        ]
    return rows


LINE_HEADINGS = ["Service", "Mode", "WTE", "Cost per WTE", "Non-pay", "Pricing model", "Price",
                 "Estimated quantity", "Manual amount", "Shared total", "Split", "Partners"]


def _line_details(line) -> list:
    if line.mode == DO:
        return [line.wte, line.cost_per_wte, line.non_pay, None, None, None, None, None, None, ""]
    if line.mode == BUY:
        model = pricing.PRICING_MODELS.get(line.pricing_model, "") if line.pricing_model else ""
        return [None, None, None, model, line.price, line.estimated_quantity,
                line.manual_amount, None, None, ""]
    partners = ", ".join(p.ods_code or p.name for p in line.partners)
    return [None, None, None, None, None, None, None, line.shared_total,
            SPLIT_METHOD_LABELS.get(line.split_method or "", ""), partners]


def workbook_bytes(outcome: ScenarioOutcome) -> bytes:
    scenario = outcome.scenario
    book = Workbook()
    inputs = book.active
    inputs.title = "Inputs"
    inputs.append(_row(["Scenario", scenario.name]))
    inputs.append(_row(["CCG", scenario.organisation.name]))
    inputs.append(_row(["Status", scenario.status_label]))
    inputs.append(_row(["Population", scenario.population]))
    inputs.append(_row(["Financial year", scenario.financial_year]))
    inputs.append(_row(["Allowance per head override", scenario.allowance_per_head_override]))
    inputs["B6"].number_format = MONEY_FORMAT
    inputs.append(_row([]))
    inputs.append(_row(["Fixed corporate costs", "Amount a year"]))
    for cost in scenario.fixed_costs:
        inputs.append(_row([cost.name, cost.amount]))
        inputs.cell(inputs.max_row, 2).number_format = MONEY_FORMAT
    inputs.append(_row([]))
    inputs.append(_row(["In-house role", "WTE", "Cost per WTE"]))
    for role in scenario.in_house_roles:
        inputs.append(_row([role.role, role.wte, role.cost_per_wte]))
        inputs.cell(inputs.max_row, 3).number_format = MONEY_FORMAT
    inputs.append(_row(["In-house non-pay", None, scenario.in_house_non_pay]))
    inputs.cell(inputs.max_row, 3).number_format = MONEY_FORMAT
    inputs.append(_row([]))
    inputs.append(LINE_HEADINGS)
    for line in scenario.lines:
        inputs.append(_row([line.service, MODE_LABELS[line.mode], *_line_details(line)]))
        for column in (4, 5, 7, 9, 10):
            inputs.cell(inputs.max_row, column).number_format = MONEY_FORMAT
    for row in inputs.iter_rows():
        if row[0].value in ("Fixed corporate costs", "In-house role", "Service"):
            for cell in row:
                cell.font = BOLD
    inputs.column_dimensions["A"].width = 40

    results = book.create_sheet("Results")
    results.append(_row(["Section", "Item", "Value"]))
    for cell in results[1]:
        cell.font = BOLD
    for section, item, value, kind in result_rows(outcome):
        results.append(_row([section, item, value]))
        if kind == "money":
            results.cell(results.max_row, 3).number_format = MONEY_FORMAT
        elif kind == "percent":
            results.cell(results.max_row, 3).number_format = PERCENT_FORMAT
    results.column_dimensions["A"].width = 32
    results.column_dimensions["B"].width = 48
    results.column_dimensions["C"].width = 18

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(outcome: ScenarioOutcome) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "item", "value"])
    for section, item, value, kind in result_rows(outcome):
        if isinstance(value, Decimal) and kind == "money":
            value = f"{value:.2f}"
        writer.writerow(_row([section, item, value]))
    return buffer.getvalue()

