# The running cost allowances per head as published (Operating Framework 2012/13 for 2013/14,
# NHS England 2014 for later years): what the migrations seed and an administrator may change.
# The domain keeps no copy; its callers pass the administrator's rows.
from decimal import Decimal

PUBLISHED_ALLOWANCES = {
    "2013/14": Decimal("25.00"),
    "2014/15": Decimal("24.73"),
    "2015/16": Decimal("22.07"),
}
