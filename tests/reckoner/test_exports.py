"""Exports: the workbook's figures are numbers with a £ format; the CSV parses."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from ..factories import make_scenario, mixed_lines


def results_of(sheet) -> dict[tuple[str, str], object]:
    return {(row[0], row[1]): row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_xlsx_has_inputs_and_results_with_money_as_numbers(ccg_client):
    scenario = make_scenario(lines=mixed_lines())
    response = ccg_client.get(f"/scenarios/{scenario.id}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert f"scenario-{scenario.id}.xlsx" in response.headers["Content-Disposition"]

    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Inputs", "Results"]
    inputs = book["Inputs"]
    assert inputs["B1"].value == "Baseline"
    assert inputs["B4"].value == 464_596
    fixed = {row[0].value: row[1] for row in inputs.iter_rows(min_row=9, max_row=16)}
    assert fixed["Accountable officer"].value == 350000
    assert "£" in fixed["Accountable officer"].number_format

    results = book["Results"]
    figures = results_of(results)
    budget = figures[("Ready reckoner 2013/14", "Money for commissioning support")]
    assert isinstance(budget, int | float) and Decimal(str(budget)) == Decimal("10003900")
    assert Decimal(str(figures[("Do, share or buy 2013/14", "Total spend")])) == Decimal(
        "623708.66")
    assert Decimal(str(figures[("Year 2015/16", "Running cost allowance")])) == Decimal(
        "10253633.72")  # 464,596 × £22.07
    money_cells = [row[2] for row in results.iter_rows(min_row=2)
                   if row[1].value == "Running cost allowance"]
    assert money_cells and all("£" in cell.number_format for cell in money_cells)


def test_a_formula_typed_as_a_name_stays_text(ccg_client):
    scenario = make_scenario(name="=HYPERLINK(\"http://evil\")")
    book = load_workbook(io.BytesIO(ccg_client.get(f"/scenarios/{scenario.id}/export.xlsx").data))
    assert book["Inputs"]["B1"].data_type == "s"
    assert book["Inputs"]["B1"].value.startswith("'=")


def test_csv_lists_the_results(ccg_client):
    scenario = make_scenario(lines=mixed_lines())
    response = ccg_client.get(f"/scenarios/{scenario.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    figures = {(row["section"], row["item"]): row["value"] for row in rows}
    assert figures[("Ready reckoner 2013/14", "Running cost allowance")] == "11614900.00"
    assert figures[("Ready reckoner 2013/14", "Money for commissioning support per head")] == \
        "21.53"
    assert figures[("Services 2013/14", "Individual funding requests (Share with other CCGs)")] \
        == "151456.39"
    assert figures[("Split in the 2012 survey", "Share with other CCGs")] == "15"
    assert ("Year 2014/15", "Total spend") in figures
