import io
import zipfile

from openpyxl import load_workbook

from marketplace.demo.specifications import seed_specifications
from marketplace.extensions import db

from .. import factories as build
from ..conftest import html, text_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _grid(plan_data: dict) -> dict:
    """The form fields the financial model page posts, from a stored model."""
    years = plan_data["years"]
    form = {f"year-{i}": year for i, year in enumerate(years)}
    for prefix, table, key_name in (("customer", "income_by_customer", "code"),
                                    ("line", "income_by_service_line", "key")):
        keys = list(plan_data[table][years[0]])
        for row, key in enumerate(keys):
            form[f"{prefix}-{row}-{key_name}"] = key
            for i, year in enumerate(years):
                form[f"{prefix}-{row}-{i}"] = plan_data[table][year][key]
    for part in ("pay", "non_pay", "overheads"):
        for i, year in enumerate(years):
            form[f"spend-{part}-{i}"] = plan_data["expenditure"][year][part]
    for i, year in enumerate(years):
        form[f"wte-{i}"] = plan_data["wte"][year]
    return form


def _summary(response) -> str:
    return html(response).select_one(".nhsuk-error-summary").get_text(" ")


def test_the_form_saves_a_valid_model(css_client):
    plan = build.plan()
    data = dict(plan.financial_model)
    plan.financial_model = None
    db.session.commit()
    response = css_client.post(f"/assurance/plans/{plan.id}/financial-model", data=_grid(data))
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.financial_model["wte"] == data["wte"]


def test_text_in_a_number_field_negative_wte_and_a_missing_year_save_nothing(css_client):
    plan = build.plan()
    before = plan.financial_model
    form = _grid(before)
    form["customer-0-1"] = "lots"
    form["wte-2"] = "-4"
    response = css_client.post(f"/assurance/plans/{plan.id}/financial-model", data=form)
    summary = _summary(response)
    assert "Income by customer, 2014/15" in summary and "not a decimal number" in summary
    assert "Workforce (WTE), 2015/16: must not be negative" in summary
    form = _grid(before) | {"year-3": ""}
    summary = _summary(css_client.post(f"/assurance/plans/{plan.id}/financial-model", data=form))
    assert "Financial years: enter year 4" in summary
    db.session.refresh(plan)
    assert plan.financial_model == before


def _template(css_client, plan):
    response = css_client.get(f"/assurance/financial-model-template.xlsx?plan_id={plan.id}")
    assert response.status_code == 200 and response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.data))


def _upload(css_client, plan, book, name="model.xlsx"):
    output = io.BytesIO()
    book.save(output)
    return css_client.post(f"/assurance/plans/{plan.id}/financial-model/upload",
                           data={"workbook": (io.BytesIO(output.getvalue()), name)},
                           content_type="multipart/form-data")


def test_the_template_round_trips(css_client):
    plan = build.plan()
    book = _template(css_client, plan)
    assert book["Income by customer"]["C1"].value == "2013/14"
    book["Workforce"]["F2"] = 123.5
    response = _upload(css_client, plan, book)
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.financial_model["wte"]["2016/17"] == "123.5"


def test_an_empty_template_lists_the_region_ccgs(css_client):
    response = css_client.get("/assurance/financial-model-template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["Income by customer"]
    codes = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "05A" in codes and codes[-2:] == ["board", "other"]  # 05A: Coventry and Rugby


def test_upload_errors_name_sheet_and_cell_and_save_nothing(css_client):
    plan = build.plan()
    before = plan.financial_model
    book = _template(css_client, plan)
    book["Income by customer"]["C5"] = "about a million"
    book["Workforce"]["D2"] = -3
    book["Expenditure"]["F1"] = None
    response = _upload(css_client, plan, book)
    assert response.status_code == 400
    summary = _summary(response)
    assert "Expenditure!F1: enter the financial year, like 2013/14" in summary

    book["Expenditure"]["F1"] = "2016/17"
    summary = _summary(_upload(css_client, plan, book))
    assert "Income by customer!C5: enter a number" in summary

    book["Income by customer"]["C5"] = 1000
    summary = _summary(_upload(css_client, plan, book))
    assert "Workforce!D2: must not be negative" in summary
    db.session.refresh(plan)
    assert plan.financial_model == before


def test_an_upload_that_is_not_a_workbook_is_refused(css_client):
    plan = build.plan()
    response = css_client.post(
        f"/assurance/plans/{plan.id}/financial-model/upload",
        data={"workbook": (io.BytesIO(b"MZ\x90\x00 not a workbook"), "model.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not an Excel workbook" in text_of(response)


def test_a_submitted_plan_takes_no_upload(css_client):
    plan = build.plan(submitted=True)
    book = _template(css_client, plan)
    response = _upload(css_client, plan, book)
    assert response.status_code == 400
    assert "cannot change" in text_of(response)


FORMULA_NAMES = ['=HYPERLINK("http://example.com/x","Click")', "+1+1", "-2+3", "@SUM(A1)"]


def test_the_template_writes_service_line_names_as_text_never_formulas(css_client):
    seed_specifications()  # six service lines to rename
    plan = build.plan()
    model = dict(plan.financial_model)
    by_line = {}
    for year, lines in model["income_by_service_line"].items():
        renamed = dict(zip(FORMULA_NAMES, lines.values(), strict=False))
        renamed |= {key: value for key, value in list(lines.items())[len(FORMULA_NAMES):]}
        by_line[year] = renamed
    plan.financial_model = model | {"income_by_service_line": by_line}
    db.session.commit()

    response = css_client.get(f"/assurance/financial-model-template.xlsx?plan_id={plan.id}")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [archive.read(name) for name in archive.namelist()
                  if name.startswith("xl/worksheets/")]
    assert not any(b"<f>" in sheet or b"<x:f>" in sheet for sheet in sheets)
    sheet = load_workbook(io.BytesIO(response.data))["Income by service line"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2, max_row=len(FORMULA_NAMES) + 1)]
    assert [cell.value for cell in cells] == FORMULA_NAMES
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def test_the_form_keeps_the_pct_baseline_and_surpluses_the_checks_use(css_client):
    # A weak plan: the same WTE every year. With its PCT cluster's figures stated as those of
    # its first year, the check finds the workforce copied.
    plan = build.plan(weak=True)
    data = plan.financial_model
    first = data["years"][0]
    pay = data["expenditure"][first]["pay"]
    form = _grid(data) | {"baseline-wte": data["wte"][first], "baseline-pay": pay,
                          "retained-1": "50000"}
    response = css_client.post(f"/assurance/plans/{plan.id}/financial-model", data=form)
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.financial_model["pct_baseline"] == {"wte": data["wte"][first], "pay": pay}
    assert plan.financial_model["retained_surplus"] == {data["years"][1]: "50000"}
    page = html(css_client.get(f"/assurance/plans/{plan.id}/check"))
    flags = {card["data-flag"] for card in page.select("#analysis .analysis-flag")}
    assert {"surplus_retention"} <= flags
    edit = html(css_client.get(f"/assurance/plans/{plan.id}/financial-model"))
    assert edit.select_one("#baseline-wte")["value"] == data["wte"][first]
    assert edit.select_one("label[for=baseline-pay]").get_text(strip=True) == \
        "Their pay in a year"


def test_half_a_baseline_is_refused(css_client):
    plan = build.plan()
    form = _grid(plan.financial_model) | {"baseline-wte": "150"}
    summary = _summary(css_client.post(f"/assurance/plans/{plan.id}/financial-model",
                                       data=form))
    assert "PCT cluster baseline: enter its pay as well, or neither" in summary
    form = _grid(plan.financial_model) | {"baseline-wte": "many", "baseline-pay": "1"}
    summary = _summary(css_client.post(f"/assurance/plans/{plan.id}/financial-model",
                                       data=form))
    assert "PCT cluster baseline, wte: must be a number" in summary


def test_the_template_carries_the_pct_baseline_and_surplus_kept(css_client):
    plan = build.plan()
    book = _template(css_client, plan)
    sheet = book["Workforce"]
    assert [sheet[f"A{row}"].value for row in (3, 4, 5)] == [
        "retained_surplus", "pct_baseline_wte", "pct_baseline_pay"]
    sheet["D3"] = 25000
    sheet["C4"] = 160.5
    sheet["C5"] = "7100000"
    assert _upload(css_client, plan, book).status_code == 302
    db.session.refresh(plan)
    assert plan.financial_model["pct_baseline"] == {"wte": "160.5", "pay": "7100000"}
    assert plan.financial_model["retained_surplus"] == {"2014/15": "25000"}
    # ... and the next template is filled in with them.
    sheet = _template(css_client, plan)["Workforce"]
    assert (sheet["C4"].value, sheet["D3"].value) == (160.5, 25000)


def test_half_a_baseline_in_the_template_names_the_cell(css_client):
    plan = build.plan()
    book = _template(css_client, plan)
    book["Workforce"]["C4"] = 160
    book["Workforce"]["C5"] = None  # the demo plan states its baseline: take half away
    response = _upload(css_client, plan, book)
    assert response.status_code == 400
    assert "Workforce!C5: enter the PCT cluster's WTE and pay together" in text_of(response)


def test_a_template_made_before_the_optional_rows_still_uploads(css_client):
    plan = build.plan()
    book = _template(css_client, plan)
    book["Workforce"].delete_rows(3, 3)
    assert _upload(css_client, plan, book).status_code == 302
    db.session.refresh(plan)
    assert "pct_baseline" not in plan.financial_model


def test_the_template_offers_ccg_and_specification_codes_as_lists(css_client):
    seed_specifications()
    plan = build.plan()
    book = _template(css_client, plan)
    lists = book["Lists"]
    assert lists.sheet_state == "hidden"
    customers = [row[0].value for row in lists.iter_rows(min_row=2) if row[0].value]
    specs = [row[2].value for row in lists.iter_rows(min_row=2) if row[2].value]
    assert "05A" in customers and customers[-2:] == ["board", "other"]
    assert "BI-DSS" in specs and specs[-1] == "other"
    for sheet, column in (("Income by customer", "A"), ("Income by service line", "C")):
        rules = book[sheet].data_validations.dataValidation
        assert len(rules) == 1 and rules[0].type == "list"
        assert rules[0].formula1.startswith(f"Lists!${column}$2:${column}$")
        assert "A2:A300" in str(rules[0].sqref) and rules[0].showErrorMessage
    lines = book["Income by service line"]
    assert lines["A2"].value == "BI-DSS"
    assert lines["B2"].value == "Decision support, dashboards and benchmarking"


def test_an_unknown_specification_or_ccg_code_is_refused_at_its_cell(css_client):
    seed_specifications()
    plan = build.plan()
    before = plan.financial_model
    book = _template(css_client, plan)
    book["Income by service line"]["A3"] = "XX-NOPE"
    book["Income by customer"]["A2"] = "99Z"
    summary = _summary(_upload(css_client, plan, book))
    assert ("Income by customer!A2: there is no CCG with ODS code 99Z") in summary
    book["Income by customer"]["A2"] = before["income_by_customer"]["2013/14"] and \
        next(iter(before["income_by_customer"]["2013/14"]))
    summary = _summary(_upload(css_client, plan, book))
    assert ("Income by service line!A3: there is no catalogue specification with code "
            "XX-NOPE") in summary
    assert summary.count("XX-NOPE") == 1  # once, not once a year
    db.session.refresh(plan)
    assert plan.financial_model == before


def test_lower_case_specification_codes_are_read_as_the_catalogues(css_client):
    seed_specifications()
    plan = build.plan()
    book = _template(css_client, plan)
    book["Income by service line"]["A2"] = "bi-dss"
    assert _upload(css_client, plan, book).status_code == 302
    db.session.refresh(plan)
    assert "BI-DSS" in plan.financial_model["income_by_service_line"]["2013/14"]
