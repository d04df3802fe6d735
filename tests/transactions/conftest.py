from ..market import market  # noqa: F401  (fixture)
