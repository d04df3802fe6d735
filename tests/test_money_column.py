"""Money is rounded once, half-up, in the domain and at the database alike."""

from decimal import Decimal

import pytest
from sqlalchemy import cast, literal, select

from marketplace.domain.money import round_money
from marketplace.extensions import db
from marketplace.models import FinancialYearAllowance
from marketplace.models.base import Money

# Half-to-even would give 1.00 and 1.02: the first pair tells the two roundings apart,
# the second agrees under both, and the negatives round away from zero as the domain does.
HALVES = [
    ("1.005", "1.01"),
    ("1.015", "1.02"),
    ("1.0049", "1.00"),
    ("2.675", "2.68"),
    ("-1.005", "-1.01"),
]


@pytest.mark.parametrize(("written", "stored"), HALVES)
def test_the_domain_rounds_half_up(written, stored):
    assert round_money(Decimal(written)) == Decimal(stored)


@pytest.mark.parametrize(("written", "stored"), HALVES)
def test_a_money_column_stores_what_the_domain_rounds_to(app_context, written, stored):
    allowance = db.session.scalar(select(FinancialYearAllowance).limit(1))
    allowance.allowance_per_head = Decimal(written)
    db.session.commit()
    db.session.expire_all()

    stored_row = db.session.get(FinancialYearAllowance, allowance.id)
    assert stored_row.allowance_per_head == Decimal(stored)
    bound = cast(literal(Decimal(written), Money()), Money())
    assert db.session.scalar(select(bound)) == Decimal(stored)


def test_a_money_column_refuses_floats(app_context):
    with pytest.raises(Exception, match="money must be Decimal"):
        db.session.scalar(select(cast(literal(1.005, Money()), Money())))
