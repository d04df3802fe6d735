from .conftest import text_of


def test_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_403_page_for_a_signed_in_user_without_the_role(ccg_client):
    response = ccg_client.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have permission" in text_of(response)


def test_500_page_shows_no_stack_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        with app.test_request_context():
            from marketplace.errors import _respond

            body, status = _respond(500)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert status == 500
    assert "Traceback" not in body
    assert "Sorry, there is a problem with the service" in body


def test_api_paths_get_json_errors(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["errors"][0]["message"] == "Page not found"


def test_nhsuk_assets_are_served_from_the_npm_package(client):
    assert client.get("/assets/nhsuk-frontend.min.css").status_code == 200
    assert client.get("/assets/images/favicon.svg").status_code == 200
    assert client.get("/assets/../setup.cfg").status_code == 404


def test_openapi_document_is_public_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert "Error" in document["components"]["schemas"]
