from ..factories import market  # noqa: F401  (fixture)
from ..procurements.conftest import buying, clock  # noqa: F401  (fixtures)
