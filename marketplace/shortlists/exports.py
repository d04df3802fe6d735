"""The comparison as CSV and as an Excel workbook, one row per offer.

Money is written as plain numbers (CSV) or numeric cells with a £ format (XLSX), so that a
spreadsheet can add them up. Text that a spreadsheet would run as a formula is defused.
"""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from marketplace.services.shortlists import Comparison

POUNDS_FORMAT = '"£"#,##0.00'
HEADERS = (
    "Offer number",
    "Offer",
    "Specification",
    "Provider",
    "Prospectus version",
    "Version status",
    "Price as offered",
    "£ a year",
    "£ per head a year",
    "Minimum term (months)",
    "Service levels",
    "Assurance status",
)
MONEY_COLUMNS = {"£ a year", "£ per head a year"}


def _safe_text(value: str) -> str:
    # A cell starting with these is a formula to Excel and LibreOffice (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _rows(comparison: Comparison) -> list[list]:
    return [
        [
            row.offer.id,
            _safe_text(row.offer.title),
            _safe_text(row.specification_name),
            _safe_text(row.provider_name),
            row.version_label,
            row.version_status,
            _safe_text(row.price),
            row.annual_cost,
            row.cost_per_head,
            row.minimum_term_months,
            _safe_text("; ".join(f"{measure}: {target}" for measure, target in row.service_levels)),
            row.assurance_status,
        ]
        for row in comparison.offers
    ]


def filename(comparison: Comparison, extension: str) -> str:
    return f"offer-comparison.{extension}"


def comparison_csv(comparison: Comparison) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in _rows(comparison):
        writer.writerow([f"{cell:.2f}" if isinstance(cell, Decimal) else cell for cell in row])
    return buffer.getvalue()


def comparison_xlsx(comparison: Comparison) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Comparison"
    sheet.append([_safe_text(f"Offers compared for {comparison.ccg_name}")])
    sheet.append(["Registered population", comparison.population])
    sheet.append([])
    sheet.append(HEADERS)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    for values in _rows(comparison):
        sheet.append(values)
        for column, header in enumerate(HEADERS, start=1):
            cell = sheet.cell(row=sheet.max_row, column=column)
            if header in MONEY_COLUMNS:
                cell.number_format = POUNDS_FORMAT
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for column, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(14, len(header) + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
