"""The scenario form: details, fixed costs, in-house staffing and do / buy / share lines.

Rows are plain HTML: a few blank rows of each kind, and an "add more rows" button that
re-renders the form with more, so the page works without JavaScript. Blank rows are ignored.
"""

import re

from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from marketplace.domain import pricing
from marketplace.domain.inputs import MAX_ALLOWANCE_PER_HEAD, UNKNOWN_YEAR, allowance_problem
from marketplace.domain.money import ZERO
from marketplace.domain.sourcing import BUY, DO, SHARE
from marketplace.domain.whole_numbers import whole_number
from marketplace.forms import BaseForm, LockVersionField, RowForm, WholeNumberField
from marketplace.services.scenarios import (
    MODE_LABELS,
    SPLIT_METHOD_LABELS,
    FixedCostInput,
    InHouseInput,
    LineInput,
    ScenarioInput,
)

from .fields import MoneyField, PopulationField, QuantityField

BLANK_ROWS = {"fixed_costs": 2, "in_house": 3, "lines": 3}
ROWS_ADDED = 3
MAX_FORM_ROWS = 200
ODS_CODES = re.compile(r"[A-Za-z0-9]+")


class ScenarioRowForm(RowForm):
    """A row inside the scenario form; CSRF is the outer form's."""

    content_fields: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        for name in self.content_fields:
            field = self[name]
            typed = bool(field.raw_data and str(field.raw_data[0]).strip())
            if typed or field.data not in (None, ""):
                return False
        return True

    def require(self, name: str, message: str) -> bool:
        field = self[name]
        if field.data in (None, "") and not field.errors:
            field.errors.append(message)
            return False
        return True


class FixedCostRow(ScenarioRowForm):
    content_fields = ("name", "amount")
    name = StringField("What the cost is for", validators=[Length(max=100)])
    amount = MoneyField("Amount a year (£)")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.is_blank():
            return ok
        ok &= self.require("name", message="Enter what the cost is for")
        ok &= self.require("amount", message="Enter the amount a year")
        return ok


class InHouseRow(ScenarioRowForm):
    content_fields = ("role", "wte", "cost_per_wte")
    role = StringField("Role", validators=[Length(max=100)])
    wte = QuantityField("Whole-time equivalents")
    cost_per_wte = MoneyField("Cost per WTE a year, pay and on-costs (£)")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.is_blank():
            return ok
        ok &= self.require("role", message="Enter the role")
        ok &= self.require("wte", message="Enter the whole-time equivalents")
        ok &= self.require("cost_per_wte", message="Enter the cost per WTE")
        return ok


MODE_CHOICES = [("", "Choose")] + [(mode, MODE_LABELS[mode]) for mode in (DO, SHARE, BUY)]
PRICING_CHOICES = [("", "Not priced from an offer")] + list(pricing.PRICING_MODELS.items())
SPLIT_CHOICES = list(SPLIT_METHOD_LABELS.items())


class LineRow(ScenarioRowForm):
    content_fields = ("service", "mode", "wte", "cost_per_wte", "non_pay", "pricing_model",
                      "price", "estimated_quantity", "manual_amount", "shared_total", "partners")
    service = StringField("Service", validators=[Length(max=200)])
    mode = SelectField("Do, share or buy", choices=MODE_CHOICES, validate_choice=False)
    # do
    wte = QuantityField("Whole-time equivalents")
    cost_per_wte = MoneyField("Cost per WTE a year (£)")
    non_pay = MoneyField("Non-pay a year (£)")
    # buy
    pricing_model = SelectField("Pricing model", choices=PRICING_CHOICES, validate_choice=False)
    price = MoneyField("Price (£)")
    estimated_quantity = QuantityField(
        "Estimated days or cases a year", what="estimated days or cases",
        maximum=pricing.MAX_ESTIMATED_QUANTITY,
    )
    manual_amount = MoneyField("Or an amount a year (£)")
    offer_id = HiddenField()
    # share
    shared_total = MoneyField("Shared team's total cost a year (£)")
    partners = StringField(
        "Partner CCGs' ODS codes",
        description="Separated by commas, for example 05A, 05H. Your CCG is always included.",
        validators=[Length(max=400)],
    )
    split_method = SelectField("Split the cost", choices=SPLIT_CHOICES, default="population",
                               validate_choice=False)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.is_blank():
            return ok
        ok &= self.require("service", message="Enter the service")
        mode = self.mode.data
        if mode not in (DO, SHARE, BUY):
            self.mode.errors.append("Choose do, share or buy")
            return False
        if mode == DO:
            ok &= self.require("wte", message="Enter the whole-time equivalents")
            ok &= self.require("cost_per_wte", message="Enter the cost per WTE")
        elif mode == BUY:
            model = self.pricing_model.data or None
            if model and model not in pricing.PRICING_MODELS:
                self.pricing_model.errors.append("Choose a pricing model from the list")
                ok = False
            elif self.manual_amount.data is None and not self.manual_amount.errors:
                if not model:
                    self.manual_amount.errors.append(
                        "Choose a pricing model and enter a price, or enter an amount a year"
                    )
                    ok = False
                else:
                    ok &= self.require("price", message="Enter the price")
                    if model in pricing.QUANTITY_UNITS:
                        unit = pricing.QUANTITY_UNITS[model]
                        ok &= self.require("estimated_quantity",
                                           message=f"Enter the estimated {unit} a year")
        else:
            ok &= self.require("shared_total", message="Enter the shared team's total cost")
            if not self.partner_codes():
                self.partners.errors.append("Enter at least one partner CCG's ODS code")
                ok = False
            if self.split_method.data not in SPLIT_METHOD_LABELS:
                self.split_method.errors.append("Choose how the cost is split")
                ok = False
        return ok

    def partner_codes(self) -> tuple[str, ...]:
        return tuple(code.upper() for code in ODS_CODES.findall(self.partners.data or ""))

    def offer(self) -> int | None:
        return whole_number(self.offer_id.data or "")

    def to_input(self) -> LineInput:
        mode = self.mode.data
        if mode == DO:
            return LineInput(self.service.data, DO, wte=self.wte.data,
                             cost_per_wte=self.cost_per_wte.data,
                             non_pay=self.non_pay.data if self.non_pay.data is not None else ZERO)
        if mode == BUY:
            if self.manual_amount.data is not None:
                return LineInput(self.service.data, BUY, manual_amount=self.manual_amount.data,
                                 offer_id=self.offer())
            return LineInput(self.service.data, BUY, pricing_model=self.pricing_model.data,
                             price=self.price.data,
                             estimated_quantity=self.estimated_quantity.data,
                             offer_id=self.offer())
        return LineInput(self.service.data, SHARE, shared_total=self.shared_total.data,
                         split_method=self.split_method.data,
                         partner_ods_codes=self.partner_codes())


class ScenarioForm(BaseForm):
    name = StringField(
        "Scenario name",
        validators=[DataRequired("Enter a name for the scenario"), Length(max=200)],
    )
    population = PopulationField(
        "Registered population",
        description="Filled in with your CCG's 2012 GP-registered population; change it to "
                    "test another configuration.",
    )
    financial_year = SelectField("Financial year to lead with", validate_choice=False)
    allowance_per_head_override = MoneyField(
        "Allowance per head, if not the published one (£, optional)",
        description="Leave blank to use each year's published running cost allowance. The "
                    "2011 ready reckoner used an illustrative £20.",
        maximum=MAX_ALLOWANCE_PER_HEAD,
    )
    fixed_costs = FieldList(FormField(FixedCostRow), max_entries=MAX_FORM_ROWS)
    in_house = FieldList(FormField(InHouseRow), max_entries=MAX_FORM_ROWS)
    in_house_non_pay = MoneyField(
        "In-house non-pay costs a year (£)",
        description="Accommodation, IT and other running costs of the retained functions.",
    )
    lines = FieldList(FormField(LineRow), max_entries=MAX_FORM_ROWS)

    def validate_population(self, field):
        if field.data is None and not field.errors:
            raise ValidationError("Enter the registered population")

    def validate_financial_year(self, field):
        if field.data not in dict(field.choices):
            raise ValidationError(UNKNOWN_YEAR)

    def validate_allowance_per_head_override(self, field):
        if field.data is not None and not field.errors and (
                problem := allowance_problem(field.data)):
            raise ValidationError(problem)

    def add_blank_rows(self, kind: str | None = None, count: int | None = None) -> None:
        """Top each list up with blank rows (or add `count` more to one list)."""
        for name, blanks in BLANK_ROWS.items():
            field_list = self[name]
            wanted = count if name == kind else (0 if kind else blanks)
            if kind is None:
                present = sum(1 for entry in field_list if entry.form.is_blank())
                wanted = max(blanks - present, 0)
            for _ in range(wanted):
                if len(field_list) < MAX_FORM_ROWS:
                    field_list.append_entry()

    def _field_named(self, name: str):
        for field in self:
            if field.name == name:
                return field
            if isinstance(field, FieldList):
                for entry in field:
                    for sub in entry.form:
                        if sub.name == name:
                            return sub
        return None

    def set_error(self, field_name: str | None, message: str) -> None:
        field = self._field_named(field_name) if field_name else None
        if field is None and field_name:
            field = self._field_named(field_name.split("-")[0])
        if field is None or isinstance(field, FieldList):
            self.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]

    def error_list(self) -> list[dict]:
        items = [{"text": message, "href": "#main-content"} for message in self.form_errors]
        for field in self:
            if isinstance(field, FieldList):
                for entry in field:
                    for sub in entry.form:
                        for message in sub.errors:
                            if isinstance(message, str):
                                items.append({"text": f"{row_label(field.name, entry)}: "
                                                      f"{message}", "href": f"#{sub.id}"})
                continue
            for message in field.errors:
                if isinstance(message, str):
                    items.append({"text": message, "href": f"#{field.id}"})
        return items

    def to_input(self) -> ScenarioInput:
        rows: dict[str, tuple[int, ...]] = {}
        kept = {}
        for name in BLANK_ROWS:
            entries = [(i, entry.form) for i, entry in enumerate(self[name])
                       if not entry.form.is_blank()]
            rows[name] = tuple(i for i, _ in entries)
            kept[name] = [form for _, form in entries]
        return ScenarioInput(
            name=self.name.data,
            population=self.population.data,
            financial_year=self.financial_year.data,
            allowance_per_head_override=self.allowance_per_head_override.data,
            fixed_costs=tuple(FixedCostInput(f.name.data, f.amount.data)
                              for f in kept["fixed_costs"]),
            in_house=tuple(InHouseInput(f.role.data, f.wte.data, f.cost_per_wte.data)
                           for f in kept["in_house"]),
            in_house_non_pay=self.in_house_non_pay.data if self.in_house_non_pay.data is not None
            else ZERO,
            lines=tuple(f.to_input() for f in kept["lines"]),
            rows=rows,
        )


class EditScenarioForm(ScenarioForm):
    lock_version = LockVersionField()


ROW_NOUNS = {"fixed_costs": "Fixed cost", "in_house": "In-house role", "lines": "Service line"}


def row_label(kind: str, entry) -> str:
    return f"{ROW_NOUNS.get(kind, kind)} {int(entry.name.rsplit('-', 1)[-1]) + 1}"


def form_data_from(data: ScenarioInput, partner_codes: dict[int, str]) -> dict:
    """A saved scenario as the form's data. partner_codes: line index → "05A, 05H"."""
    return {
        "name": data.name,
        "population": data.population,
        "financial_year": data.financial_year,
        "allowance_per_head_override": data.allowance_per_head_override,
        "in_house_non_pay": data.in_house_non_pay,
        "fixed_costs": [{"name": c.name, "amount": c.amount} for c in data.fixed_costs],
        "in_house": [{"role": r.role, "wte": r.wte, "cost_per_wte": r.cost_per_wte}
                     for r in data.in_house],
        "lines": [
            {
                "service": line.service, "mode": line.mode, "wte": line.wte,
                "cost_per_wte": line.cost_per_wte, "non_pay": line.non_pay,
                "pricing_model": line.pricing_model or "", "price": line.price,
                "estimated_quantity": line.estimated_quantity,
                "manual_amount": line.manual_amount,
                "offer_id": "" if line.offer_id is None else str(line.offer_id),
                "shared_total": line.shared_total,
                "split_method": line.split_method or "population",
                "partners": partner_codes.get(index, ""),
            }
            for index, line in enumerate(data.lines)
        ],
    }


class CompareForm(BaseForm):
    class Meta:
        csrf = False  # a GET form: nothing changes

    a = SelectField("First scenario", coerce=str, validate_choice=False)
    b = SelectField("Second scenario", coerce=str, validate_choice=False)


class AllowanceForm(BaseForm):
    allowance_per_head = MoneyField("Allowance per head (£)", maximum=MAX_ALLOWANCE_PER_HEAD)

    def validate_allowance_per_head(self, field):
        if field.data is None and not field.errors:
            raise ValidationError("Enter the allowance per head")
        if not field.errors and (problem := allowance_problem(field.data)):
            raise ValidationError(problem)


class QuickReckonerForm(BaseForm):
    """The public ready reckoner: a GET form, nothing saved."""

    class Meta:
        csrf = False

    population = PopulationField("Registered population")
    financial_year = SelectField("Financial year", validate_choice=False)
    allowance_per_head = MoneyField(
        "Or an allowance per head (£, optional)",
        description="Leave blank to use the published allowance for the year.",
        maximum=MAX_ALLOWANCE_PER_HEAD,
    )
    fixed_costs = MoneyField(
        "Fixed corporate costs a year (£)",
        description="Accountable officer, finance officer, chair, lay and GP members, nurse "
                    "and secondary care doctor. The 2011 worked example: £1,611,000.",
    )
    in_house = MoneyField("In-house staff and non-pay a year (£)")

    def validate_population(self, field):
        if field.data is None and not field.errors:
            raise ValidationError("Enter the registered population")

    def validate_financial_year(self, field):
        if self.allowance_per_head.data is None and field.data not in dict(field.choices):
            raise ValidationError(UNKNOWN_YEAR)


class OfferChoiceForm(BaseForm):
    """Which marketplace offer prices a buy line: one of the CCG's shortlisted offers, or an
    offer number from the offer's page."""

    offer_id = WholeNumberField(
        "Offer number",
        description="Shown on the offer's page, for example 123.",
        validators=[InputRequired("Choose a shortlisted offer or enter an offer number"),
                    NumberRange(min=1, message="Enter an offer number, like 123")],
    )
