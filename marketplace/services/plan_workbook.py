"""The financial model as an XLSX workbook: a template to download, and an upload to read.

Each sheet has the four financial years across row 1 (columns C to F) and one row per
customer, service line, expenditure category or the workforce below. Every problem found is
reported against its cell, like "Income by customer!C5: enter a number", and nothing is
saved unless the whole workbook reads cleanly.
"""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from sqlalchemy import select

from marketplace.domain.business_plan import BOARD, OTHER, Expenditure
from marketplace.extensions import db
from marketplace.models import BusinessPlan, Organisation, OrganisationKind, ServiceSpecification

from .archives import DAMAGED, ZIP_SIGNATURE, ArchiveLimits, ArchiveRefused, check_archive
from .business_plans import PlanInvalid, read_financial_model

CUSTOMERS = "Income by customer"
SERVICE_LINES = "Income by service line"
EXPENDITURE = "Expenditure"
WORKFORCE = "Workforce"
FIRST_YEAR_COLUMN = 3  # C
YEAR_COLUMNS = range(FIRST_YEAR_COLUMN, FIRST_YEAR_COLUMN + 4)
DEFAULT_YEARS = ("2013/14", "2014/15", "2015/16", "2016/17")
EXPENDITURE_ROWS = (("pay", "Pay"), ("non_pay", "Non-pay"), ("overheads", "Overheads"))
LISTS = "Lists"  # hidden: the codes the two income sheets offer in drop-down lists
# Optional rows of the Workforce sheet, below WTE: the checks' extra figures. Templates made
# before they existed still upload.
RETAINED_ROW = "retained_surplus"
BASELINE_ROWS = (("pct_baseline_wte", "wte", "PCT cluster baseline: whole-time equivalent "
                                             "staff (optional, first column only)"),
                 ("pct_baseline_pay", "pay", "PCT cluster baseline: their pay in a year "
                                             "(optional, first column only)"))
_YEAR = re.compile(r"[0-9]{4}/[0-9]{2}")
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024


# --- the template ----------------------------------------------------------------------------


def _header(sheet, first: str, second: str, years) -> None:
    sheet.append([first, second, *years])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 44
    for column in YEAR_COLUMNS:
        sheet.column_dimensions[get_column_letter(column)].width = 16


def template(plan: BusinessPlan | None, ccgs: list[Organisation]) -> bytes:
    """A workbook pre-filled with the plan's figures, or the region's CCGs and no figures."""
    data = (plan.financial_model if plan is not None else None) or {}
    years = data.get("years") or DEFAULT_YEARS
    book = Workbook()
    notes = book.active
    notes.title = "Instructions"
    for line in (
        "CSS Marketplace: business plan financial model",
        "Enter four consecutive financial years in row 1 of every sheet (C1 to F1).",
        "Amounts are pounds, with no £ sign needed. Nothing may be negative.",
        "Customers: a CCG's 3-character ODS code, 'board' (the NHS Commissioning Board) or "
        "'other'. Service lines: a catalogue specification's code, or 'other'. Both columns A "
        "offer the codes as a list (the names are on the hidden Lists sheet). Total income "
        "by customer must equal total income by service line each year.",
        "Leave a whole row blank to ignore it. Upload the file on the plan's page.",
    ):
        notes.append([line])
    names = customer_names()
    specifications = current_specifications()
    described = {spec.code: spec.name for spec in specifications} | {
        OTHER: "Other income (no catalogue specification)"}

    sheet = book.create_sheet(CUSTOMERS)
    _header(sheet, "Customer code", "Customer name", years)
    by_customer = data.get("income_by_customer") or {}
    codes = list(dict.fromkeys(c for y in years for c in by_customer.get(y, {}))) or [
        *(ccg.ods_code for ccg in ccgs), BOARD, OTHER]
    for code in codes:
        sheet.append([code, names.get(code, ""),
                      *(_figure(by_customer, y, code) for y in years)])

    sheet = book.create_sheet(SERVICE_LINES)
    _header(sheet, "Specification code", "Specification", years)
    by_line = data.get("income_by_service_line") or {}
    lines = list(dict.fromkeys(s for y in years for s in by_line.get(y, {}))) or [
        *described]
    for key in lines:
        sheet.append([key, described.get(key, ""), *(_figure(by_line, y, key) for y in years)])

    _offer_lists(book, list(names.items()), list(described.items()))

    sheet = book.create_sheet(EXPENDITURE)
    _header(sheet, "Category", "Description", years)
    spend = data.get("expenditure") or {}
    for key, label in EXPENDITURE_ROWS:
        sheet.append([key, label, *(_figure(spend, y, key) for y in years)])

    sheet = book.create_sheet(WORKFORCE)
    _header(sheet, "Measure", "Description", years)
    wte = data.get("wte") or {}
    sheet.append(["wte", "Whole-time equivalent staff",
                  *(Decimal(wte[y]) if y in wte else None for y in years)])
    retained = data.get("retained_surplus") or {}
    sheet.append([RETAINED_ROW, "Surplus the plan keeps (optional)",
                  *(Decimal(retained[y]) if y in retained else None for y in years)])
    baseline = data.get("pct_baseline") or {}
    for key, part, words in BASELINE_ROWS:
        sheet.append([key, words, Decimal(baseline[part]) if part in baseline else None])

    for sheet in book.worksheets:
        _keep_text_as_text(sheet)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


CUSTOMER_WORDS = {BOARD: "NHS Commissioning Board", OTHER: "Other customers"}


def customer_names() -> dict[str, str]:
    """Every CCG's name by its ODS code, then the Board and other customers."""
    return {code: name for code, name in db.session.execute(
        select(Organisation.ods_code, Organisation.name).where(
            Organisation.kind == OrganisationKind.CCG, Organisation.ods_code.is_not(None))
        .order_by(Organisation.ods_code))} | CUSTOMER_WORDS


def current_specifications() -> list[ServiceSpecification]:
    return list(db.session.scalars(select(ServiceSpecification).where(
        ServiceSpecification.retired_at.is_(None)).order_by(ServiceSpecification.code)))


def _offer_lists(book, customers: list[tuple[str, str]], lines: list[tuple[str, str]]) -> None:
    """Column A of the two income sheets offers its codes as a drop-down list, kept on a
    hidden sheet (a list typed into the rule itself stops at 255 characters). A code typed
    that is not on the list is refused by the spreadsheet, and again on upload."""
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    lists.append(["Customer code", "Customer", "Specification code", "Specification"])
    for row in range(max(len(customers), len(lines))):
        customer = customers[row] if row < len(customers) else ("", "")
        line = lines[row] if row < len(lines) else ("", "")
        lists.append([*customer, *line])
    for sheet_name, column, count, what in (
            (CUSTOMERS, "A", len(customers), "a CCG's ODS code, board or other"),
            (SERVICE_LINES, "C", len(lines), "a catalogue specification's code, or other")):
        if not count:
            continue
        rule = DataValidation(type="list", formula1=f"{LISTS}!${column}$2:${column}$"
                                                    f"{count + 1}", allow_blank=True)
        rule.error = f"Choose {what} from the list."
        rule.errorTitle = "Not on the list"
        rule.prompt = f"Choose {what}."
        rule.showErrorMessage = True
        rule.showInputMessage = True
        book[sheet_name].add_data_validation(rule)
        rule.add(f"A2:A{MAX_ROWS}")


# What a spreadsheet reads as the start of a formula (or of DDE: "=cmd|...", "@SUM(...)").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _keep_text_as_text(sheet) -> None:
    """Customer codes, service-line names and descriptions are the CSS's own text and come back
    in this template: openpyxl would write "=HYPERLINK(...)" as a live formula. Every string is
    stored as a string, and one a spreadsheet would read as a formula also gets the quote
    prefix, so editing the cell in Excel or LibreOffice keeps it text."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True


def _figure(table: dict, year: str, key: str):
    value = table.get(year, {}).get(key)
    return Decimal(value) if value is not None else None


# --- reading an upload ------------------------------------------------------------------------
#
# Only the template's range is read: columns A to F of rows 1 to MAX_ROWS of the four sheets,
# in openpyxl's read-only mode, which streams each sheet and stops at the last row asked for.
# A sheet whose recorded size runs further is refused rather than read: in normal mode one
# value in row 1,048,576 made openpyxl build every cell above it (14 s, 1.35 GB). The zip is
# checked first (services/archives.py), so the XML openpyxl parses is bounded too; defusedxml,
# which openpyxl uses when it is installed, refuses entity declarations.

MAX_ROWS = 300  # every CCG in England, the Board and "other" fit with room to spare
LAST_COLUMN = FIRST_YEAR_COLUMN + len(YEAR_COLUMNS) - 1  # F
SHEETS = (CUSTOMERS, SERVICE_LINES, EXPENDITURE, WORKFORCE)
WORKBOOK_LIMITS = ArchiveLimits(max_members=500, max_total_bytes=20 * 1024 * 1024,
                                max_ratio=100, forbid_doctype=True)
NOT_A_WORKBOOK = ("The file is not an Excel workbook (.xlsx): download the template and fill "
                  "that in")
UNREADABLE = ("The workbook cannot be read. Open it in a spreadsheet program, save it as a new "
              ".xlsx file and upload that")
NO_SAVED_VALUE = ("holds a formula with no saved value: open the workbook in a spreadsheet "
                  "program, save it, and upload it again")


@dataclass
class _Sheet:
    """The values of one sheet within the template's range, by (row, column)."""

    title: str
    values: dict[tuple[int, int], object] = field(default_factory=dict)

    def value(self, row: int, column: int):
        return self.values.get((row, column))

    @property
    def last_row(self) -> int:
        return max((row for row, _ in self.values), default=1)


def _is_formula(value) -> bool:
    return (isinstance(value, str) and value.startswith("=")) or isinstance(
        value, ArrayFormula | DataTableFormula)


def _read_range(content: bytes, *, data_only: bool, problems: list) -> dict[str, _Sheet]:
    """The template's range of each sheet, as openpyxl reads it (saved values or formulas)."""
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=data_only)
    try:
        missing = [name for name in SHEETS if name not in book.sheetnames]
        if missing:
            raise PlanInvalid([("document", f"The workbook has no sheet called “{name}”")
                               for name in missing])
        sheets = {}
        for name in SHEETS:
            source = book[name]
            sheet = sheets[name] = _Sheet(name)
            recorded = source.max_row or 0  # from the sheet's own <dimension>, if it has one
            if recorded > MAX_ROWS:
                problems.append((f"{name}!A{recorded}", _beyond(recorded)))
                continue
            rows = source.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=LAST_COLUMN,
                                    values_only=True)
            for row_number, row in enumerate(rows, start=1):
                for column, value in enumerate(row, start=1):
                    if value is None:
                        continue
                    if row_number > MAX_ROWS:  # a sheet that did not record its size
                        problems.append((f"{name}!{get_column_letter(column)}{row_number}",
                                         _beyond(row_number)))
                        break
                    sheet.values[row_number, column] = value
        return sheets
    finally:
        book.close()  # read-only mode keeps the zip open until closed


def _beyond(row: int) -> str:
    return (f"the sheet runs to row {row:,}, but the financial model is read from rows 1 to "
            f"{MAX_ROWS} only. Delete the rows below row {MAX_ROWS} and upload the workbook "
            "again")


def _read_sheets(content: bytes) -> dict[str, _Sheet]:
    try:
        check_archive(content, WORKBOOK_LIMITS)
    except ArchiveRefused as refused:
        problem = NOT_A_WORKBOOK if refused.message == DAMAGED else refused.message
        raise PlanInvalid([("document", problem)]) from None
    problems: list[tuple[str, str]] = []
    try:
        saved = _read_range(content, data_only=True, problems=problems)
        if problems:
            raise PlanInvalid(problems)
        # A formula's result is only in the file if a spreadsheet program saved it; read
        # without one, the cell would count as blank, that is £0.
        formulas = _read_range(content, data_only=False, problems=problems)
    except PlanInvalid:
        raise
    except Exception:
        # openpyxl on a file it cannot make sense of raises almost anything (parse errors,
        # defusedxml's refusals, KeyError for a missing part, TypeError from its descriptors).
        # Only openpyxl runs in here; our own checks come after, on plain values.
        raise PlanInvalid([("document", UNREADABLE)]) from None
    for name, sheet in formulas.items():
        for (row, column), value in sorted(sheet.values.items()):
            if _is_formula(value) and saved[name].value(row, column) is None:
                problems.append((f"{name}!{get_column_letter(column)}{row}", NO_SAVED_VALUE))
    if problems:
        raise PlanInvalid(problems)
    return saved


class _Reader:
    def __init__(self):
        self.problems: list[tuple[str, str]] = []
        # domain field path -> cell, so the domain's own checks are reported by cell too
        self.cells: dict[str, str] = {}

    def problem(self, sheet: str, ref: str, message: str) -> None:
        self.problems.append((f"{sheet}!{ref}", message))

    def years(self, sheet: _Sheet) -> list[str]:
        found = []
        for column in YEAR_COLUMNS:
            ref = f"{get_column_letter(column)}1"
            value = sheet.value(1, column)
            text = str(value).strip() if value is not None else ""
            if not _YEAR.fullmatch(text):
                self.problem(sheet.title, ref, "enter the financial year, like 2013/14")
            found.append(text)
        return found

    def number(self, sheet: _Sheet, row: int, column: int, path: str, *, blank_is_zero: bool):
        ref = f"{get_column_letter(column)}{row}"
        self.cells[path] = f"{sheet.title}!{ref}"
        value = sheet.value(row, column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if blank_is_zero:
                return Decimal(0)
            self.problem(sheet.title, ref, "enter a number")
            return None
        if isinstance(value, bool):
            self.problem(sheet.title, ref, "enter a number")
            return None
        if isinstance(value, int | Decimal):
            return Decimal(value)
        try:
            # Excel keeps numbers as binary doubles; their shortest text form is what was typed.
            read = Decimal(str(value).strip().replace(",", "").lstrip("£"))
        except InvalidOperation:
            self.problem(sheet.title, ref, "enter a number")
            return None
        if not read.is_finite():
            self.problem(sheet.title, ref, "enter a number")
            return None
        return read

    def keyed_rows(self, sheet: _Sheet, years, what: str, table_name: str) -> dict:
        table: dict[str, dict[str, Decimal]] = {year: {} for year in years}
        seen: dict[str, int] = {}
        for row in range(2, sheet.last_row + 1):
            key = sheet.value(row, 1)
            key = str(key).strip() if key is not None else ""
            figures = [sheet.value(row, c) for c in YEAR_COLUMNS]
            if not key:
                if any(v not in (None, "") for v in figures):
                    self.problem(sheet.title, f"A{row}", f"enter the {what} for this row")
                continue
            key = normal_key(key, customer=what == "customer code")
            self.cells[f"{table_name}[{key}]"] = f"{sheet.title}!A{row}"
            if key in seen:
                self.problem(sheet.title, f"A{row}", f"{key} is already on row {seen[key]}")
                continue
            seen[key] = row
            for column, year in zip(YEAR_COLUMNS, years, strict=True):
                path = f"{table_name}[{year}][{key}]"
                value = self.number(sheet, row, column, path, blank_is_zero=True)
                if value is not None:
                    table[year][key] = value
        return table


def normal_key(key: str, *, customer: bool) -> str:
    """ODS codes and specification codes upper case; "board" and "other" lower case."""
    if key.lower() in ((BOARD, OTHER) if customer else (OTHER,)):
        return key.lower()
    return key.upper() if not customer or len(key) == 3 else key.lower()


def read_upload(content: bytes) -> dict:
    """The raw financial model from a workbook; PlanInvalid naming sheet and cell otherwise."""
    if len(content) > MAX_WORKBOOK_BYTES:
        raise PlanInvalid([("document", "The file must be 10 MB or smaller")])
    if not content.startswith(ZIP_SIGNATURE):
        raise PlanInvalid([("document", NOT_A_WORKBOOK)])
    book = _read_sheets(content)
    reader = _Reader()
    years = reader.years(book[CUSTOMERS])
    for name in (SERVICE_LINES, EXPENDITURE, WORKFORCE):
        for column, (theirs, ours) in enumerate(zip(reader.years(book[name]), years,
                                                    strict=True), start=FIRST_YEAR_COLUMN):
            if theirs and ours and theirs != ours:
                reader.problem(name, f"{get_column_letter(column)}1",
                               f"must be {ours}, as on {CUSTOMERS}")
    if reader.problems:
        raise PlanInvalid(reader.problems)
    raw = {
        "years": years,
        "income_by_customer": reader.keyed_rows(
            book[CUSTOMERS], years, "customer code", "income_by_customer"),
        "income_by_service_line": reader.keyed_rows(
            book[SERVICE_LINES], years, "service line", "income_by_service_line"),
        "expenditure": _expenditure(reader, book[EXPENDITURE], years),
        "wte": {},
    }
    for column, year in zip(YEAR_COLUMNS, years, strict=True):
        value = reader.number(book[WORKFORCE], 2, column, f"wte[{year}]", blank_is_zero=False)
        if value is not None:
            raw["wte"][year] = value
    raw |= _extras(reader, book[WORKFORCE], years)
    if reader.problems:
        raise PlanInvalid(reader.problems)
    try:
        return _checked(raw)
    except PlanInvalid as invalid:
        found = [(_cell_for(reader, path, message), message)
                 for path, message in invalid.problems]
        raise PlanInvalid(list(dict.fromkeys(found))) from None  # a code once, not each year


def _expenditure(reader: _Reader, sheet: _Sheet, years) -> dict:
    spend: dict[str, dict] = {year: {} for year in years}
    for row, (key, label) in enumerate(EXPENDITURE_ROWS, start=2):
        found = str(sheet.value(row, 1) or "").strip().lower()
        if found != key:
            reader.problem(sheet.title, f"A{row}", f"must say {key} ({label})")
            continue
        for column, year in zip(YEAR_COLUMNS, years, strict=True):
            value = reader.number(sheet, row, column, f"expenditure[{year}][{key}]",
                                  blank_is_zero=False)
            if value is not None:
                spend[year][key] = value
    assert set(Expenditure.PARTS) == {key for key, _ in EXPENDITURE_ROWS}
    return spend


def _extras(reader: _Reader, sheet: _Sheet, years) -> dict:
    """The optional rows below WTE, found by their key in column A."""
    rows = {str(sheet.value(row, 1) or "").strip().lower(): row
            for row in range(3, sheet.last_row + 1)}
    extras: dict = {}
    if RETAINED_ROW in rows:
        row = rows[RETAINED_ROW]
        retained = {}
        for column, year in zip(YEAR_COLUMNS, years, strict=True):
            if sheet.value(row, column) in (None, ""):
                continue
            value = reader.number(sheet, row, column, f"retained_surplus[{year}]",
                                  blank_is_zero=True)
            if value is not None:
                retained[year] = value
        if retained:
            extras["retained_surplus"] = retained
    baseline = {}
    for key, part, _words in BASELINE_ROWS:
        if key in rows and sheet.value(rows[key], FIRST_YEAR_COLUMN) not in (None, ""):
            value = reader.number(sheet, rows[key], FIRST_YEAR_COLUMN, f"pct_baseline[{part}]",
                                  blank_is_zero=False)
            if value is not None:
                baseline[part] = value
    if baseline:
        if len(baseline) < len(BASELINE_ROWS):
            missing = next(key for key, part, _ in BASELINE_ROWS if part not in baseline)
            reader.problem(sheet.title, f"C{rows.get(missing, 3)}",
                           "enter the PCT cluster's WTE and pay together, or neither")
        extras["pct_baseline"] = baseline
    return extras


def _checked(raw: dict) -> dict:
    read_financial_model(raw)  # the domain's checks: negatives, totals, consecutive years
    return raw


_KEYED = re.compile(r"(income_by_customer|income_by_service_line)\[[^\]]*\]\[([^\]]*)\]")


def _cell_for(reader: _Reader, path: str, message: str = "") -> str:
    """Map a domain field path back to the cell it came from, where there is one; an unknown
    customer or specification code to the cell holding the code."""
    keyed = _KEYED.fullmatch(path)
    if keyed and message.startswith(("there is no", "customer must be")):
        return reader.cells.get(f"{keyed[1]}[{keyed[2]}]", path)
    if path in reader.cells:
        return reader.cells[path]
    if path.startswith("income_by_service_line["):
        return f"{SERVICE_LINES} (total for {path[len('income_by_service_line['):-1]})"
    if path == "years":
        return f"{CUSTOMERS}!C1:F1"
    return path
