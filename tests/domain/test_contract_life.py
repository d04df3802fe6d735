"""Service review actions in words: overdue counted in days, done whatever the due date."""

from datetime import date

from marketplace.domain.contract_life import action_state, is_overdue

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
