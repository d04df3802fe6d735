"""A month's performance return as an XLSX workbook: a template to download, an upload to read.

The sheet "Return" has a header in row 1 and one row per KPI due that month: its reference
(column A), what is measured, unit and target (B to D, for the reader), the figure (E) and
the commentary (F). The upload is read as plan_workbook.py reads business plans: the zip
checked first (services/archives.py), then openpyxl in read-only mode over a bounded range
only, and every problem reported against its cell. Its figures then go through the same
service as the web form (performance_returns.submit_return), so the same checks apply.
"""

import io
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from marketplace.domain.service_levels import plain_number
from marketplace.models import AgreementKpi

from .archives import DAMAGED, ZIP_SIGNATURE, ArchiveLimits, ArchiveRefused, check_archive
from .performance_returns import FigureInput

SHEET = "Return"
HEADER = ("KPI reference", "What is measured", "Unit", "Target", "Figure", "Commentary")
FIGURE_COLUMN, COMMENTARY_COLUMN = 5, 6  # E, F
LAST_COLUMN = len(HEADER)
MAX_ROWS = 101  # the header and 100 KPIs: far more than an agreement has
MAX_WORKBOOK_BYTES = 2 * 1024 * 1024
MAX_TEXT = 2000
LIMITS = ArchiveLimits(max_members=100, max_total_bytes=10 * 1024 * 1024, max_ratio=100,
                       forbid_doctype=True)
NOT_A_WORKBOOK = ("The file is not an Excel workbook (.xlsx): download the return as a "
                  "spreadsheet and fill that in")
UNREADABLE = ("The workbook cannot be read. Open it in a spreadsheet program, save it as a new "
              ".xlsx file and upload that")


class WorkbookInvalid(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{cell}: {message}" for cell, message in problems))
        self.problems = problems

    def messages(self) -> list[str]:
        return [f"{cell}: {message}" if cell else message for cell, message in self.problems]


@dataclass(frozen=True)
class ReadReturn:
    figures: dict[int, FigureInput]
    cells: dict[int, str]  # KPI id → the cell its figure came from, to name in refusals


def template(kpis: list[AgreementKpi], period_label: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for kpi in kpis:
        target = plain_number(kpi.target) if kpi.target is not None else ""
        sheet.append([kpi.id, kpi.measure, kpi.unit_label, target, None, None])
    for column, width in zip("ABCDEF", (14, 44, 16, 10, 10, 60), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("Instructions")
    for line in (
        f"Performance return for {period_label}.",
        "Enter each figure in column E as a number in the KPI's unit (no % sign needed), and "
        "any commentary in column F. Do not change columns A to D.",
        "Upload the file on the return's page. Nothing is saved unless every row reads "
        "cleanly.",
    ):
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(content: bytes) -> list[tuple]:
    try:
        check_archive(content, LIMITS)
    except ArchiveRefused as refused:
        problem = NOT_A_WORKBOOK if refused.message == DAMAGED else refused.message
        raise WorkbookInvalid([("", problem)]) from None
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        # openpyxl raises almost anything on a file it cannot make sense of.
        raise WorkbookInvalid([("", UNREADABLE)]) from None
    try:
        if SHEET not in book.sheetnames:
            raise WorkbookInvalid([("", f"The workbook has no sheet called “{SHEET}”")])
        source = book[SHEET]
        recorded = source.max_row or 0
        if recorded > MAX_ROWS:
            raise WorkbookInvalid([(f"{SHEET}!A{recorded}", _beyond(recorded))])
        rows = []
        try:
            for number, row in enumerate(source.iter_rows(
                    min_row=1, max_row=MAX_ROWS + 1, max_col=LAST_COLUMN, values_only=True),
                    start=1):
                if number > MAX_ROWS:
                    if any(value is not None for value in row):
                        raise WorkbookInvalid([(f"{SHEET}!A{number}", _beyond(number))])
                    break
                rows.append(tuple(row) + (None,) * (LAST_COLUMN - len(row)))
        except WorkbookInvalid:
            raise
        except Exception:
            raise WorkbookInvalid([("", UNREADABLE)]) from None
        return rows
    finally:
        book.close()


def _beyond(row: int) -> str:
    return (f"the sheet runs to row {row:,}, but a return is read from rows 1 to {MAX_ROWS} "
            "only. Delete the rows below and upload the workbook again")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # A spreadsheet keeps numbers as floats; repr gives back what was typed (93.5).
        return repr(value).removesuffix(".0") if value == int(value) else repr(value)
    return str(value).strip()


def read_upload(content: bytes, kpis: list[AgreementKpi]) -> ReadReturn:
    """The figures of a month's return from its workbook; WorkbookInvalid naming cells."""
    if len(content) > MAX_WORKBOOK_BYTES:
        raise WorkbookInvalid([("", "The file must be 2 MB or smaller")])
    if not content.startswith(ZIP_SIGNATURE):
        raise WorkbookInvalid([("", NOT_A_WORKBOOK)])
    rows = _rows(content)
    due = {kpi.id: kpi for kpi in kpis}
    problems: list[tuple[str, str]] = []
    figures: dict[int, FigureInput] = {}
    cells: dict[int, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        reference, figure, commentary = row[0], row[FIGURE_COLUMN - 1], row[COMMENTARY_COLUMN - 1]
        if all(value is None for value in row):
            continue
        try:
            kpi_id = int(_text(reference))
        except ValueError:
            kpi_id = None
        if kpi_id not in due:
            problems.append((f"{SHEET}!A{number}", "is not a service level due in this "
                             "month's return: do not change column A"))
            continue
        if kpi_id in figures:
            problems.append((f"{SHEET}!A{number}", f"repeats {due[kpi_id].measure}"))
            continue
        text = _text(commentary)
        if len(text) > MAX_TEXT:
            problems.append((f"{SHEET}!F{number}",
                             f"keep the commentary to {MAX_TEXT:,} characters or fewer"))
        figures[kpi_id] = FigureInput(_text(figure), text)
        cells[kpi_id] = f"{SHEET}!E{number}"
    for kpi in kpis:
        if kpi.id not in figures:
            problems.append(("", f"The workbook has no row for {kpi.measure}: download the "
                             "return as a spreadsheet again"))
    if problems:
        raise WorkbookInvalid(problems)
    return ReadReturn(figures, cells)
