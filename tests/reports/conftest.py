import gc

import pytest


@pytest.fixture(autouse=True)
def _collect_render_garbage():
    """A WeasyPrint render leaves a large object graph behind. Collect it here, so the
    collector's pause does not land in a later test of the same worker that is timed
    (Hypothesis deadlines in tests/domain)."""
    yield
    gc.collect()
