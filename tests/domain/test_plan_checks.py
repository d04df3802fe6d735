"""Worked numbers for every plan check, with the near misses on each side of each threshold."""

from decimal import Decimal as D

import pytest

from marketplace.domain.business_plan import Expenditure, FinancialModel
from marketplace.domain.checkpoints import GatewayRating, HostingPolicy
from marketplace.domain.plan_checks import (
    DEFAULT_THRESHOLDS,
    THRESHOLD_SPECS,
    Backing,
    CheckCode,
    PlanInputs,
    Severity,
    Thresholds,
    WorkforceBaseline,
    check_plan,
    describe_threshold,
)

YEARS = ("2013/14", "2014/15", "2015/16", "2016/17")
ALLOWANCES = {"2013/14": D("25.00"), "2014/15": D("24.73"), "2015/16": D("22.07")}
# A plan a reviewer would pass: income falling a little each year with the allowances, a
# £100,000 surplus every year, £45,000 of pay per WTE, no customer above 32%, and every CCG's
# income backed by an intention or an agreement.
INCOME = ("10000000", "9800000", "9500000", "9400000")
SHARES = {"00C": "0.32", "00D": "0.28", "01A": "0.20", "board": "0.10", "other": "0.10"}
SPENDING = ("9900000", "9700000", "9400000", "9300000")
WTE = ("154", "150.89", "146.22", "144.67")
# Each CCG's income is spread over BI and CP half and half: 00C £1,600,000 of each in
# 2013/14, 00D £1,400,000, 01A £1,000,000, and less in the later years.
BACKING = {
    ("00C", "BI"): Backing(True, D("1600000")),
    ("00C", "CP"): Backing(True, D("1600000")),
    ("00D", "BI"): Backing(agreed={year: D("1400000") for year in YEARS}),
    ("00D", "CP"): Backing(agreed={year: D("1400000") for year in YEARS}),
    ("01A", "BI"): Backing(True, D("1000000")),
    ("01A", "CP"): Backing(True, D("1000000")),
}
NAMES = {"00C": "NHS Darlington CCG", "01A": "NHS Coventry and Rugby CCG"}


def make_model(income=INCOME, shares=SHARES, spending=SPENDING, wte=WTE, pay=None,
               lines=None):
    by_customer = {y: {c: D(total) * D(s) for c, s in shares.items()}
                   for y, total in zip(YEARS, income, strict=True)}
    by_line = lines or {y: {"BI": D(total) / 2, "CP": D(total) / 2}
                        for y, total in zip(YEARS, income, strict=True)}
    pays = pay or [D(total) * D("0.7") for total in spending]
    expenditure = {y: Expenditure(D(p), D(total) * D("0.2"), D(total) * D("0.1"))
                   for y, p, total in zip(YEARS, pays, spending, strict=True)}
    return FinancialModel(YEARS, by_customer, by_line, expenditure,
                          {y: D(w) for y, w in zip(YEARS, wte, strict=True)})


def run(model=None, *, backing=BACKING, allowances=ALLOWANCES, baseline=None, retained=None,
        codes=None, names=None, **thresholds):
    inputs = PlanInputs(model or make_model(), allowances, backing, baseline, retained or {},
                        codes, names or {})
    return check_plan(inputs, Thresholds(**thresholds))


def only(result, code):
    found = [flag for flag in result.flags if flag.code is code]
    assert len(found) == 1, result.flags
    return found[0]


def texts(flag):
    return {figure.label: figure.text for figure in flag.figures}


def test_the_healthy_plan_raises_no_flags_and_its_positions_add_up():
    result = run()
    assert result.flags == ()
    assert [row.surplus for row in result.years] == [D("100000.00")] * 4
    assert result.cumulative == D("400000.00")
    assert result.break_even_year == "2013/14"
    assert result.years[0].cost_per_wte == D("45000.00")
    assert (result.largest_customer, result.largest_customer_share_percent) == ("00C", D("32.0"))


def test_break_even_means_income_at_least_expenditure():
    result = run(make_model(spending=("10100000", "9800000", "9400000", "9300000")))
    assert result.years[1].surplus == 0
    assert result.break_even_year == "2014/15"
    never = run(make_model(spending=("10100000", "9800000.01", "9500000.01", "9400000.01")))
    assert never.break_even_year is None


def test_income_growth_to_one_decimal_place():
    # 9.8m / 10m = -2.0%; 9.5m / 9.8m = -3.0612% -> -3.1; 9.4m / 9.5m = -1.0526% -> -1.1
    assert [row.growth_percent for row in run().years] == [None, D("-2.0"), D("-3.1"),
                                                           D("-1.1")]
    after_nothing = run(make_model(income=("0", "9800000", "9500000", "9400000")))
    assert after_nothing.years[1].growth_percent is None


# --- flat income -----------------------------------------------------------------------------


def test_income_the_same_every_year_is_flat():
    flag = only(run(make_model(income=("10000000",) * 4)), CheckCode.INCOME_FLAT)
    assert flag.severity is Severity.MEDIUM
    assert texts(flag)["Income, 2016/17"] == "£10,000,000.00"
    assert texts(flag)["Largest change in a year"] == "0.0%"


def test_a_change_of_exactly_the_tolerance_is_still_flat():
    model = make_model(income=("10000000", "10100000", "10100000", "10100000"))
    assert texts(only(run(model), CheckCode.INCOME_FLAT))["Largest change in a year"] == "1.0%"


def test_a_change_just_over_the_tolerance_is_not_flat():
    model = make_model(income=("10000000", "10100001", "10100001", "10100001"))
    assert CheckCode.INCOME_FLAT not in run(model).codes()


def test_the_flat_tolerance_is_a_threshold():
    model = make_model(income=("10000000", "10100000", "10100000", "10100000"))
    assert CheckCode.INCOME_FLAT not in run(model, flat_income_tolerance_percent=D("0.99")).codes()
    assert CheckCode.INCOME_FLAT in run(model, flat_income_tolerance_percent=D("1")).codes()


# --- income growth against falling allowances ------------------------------------------------


def test_income_from_ccgs_growing_while_allowances_fall_is_flagged_with_the_figures():
    # CCGs bring 80% of income: £8,000,000 in 2013/14 and £8,640,000 in 2015/16 (+8.0%),
    # while the allowance falls from £25.00 to £22.07 a head (-11.7%).
    model = make_model(income=("10000000", "10400000", "10800000", "11000000"))
    flag = only(run(model), CheckCode.INCOME_GROWTH_AGAINST_ALLOWANCE)
    assert flag.message == (
        "Income from CCGs grows 8.0% from 2013/14 to 2015/16 while their running cost "
        "allowance falls 11.7% a head (£25.00 to £22.07).")
    figures = texts(flag)
    assert figures["Income from CCGs, 2013/14"] == "£8,000,000.00"
    assert figures["Income from CCGs, 2015/16"] == "£8,640,000.00"
    assert figures["Change in allowance a head"] == "-11.7%"
    assert figures["Running cost allowance a head, 2014/15"] == "£24.73"
    assert flag.figure("ccg_income_growth_percent").value == D("8.0")


@pytest.mark.parametrize(("final_income", "flagged"), [
    ("10000000", False),      # no growth at all: not flagged
    ("10000000.10", True),    # the smallest growth over a tolerance of 0%
])
def test_growth_near_a_tolerance_of_nothing(final_income, flagged):
    model = make_model(income=("10000000", "9800000", final_income, "9400000"))
    assert (CheckCode.INCOME_GROWTH_AGAINST_ALLOWANCE in run(model).codes()) is flagged


@pytest.mark.parametrize(("tolerance", "flagged"), [("8.0", False), ("7.99", True)])
def test_the_growth_tolerance_is_a_threshold(tolerance, flagged):
    model = make_model(income=("10000000", "10400000", "10800000", "11000000"))
    result = run(model, allowance_growth_tolerance_percent=D(tolerance))
    assert (CheckCode.INCOME_GROWTH_AGAINST_ALLOWANCE in result.codes()) is flagged


def test_growth_is_not_flagged_when_allowances_do_not_fall_or_are_unknown():
    model = make_model(income=("10000000", "10400000", "10800000", "11000000"))
    rising = {"2013/14": D("25.00"), "2015/16": D("25.00")}
    assert CheckCode.INCOME_GROWTH_AGAINST_ALLOWANCE not in run(model, allowances=rising).codes()
    one_year = {"2013/14": D("25.00")}
    assert CheckCode.INCOME_GROWTH_AGAINST_ALLOWANCE not in run(model,
                                                                allowances=one_year).codes()


# --- deficits and the cumulative position -----------------------------------------------------


def test_a_deficit_of_a_penny_in_a_middle_year_is_flagged_with_the_cumulative_position():
    model = make_model(spending=("9900000", "9800000.01", "9400000", "9300000"))
    flag = only(run(model), CheckCode.DEFICIT_IN_YEAR)
    assert flag.severity is Severity.MEDIUM  # the plan recovers by its last year
    assert flag.message == ("The plan shows a deficit in 2014/15; the position over all four "
                            "years is a surplus of £299,999.99.")
    assert texts(flag)["Deficit, 2014/15"] == "£0.01"
    assert CheckCode.CUMULATIVE_DEFICIT not in run(model).codes()


def test_breaking_even_exactly_is_no_deficit():
    model = make_model(spending=("9900000", "9800000", "9400000", "9300000"))
    assert CheckCode.DEFICIT_IN_YEAR not in run(model).codes()


def test_a_deficit_in_the_last_year_is_a_high_concern():
    model = make_model(spending=("9900000", "9700000", "9400000", "9500000"))
    assert only(run(model), CheckCode.DEFICIT_IN_YEAR).severity is Severity.HIGH


@pytest.mark.parametrize(("last_spending", "flagged"), [
    ("9500000", False),      # cumulative exactly nil
    ("9500000.01", True),    # cumulative a penny short
])
def test_the_cumulative_position_near_nil(last_spending, flagged):
    # Surpluses of +£100,000, -£100,000 and +£100,000, then the last year: -£100,000 or worse.
    model = make_model(spending=("9900000", "9900000", "9400000", last_spending))
    result = run(model)
    assert (CheckCode.CUMULATIVE_DEFICIT in result.codes()) is flagged
    if flagged:
        flag = only(result, CheckCode.CUMULATIVE_DEFICIT)
        assert flag.message.startswith("Over the four years the plan loses £0.01")
        assert texts(flag)["Position at the end of, 2014/15"] == "£0.00"


# --- surplus retention -------------------------------------------------------------------------


def test_a_stated_retained_surplus_is_flagged():
    flag = only(run(retained={"2013/14": D("0.01")}), CheckCode.SURPLUS_RETENTION)
    assert "keeps surpluses of £0.01 (2013/14)" in flag.message
    assert CheckCode.SURPLUS_RETENTION not in run(retained={"2013/14": D("0")}).codes()


def test_a_deficit_paid_out_of_earlier_surpluses_is_flagged():
    # £100,000 surplus in 2013/14, then a £50,000 deficit in 2014/15 paid out of it.
    model = make_model(spending=("9900000", "9850000", "9400000", "9300000"))
    flag = only(run(model), CheckCode.SURPLUS_RETENTION)
    assert "pays for its deficit in 2014/15 out of earlier years' surpluses" in flag.message
    assert texts(flag)["Deficit paid from earlier surpluses, 2014/15"] == "£50,000.00"


def test_a_deficit_after_breaking_even_exactly_keeps_no_surplus():
    model = make_model(spending=("10000000", "9850000", "9400000", "9300000"))
    result = run(model)
    assert CheckCode.DEFICIT_IN_YEAR in result.codes()
    assert CheckCode.SURPLUS_RETENTION not in result.codes()


# --- pay and WTE --------------------------------------------------------------------------------


@pytest.mark.parametrize(("first_wte", "flagged"), [
    ("92.4", False),   # £6,930,000 / 92.4 = £75,000.00 exactly: the top of the range
    ("92.39", True),   # £75,008.12
    ("277.2", False),  # £25,000.00 exactly: the bottom
    ("277.21", True),  # £24,999.10
])
def test_cost_per_wte_at_the_edges_of_the_range(first_wte, flagged):
    result = run(make_model(wte=(first_wte, "150.89", "146.22", "144.67")))
    assert (CheckCode.COST_PER_WTE_IMPLAUSIBLE in result.codes()) is flagged


def test_pay_with_no_staff_is_implausible():
    flag = only(run(make_model(wte=("0", "150.89", "146.22", "144.67"))),
                CheckCode.COST_PER_WTE_IMPLAUSIBLE)
    assert texts(flag)["Pay per WTE, 2013/14"] == "pay with no staff"
    assert texts(flag)["Highest plausible"] == "£75,000.00"


def test_pay_rising_12_percent_on_1_percent_more_staff_is_flagged():
    pay = ("4500000", "5040000", "5040000", "5040000")
    model = make_model(pay=pay, wte=("100", "101", "101", "101"))
    flag = only(run(model), CheckCode.PAY_APART_FROM_WTE)
    figures = texts(flag)
    assert figures["Change in pay, 2013/14 to 2014/15"] == "12.0%"
    assert figures["Change in WTE, 2013/14 to 2014/15"] == "1.0%"
    assert figures["Change in pay per WTE, 2013/14 to 2014/15"] == "10.9%"
    assert "(2013/14 to 2014/15)" in flag.message


@pytest.mark.parametrize(("second_pay", "flagged"), [
    ("4725000", False),       # pay per WTE +5.0% exactly
    ("4725000.01", True),     # just over
    ("4275000", False),       # -5.0% exactly
    ("4274999.99", True),     # just under
])
def test_pay_per_wte_change_at_the_limit(second_pay, flagged):
    pay = ("4500000", second_pay, second_pay, second_pay)
    result = run(make_model(pay=pay, wte=("100",) * 4))
    assert (CheckCode.PAY_APART_FROM_WTE in result.codes()) is flagged


# --- workforce copied from the PCT cluster ------------------------------------------------------

BASELINE = WorkforceBaseline(D("154"), D("6930000"))
SAME_PAY = ("6930000",) * 4


@pytest.mark.parametrize(("last_wte", "last_pay", "flagged"), [
    ("157.08", "6930000", True),      # WTE +2.0%: within the tolerance
    ("157.09", "6930000", False),     # WTE just outside
    ("150.92", "6930000", True),      # WTE -2.0%
    ("150.91", "6930000", False),
    ("154", "7068600", True),         # pay +2.0%
    ("154", "7068600.01", False),
])
def test_workforce_matching_the_pct_baseline(last_wte, last_pay, flagged):
    model = make_model(wte=("154", "154", "154", last_wte), pay=(*SAME_PAY[:3], last_pay))
    result = run(model, baseline=BASELINE)
    assert (CheckCode.WORKFORCE_COPIED in result.codes()) is flagged


def test_copied_workforce_names_the_baseline():
    model = make_model(wte=("154",) * 4, pay=SAME_PAY)
    flag = only(run(model, baseline=BASELINE), CheckCode.WORKFORCE_COPIED)
    assert "PCT cluster's (154 WTE costing £6,930,000.00)" in flag.message
    assert texts(flag)["PCT cluster WTE"] == "154 WTE"
    assert CheckCode.WORKFORCE_COPIED not in run(model).codes()  # no baseline stated


def test_a_workforce_built_down_from_the_baseline_is_not_copied():
    assert CheckCode.WORKFORCE_COPIED not in run(baseline=BASELINE).codes()


# --- concentration and the stress test ----------------------------------------------------------


@pytest.mark.parametrize(("share", "flagged"), [("0.40", False), ("0.4000001", True)])
def test_concentration_at_the_limit(share, flagged):
    rest = str(D("0.60") - D(share))
    shares = {"00C": share, "00D": rest, "board": "0.2", "other": "0.2"}
    result = run(make_model(shares=shares), backing={})
    assert (CheckCode.CUSTOMER_CONCENTRATION in result.codes()) is flagged


def test_concentration_gives_the_share_and_the_customer():
    shares = {"00C": "0.45", "00D": "0.35", "other": "0.2"}
    flag = only(run(make_model(shares=shares), backing={}), CheckCode.CUSTOMER_CONCENTRATION)
    assert flag.message == ("45.0% of planned income over the four years comes from one "
                            "customer (00C).")
    assert texts(flag)["Income from this customer"] == "£17,415,000.00"


def test_other_customers_together_are_never_a_concentration():
    result = run(make_model(shares={"00C": "0.2", "other": "0.8"}), backing={})
    assert CheckCode.CUSTOMER_CONCENTRATION not in result.codes()


def test_the_stress_test_of_the_healthy_plan():
    # 00C brings £3,136,000 in 2014/15: half is lost after the 18-month break (October 2014),
    # all of 2015/16 and 2016/17; half the loss is saved in costs.
    stress = run().stress_test
    assert stress.customer == "00C"
    assert [y.income_lost for y in stress.years] == [D("0.00"), D("1568000.00"),
                                                     D("3040000.00"), D("3008000.00")]
    assert [y.surplus for y in stress.years] == [D("100000.00"), D("-684000.00"),
                                                 D("-1420000.00"), D("-1404000.00")]
    assert stress.cumulative == D("-3408000.00")  # 8.8% of £38,700,000


@pytest.mark.parametrize(("limit", "flagged"), [("8.81", False), ("8.8", True)])
def test_the_stress_deficit_limit(limit, flagged):
    result = run(stress_deficit_percent=D(limit))
    assert (CheckCode.LARGEST_CUSTOMER_EXIT in result.codes()) is flagged


def test_the_stress_flag_in_words():
    flag = only(run(stress_deficit_percent=D("5")), CheckCode.LARGEST_CUSTOMER_EXIT)
    assert flag.message == ("If 00C left at the break after 18 months, the plan would lose "
                            "£3,408,000.00 over the four years (8.8% of its income).")
    assert texts(flag)["Costs saved, 2015/16"] == "£1,520,000.00"
    assert texts(flag)["Break after"] == "18 months"


def test_a_break_after_the_plan_loses_nothing():
    result = run(agreement_break_months=48, stress_deficit_percent=D("0"))
    assert result.stress_test.cumulative == D("400000.00")
    assert CheckCode.LARGEST_CUSTOMER_EXIT not in result.codes()


def test_a_break_after_a_year_with_no_savings():
    result = run(agreement_break_months=12, stress_cost_saving_percent=D("0"))
    assert result.stress_test.years[1].income_lost == D("3136000.00")
    assert result.stress_test.cumulative == D("400000") - D("3136000") - D("3040000") \
        - D("3008000")


# --- income with nothing behind it --------------------------------------------------------------


def test_a_ccg_with_no_intention_and_no_agreement():
    backing = {key: b for key, b in BACKING.items() if key[0] != "01A"}
    flag = only(run(backing=backing), CheckCode.INCOME_WITHOUT_BACKING)
    assert flag.severity is Severity.HIGH
    assert flag.message == ("Planned income from 01A has nothing behind it: the CCG has stated "
                            "no intention to buy and signed no agreement.")
    assert texts(flag)["Planned income, 2013/14"] == "£2,000,000.00"
    assert texts(flag)["Specifications the plan expects it to buy"] == "BI, CP"
    named = only(run(backing=backing, names=NAMES, codes={"BI": "Business intelligence",
                                                          "CP": "Contract monitoring"}),
                 CheckCode.INCOME_WITHOUT_BACKING)
    assert named.message.startswith("Planned income from NHS Coventry and Rugby CCG (01A) has")
    assert texts(named)["Specifications the plan expects it to buy"] == \
        "Business intelligence, Contract monitoring"


def test_a_specification_the_ccg_neither_intends_to_buy_nor_has_agreed():
    # 01A intends to buy BI; the plan also expects its half of 01A's income for CP.
    backing = {key: b for key, b in BACKING.items() if key != ("01A", "CP")}
    flag = only(run(backing=backing, names=NAMES, codes={"BI": "Business intelligence",
                                                         "CP": "Contract monitoring"}),
                CheckCode.INCOME_WITHOUT_BACKING)
    assert flag.severity is Severity.HIGH
    assert flag.message == (
        "The plan expects income from NHS Coventry and Rugby CCG (01A) for “Contract "
        "monitoring”, but the CCG has neither stated an intention to buy nor signed an "
        "agreement for it.")
    assert texts(flag)["Contract monitoring: planned income, 2013/14"] == "£1,000,000.00"
    assert texts(flag)["Contract monitoring: planned income, 2014/15"] == "£980,000.00"
    assert flag.figure("planned[CP][2013/14]").value == D("1000000.00")


def test_an_agreement_that_ends_leaves_the_later_years_unbacked():
    # 00D's £1,400,000 CP agreement covers only the first two years.
    backing = dict(BACKING) | {("00D", "CP"): Backing(agreed={"2013/14": D("1400000"),
                                                               "2014/15": D("1400000")})}
    flag = only(run(backing=backing), CheckCode.INCOME_WITHOUT_BACKING)
    assert flag.severity is Severity.MEDIUM
    assert flag.message == ("The plan expects more from 00D than the CCG intends to spend or "
                            "has agreed, by more than 10.0%, for “CP” in 2015/16, 2016/17.")
    # 28% of £9,500,000, half of it CP, none of it agreed.
    assert texts(flag)["CP: without backing, 2015/16"] == "£1,330,000.00"
    assert texts(flag)["CP: signed agreements, 2015/16"] == "£0.00"


def test_one_flag_a_ccg_names_every_specification_short_of_backing():
    backing = dict(BACKING) | {("01A", "BI"): Backing(True, D("500000"))}
    backing.pop(("01A", "CP"))
    flag = only(run(backing=backing), CheckCode.INCOME_WITHOUT_BACKING)
    assert flag.severity is Severity.HIGH
    assert flag.message == (
        "The plan expects income from 01A for “CP”, but the CCG has neither stated an "
        "intention to buy nor signed an agreement for it. It also expects more from the CCG "
        "than the CCG intends to spend or has agreed, by more than 10.0%, for “BI” in "
        "2013/14, 2014/15, 2015/16, 2016/17.")
    assert texts(flag)["BI: budget the CCG states a year"] == "£500,000.00"


@pytest.mark.parametrize(("intended", "flagged"), [
    ("909090.91", False),   # ×1.1 = £1,000,000.001: the plan's £1,000,000 is within 10%
    ("909090.90", True),    # ×1.1 = £999,999.99
])
def test_planned_income_against_an_intended_budget(intended, flagged):
    backing = dict(BACKING) | {("01A", "BI"): Backing(True, D(intended))}
    result = run(backing=backing)
    assert (CheckCode.INCOME_WITHOUT_BACKING in result.codes()) is flagged
    if flagged:
        flag = only(result, CheckCode.INCOME_WITHOUT_BACKING)
        assert texts(flag)["BI: without backing, 2013/14"] == "£90,909.10"
        assert texts(flag)["BI: budget the CCG states a year"] == "£909,090.90"
        # 2014/15's £980,000 is within 10% of the budget: only 2013/14 is named.
        assert flag.message.endswith("for “BI” in 2013/14.")


def test_an_intention_without_a_budget_has_nothing_to_measure_against():
    backing = dict(BACKING) | {("01A", "BI"): Backing(True)}
    assert run(backing=backing).flags == ()


def test_the_lines_compare_income_intention_and_agreement_per_ccg_and_specification():
    backing = dict(BACKING) | {("02Q", "BI"): Backing(True, D("5000"))}
    result = run(backing=backing, names=NAMES)
    lines = {(line.customer, line.specification): line for line in result.lines}
    assert set(lines) == {(c, s) for c in ("00C", "00D", "01A") for s in ("BI", "CP")} | {
        ("02Q", "BI")}
    coventry = lines[("01A", "BI")]
    assert coventry.customer_name == "NHS Coventry and Rugby CCG"
    assert coventry.planned["2013/14"] == D("1000000.00")
    assert coventry.intention == "Intends to buy, budget £1,000,000.00 a year"
    assert lines[("00D", "CP")].agreed["2016/17"] == D("1400000")
    assert lines[("00D", "CP")].intention == "No intention to buy stated"
    # An intention the plan earns nothing from is shown too: income it may be missing.
    assert not any(lines[("02Q", "BI")].planned.values())
    # Board and other customers have no intentions to compare: they are not lines.
    assert not {c for c, _s in lines} & {"board", "other"}


def test_a_service_line_no_ccg_intends_to_buy():
    lines = {y: {"BI": D(t) / 2, "CP": D(t) / 4, "HR": D(t) / 4}
             for y, t in zip(YEARS, INCOME, strict=True)}
    flag = only(run(make_model(lines=lines)), CheckCode.SERVICE_LINE_WITHOUT_BACKING)
    assert "the specification “HR”, yet" in flag.message
    named = {"BI": "Business intelligence", "CP": "Contract monitoring", "HR": "Human resources"}
    assert "the specification “Human resources” (HR), yet" in only(
        run(make_model(lines=lines), codes=named), CheckCode.SERVICE_LINE_WITHOUT_BACKING).message
    # A line not keyed to a catalogue specification cannot be linked, so it is not checked.
    codes = {"BI": "Business intelligence", "CP": "Contract monitoring"}
    assert run(make_model(lines=lines), codes=codes).flags == ()


# --- thresholds as data ------------------------------------------------------------------------


def test_every_threshold_has_a_spec_whose_default_is_the_dataclass_default():
    assert {spec.key for spec in THRESHOLD_SPECS} == set(DEFAULT_THRESHOLDS.values())
    for spec in THRESHOLD_SPECS:
        assert spec.read(spec.default) == getattr(DEFAULT_THRESHOLDS, spec.key)


def test_a_snapshot_reads_back_and_unknown_or_bad_values_keep_their_defaults():
    changed = Thresholds(concentration_percent=D("35.5"), agreement_break_months=12)
    assert Thresholds.from_values(changed.values()) == changed
    assert Thresholds.from_values({"concentration_percent": "lots", "gone": "1"}) \
        == DEFAULT_THRESHOLDS


@pytest.mark.parametrize(("key", "value", "message"), [
    ("concentration_percent", "100.1", "Enter a value from 0 to 100"),
    ("concentration_percent", "-0.1", "Enter a value from 0 to 100"),
    ("agreement_break_months", "18.5", "Enter a whole number"),
    ("agreement_break_months", "0", "Enter a value from 1 to 48"),
    ("flat_income_tolerance_percent", "NaN", "Enter a number"),
    ("flat_income_tolerance_percent", "٣", "Enter a number"),
    ("host_if_all_at_least", "purple", "Choose a rating from the list"),
])
def test_values_out_of_range_are_refused(key, value, message):
    spec = next(spec for spec in THRESHOLD_SPECS if spec.key == key)
    with pytest.raises(ValueError, match=message):
        spec.read(value)


def test_the_hosting_policy_comes_from_the_thresholds():
    thresholds = Thresholds(host_if_all_at_least=GatewayRating.GREEN,
                            do_not_host_if_amber_red_count=3)
    assert thresholds.hosting_policy == HostingPolicy(GatewayRating.GREEN, GatewayRating.RED, 3)
    assert DEFAULT_THRESHOLDS.hosting_policy == HostingPolicy()


def test_thresholds_in_words():
    assert describe_threshold("concentration_percent", "40.0") == "40.0%"
    assert describe_threshold("cost_per_wte_min", "25000") == "£25,000.00"
    assert describe_threshold("host_if_all_at_least", "amber_green") == "Amber/Green"
    assert describe_threshold("agreement_break_months", "18") == "18 months"
