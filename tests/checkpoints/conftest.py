import pytest

from ..factories import market  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def evidence_dir(request, tmp_path):
    """Evidence goes to a temporary folder, never the project's instance folder."""
    if "app" not in request.fixturenames:
        yield None
        return
    app = request.getfixturevalue("app")
    folder = tmp_path / "evidence"
    original = app.config.get("EVIDENCE_DIR")
    app.config["EVIDENCE_DIR"] = str(folder)
    yield folder
    app.config["EVIDENCE_DIR"] = original
