"""The same monthly return as an XLSX upload: read in read-only mode over a bounded range,
checked exactly as the form is, every problem named by its cell, nothing saved otherwise."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from ..conftest import text_of
from .test_performance_returns import agreement, kpi_ids, returns  # noqa: F401  (fixture)


def download(client, agreement):  # noqa: F811
    return client.get(f"/customers/agreements/{agreement.id}/returns/return.xlsx?period=1")


def filled(client, agreement, dashboard=9, queries=93.5):  # noqa: F811
    book = load_workbook(io.BytesIO(download(client, agreement).data))
    sheet = book["Return"]
    sheet["E2"], sheet["F2"] = dashboard, "Sent on working day 9."
    sheet["E3"] = queries
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, agreement, content, name="return.xlsx"):  # noqa: F811
    return client.post(f"/customers/agreements/{agreement.id}/returns/upload",
                       data={"period": 1, "workbook": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_the_template_lists_the_kpis_due_that_month(css_client, agreement):  # noqa: F811
    response = download(css_client, agreement)
    assert response.status_code == 200
    assert 'filename="SLA-TEST-' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data))["Return"]
    rows = list(sheet.iter_rows(values_only=True))
    dashboard_id, queries_id = kpi_ids(agreement)
    assert rows[0][:5] == ("KPI reference", "What is measured", "Unit", "Target", "Figure")
    assert [row[:4] for row in rows[1:]] == [
        (dashboard_id, "Monthly dashboard delivered", "Working days", "10"),
        (queries_id, "Queries answered within 2 days", "Percentage (%)", "95")]


def test_an_uploaded_return_is_submitted_like_the_form(css_client, agreement):  # noqa: F811
    response = upload(css_client, agreement, filled(css_client, agreement))
    assert response.status_code == 302
    [made] = returns()
    dashboard, queries = made.figures
    assert (str(dashboard.value), dashboard.commentary, str(queries.value)) == (
        "9.00", "Sent on working day 9.", "93.50")
    assert queries.rating.value == "within_tolerance"


@pytest.mark.parametrize(("values", "message"), [
    ({"queries": 101}, "Return!E3: The figure for Queries answered within 2 days must be "
                       "between 0 and 100%"),
    ({"dashboard": "9%"}, "Return!E2: The figure for Monthly dashboard delivered is in "
                          "working days, not a percentage"),
    ({"dashboard": None}, "Return!E2: Enter the figure for Monthly dashboard delivered"),
])
def test_bad_figures_are_named_by_their_cell_and_nothing_is_saved(css_client, agreement,  # noqa: F811
                                                                  values, message):
    response = upload(css_client, agreement, filled(css_client, agreement, **values))
    assert response.status_code == 400
    assert message in text_of(response)
    assert returns() == []


def test_a_file_that_is_not_a_workbook_is_refused(css_client, agreement):  # noqa: F811
    response = upload(css_client, agreement, b"figures,9,93.5\n", "return.csv")
    assert response.status_code == 400
    assert "The file is not an Excel workbook (.xlsx)" in text_of(response)
    assert returns() == []


def test_rows_beyond_the_bounded_range_are_refused_unread(css_client, agreement):  # noqa: F811
    book = load_workbook(io.BytesIO(filled(css_client, agreement)))
    book["Return"]["A5000"] = "x"
    out = io.BytesIO()
    book.save(out)
    response = upload(css_client, agreement, out.getvalue())
    assert response.status_code == 400
    assert "Return!A5000: the sheet runs to row 5,000" in text_of(response)
    assert returns() == []


def test_a_workbook_without_the_return_sheet_is_refused(css_client, agreement):  # noqa: F811
    out = io.BytesIO()
    Workbook().save(out)
    response = upload(css_client, agreement, out.getvalue())
    assert "The workbook has no sheet called “Return”" in text_of(response)


@pytest.mark.parametrize(("email", "status"), [
    ("css2@demo.test", 404), ("ccg@demo.test", 403), ("ccg2@demo.test", 403),
    ("bdu@demo.test", 403),
])
def test_only_the_provider_downloads_and_uploads_returns(sign_in, css_client, agreement,  # noqa: F811
                                                         email, status):
    content = filled(css_client, agreement)
    client = sign_in(email)
    assert download(client, agreement).status_code == status
    assert upload(client, agreement, content).status_code == status
    assert returns() == []
