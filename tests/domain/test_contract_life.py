"""Service review actions in words (overdue counted in days, done whatever the due date);
notice and the warnings before an agreement ends."""

from datetime import date

from marketplace.domain.contract_life import (
    DEFAULT_NOTICE_MONTHS,
    action_state,
    expiry_warning,
    is_overdue,
    notice_ends_on,
)

DUE = date(2013, 5, 10)


def test_an_action_due_on_10_may_is_overdue_by_3_days_on_13_may():
    assert action_state(DUE, None, date(2013, 5, 13)) == ("Overdue by 3 days", "red")
    assert is_overdue(DUE, None, date(2013, 5, 13))


def test_one_day_late_is_one_day_not_days():
    assert action_state(DUE, None, date(2013, 5, 11)) == ("Overdue by 1 day", "red")


def test_due_today_is_not_yet_overdue():
    assert action_state(DUE, None, DUE) == ("Due today", "orange")
    assert not is_overdue(DUE, None, DUE)


def test_ahead_of_its_due_date():
    assert action_state(DUE, None, date(2013, 5, 9)) == ("Due in 1 day", "blue")
    assert action_state(DUE, None, date(2013, 4, 30)) == ("Due in 10 days", "blue")


def test_a_done_action_is_never_overdue_even_if_done_late():
    assert action_state(DUE, date(2013, 5, 12), date(2013, 6, 1)) == (
        "Done on 12 May 2013", "green")
    assert not is_overdue(DUE, date(2013, 5, 12), date(2013, 6, 1))


# Ending: notice (3 months by default) and the 6- and 3-month warnings.
END = date(2014, 3, 31)


def test_notice_given_15_may_ends_the_agreement_on_14_august():
    assert DEFAULT_NOTICE_MONTHS == 3
    assert notice_ends_on(date(2013, 5, 15), END) == date(2013, 8, 14)


def test_notice_never_runs_past_the_agreement_s_own_end():
    assert notice_ends_on(date(2014, 2, 1), END) == END
    assert notice_ends_on(date(2014, 1, 1), END) == END  # 1 Jan + 3 months - 1 day = 31 Mar


def test_notice_from_30_november_ends_on_the_last_day_of_february():
    # 30 November + 3 months is 28 February (no 30th), so notice ends on 27 February.
    assert notice_ends_on(date(2013, 11, 30), date(2015, 3, 31)) == date(2014, 2, 27)


def test_no_warning_more_than_6_months_before_the_end():
    assert expiry_warning(END, date(2013, 9, 30)) is None  # exactly 6 months before


def test_the_6_month_warning_starts_the_day_after():
    months, words = expiry_warning(END, date(2013, 10, 1))
    assert months == 6
    assert words.startswith("This agreement ends in 181 days, on 31 March 2014")


def test_the_3_month_warning_replaces_it():
    assert expiry_warning(END, date(2013, 12, 31))[0] == 6  # exactly 3 months before
    assert expiry_warning(END, date(2014, 1, 1))[0] == 3
    assert "ends in 1 day," in expiry_warning(END, date(2014, 3, 30))[1]
    assert "ends today" in expiry_warning(END, END)[1]


def test_no_warning_once_ended():
    assert expiry_warning(END, date(2014, 4, 1)) is None
