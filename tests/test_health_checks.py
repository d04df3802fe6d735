"""/readyz says whether PDFs can be rendered; `flask doctor` names every check and its fix."""

from marketplace.health import checks


def test_readyz_renders_a_test_pdf_with_the_configured_fonts(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "not configured",
                                             "pdf": "ok"}


def test_readyz_is_not_ready_when_pdfs_cannot_be_rendered(app, client, tmp_path):
    original = app.config["PDF_EMOJI_FONT"]
    app.config["PDF_EMOJI_FONT"] = str(tmp_path / "gone.woff")
    try:
        response = client.get("/readyz")
    finally:
        app.config["PDF_EMOJI_FONT"] = original
    assert response.status_code == 503
    assert response.get_json()["checks"]["pdf"] == "unavailable"


def test_probes_reuse_a_recent_pdf_check(app, client, monkeypatch):
    renders = []
    real = checks._render_test_page

    def counted():
        renders.append(1)
        return real()

    monkeypatch.setattr(checks, "_render_test_page", counted)
    monkeypatch.setattr(checks, "_pdf_results", {})
    for _ in range(3):
        assert client.get("/readyz").status_code == 200
    assert len(renders) == 1


def test_flask_doctor_prints_every_check(app, app_context):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    for name in ("database", "migrations", "redis", "system libraries", "fonts", "pdf",
                 "nhs.uk assets", "evidence folder"):
        assert f"] {name} " in result.output
    assert "[ok] pdf" in result.output and "a test page rendered in" in result.output
    assert "Everything CSS Marketplace needs is in place." in result.output


def test_flask_doctor_says_what_to_do_when_a_check_fails(app, app_context, tmp_path):
    original = app.config["NHSUK_FRONTEND_DIR"]
    app.config["NHSUK_FRONTEND_DIR"] = str(tmp_path)
    try:
        result = app.test_cli_runner().invoke(args=["doctor"])
    finally:
        app.config["NHSUK_FRONTEND_DIR"] = original
    assert result.exit_code == 1
    assert "[XX] nhs.uk assets" in result.output
    assert "what to do: Run `npm ci` in the repository folder" in result.output
    assert "not ready: nhs.uk assets" in result.output
