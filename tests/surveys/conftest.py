from ..factories import market  # noqa: F401  (fixture)
from ..procurements.conftest import clock  # noqa: F401  (fixture)
