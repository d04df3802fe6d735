from ..factories import market  # noqa: F401  (fixture)
