"""The financial model as a grid of form inputs: built from a plan, read back from a post.

Inputs are named by position (customer-2-code, customer-2-0 for the first year ...), so the
grid re-renders exactly what was typed when something is refused.
"""

from dataclasses import dataclass, field

from marketplace.domain.business_plan import Expenditure
from marketplace.services.plan_workbook import DEFAULT_YEARS, normal_key
from marketplace.validators import NUL, NUL_MESSAGE

SPARE_ROWS = 3
MAX_KEY_LENGTH = 100
MAX_ROWS = 200
SPEND_LABELS = {"pay": "Pay", "non_pay": "Non-pay", "overheads": "Overheads"}


@dataclass
class Grid:
    years: list[str]
    customers: list[tuple[str, list[str]]] = field(default_factory=list)
    lines: list[tuple[str, list[str]]] = field(default_factory=list)
    spend: dict[str, list[str]] = field(default_factory=dict)
    wte: list[str] = field(default_factory=list)
    # Optional: the PCT cluster's workforce the plan starts from, and surpluses it keeps.
    baseline: dict[str, str] = field(default_factory=lambda: {"wte": "", "pay": ""})
    retained: list[str] = field(default_factory=lambda: ["", "", "", ""])


def _blank_rows(rows, count):
    return rows + [("", ["", "", "", ""]) for _ in range(count)]


def grid_from_model(data: dict | None, ccg_codes: list[str],
                    specification_codes: list[str] = ()) -> Grid:
    data = data or {}
    years = list(data.get("years") or DEFAULT_YEARS)

    def keyed(table, defaults):
        table = data.get(table) or {}
        keys = list(dict.fromkeys(k for y in years for k in table.get(y, {}))) or defaults
        return [(k, [table.get(y, {}).get(k, "") for y in years]) for k in keys]

    spend = data.get("expenditure") or {}
    return Grid(
        years=years,
        customers=_blank_rows(keyed("income_by_customer", [*ccg_codes, "board", "other"]),
                              SPARE_ROWS),
        lines=_blank_rows(keyed("income_by_service_line", [*specification_codes, "other"]),
                          SPARE_ROWS),
        spend={p: [spend.get(y, {}).get(p, "") for y in years] for p in Expenditure.PARTS},
        wte=[(data.get("wte") or {}).get(y, "") for y in years],
        baseline={part: (data.get("pct_baseline") or {}).get(part, "") for part in ("wte", "pay")},
        retained=[(data.get("retained_surplus") or {}).get(y, "") for y in years],
    )


def grid_from_form(form) -> Grid:
    def rows(prefix, key_name):
        found = []
        for row in range(MAX_ROWS):
            if f"{prefix}-{row}-{key_name}" not in form:
                break
            found.append((form.get(f"{prefix}-{row}-{key_name}", "").strip(),
                          [form.get(f"{prefix}-{row}-{i}", "").strip() for i in range(4)]))
        return found

    return Grid(
        years=[form.get(f"year-{i}", "").strip() for i in range(4)],
        customers=rows("customer", "code"),
        lines=rows("line", "key"),
        spend={p: [form.get(f"spend-{p}-{i}", "").strip() for i in range(4)]
               for p in Expenditure.PARTS},
        wte=[form.get(f"wte-{i}", "").strip() for i in range(4)],
        baseline={part: form.get(f"baseline-{part}", "").strip() for part in ("wte", "pay")},
        retained=[form.get(f"retained-{i}", "").strip() for i in range(4)],
    )


def raw_from_grid(grid: Grid) -> tuple[dict, list[str]]:
    """The raw financial model, and the blanks that stop it being read at all."""
    problems = []
    years = grid.years
    cells = [*years, *grid.wte, *(v for values in grid.spend.values() for v in values),
             *(text for key, values in (*grid.customers, *grid.lines) for text in (key, *values))]
    if any(NUL in cell for cell in cells):
        problems.append(NUL_MESSAGE)
    if any(len(key) > MAX_KEY_LENGTH for key, _ in (*grid.customers, *grid.lines)):
        problems.append(f"Keep each customer and service line name to {MAX_KEY_LENGTH} "
                        "characters or fewer")
    for index, year in enumerate(years):
        if not year:
            problems.append(f"Financial years: enter year {index + 1}, like 2013/14")
    raw = {"years": years, "income_by_customer": {y: {} for y in years},
           "income_by_service_line": {y: {} for y in years},
           "expenditure": {y: {} for y in years}, "wte": {}}
    for table, rows, what in (("income_by_customer", grid.customers, "customer"),
                              ("income_by_service_line", grid.lines, "service line")):
        for key, values in rows:
            if not key:
                if any(values):
                    problems.append(f"Enter the {what} for the row with figures "
                                    f"{', '.join(v for v in values if v)}")
                continue
            key = normal_key(key, customer=what == "customer")
            for year, value in zip(years, values, strict=True):
                raw[table][year][key] = value or "0"
    for part, values in grid.spend.items():
        for year, value in zip(years, values, strict=True):
            if not value:
                problems.append(f"Expenditure, {year}, {SPEND_LABELS[part]}: enter a number")
            raw["expenditure"][year][part] = value or None
    for year, value in zip(years, grid.wte, strict=True):
        if not value:
            problems.append(f"Workforce (WTE), {year}: enter a number")
        else:
            raw["wte"][year] = value
    if any(grid.baseline.values()):
        for part, label in (("wte", "WTE"), ("pay", "pay")):
            if not grid.baseline[part]:
                problems.append(f"PCT cluster baseline: enter its {label} as well, or neither")
        raw["pct_baseline"] = dict(grid.baseline)
    retained = {year: value for year, value in zip(years, grid.retained, strict=True) if value}
    if retained:
        raw["retained_surplus"] = retained
    return raw, problems
