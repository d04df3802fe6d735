import pytest

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

            response = _respond(500)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    body = response.get_data(as_text=True)
    assert response.status_code == 500
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


# Every refusal Flask or Werkzeug raises has its page (HTML) or body (JSON under /api/),
# never a 500 for want of a template.

from werkzeug.exceptions import MethodNotAllowed, NotFound  # noqa: E402


def _example_path(rule) -> str:
    values = {name: 1 if type(converter).__name__.endswith("IntegerConverter") else "x"
              for name, converter in rule._converters.items()}
    return rule.build(values)[1]


def _refused_methods(app):
    """(method, path) for every route and every method it does not take."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        path = _example_path(rule)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            try:
                adapter.match(path, method=method)
            except MethodNotAllowed:
                yield method, path
            except NotFound:
                pass
            except Exception:  # noqa: BLE001 - a redirect (a slash to add) is not our case
                pass


def test_every_route_answers_a_wrong_method_with_405_and_its_page(app, client):
    refused = sorted(set(_refused_methods(app)))
    assert len(refused) > 100
    for method, path in refused:
        response = client.open(path, method=method)
        assert response.status_code == 405, (method, path, response.status_code)
        assert response.headers["Allow"]
        if path.startswith("/api/"):
            assert response.get_json()["errors"][0]["message"]
        else:
            assert "cannot be used that way" in text_of(response), (method, path)


def test_a_wrong_method_on_a_form_page_says_so(ccg_client):
    response = ccg_client.get("/shortlists/add")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    page = text_of(response)
    assert "Sorry, there is a problem with your request" in page
    assert "GET is not one of" in page


def test_a_body_over_the_size_limit_gets_the_413_page(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/sign-in", data={"email": "x" * (limit + 1)})
    assert response.status_code == 413
    page = text_of(response)
    assert "The file is too large" in page
    assert f"{limit // (1024 * 1024)} MB" in page


def test_a_json_body_over_the_size_limit_gets_a_json_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/v1/nothing-here", data=b"{" * (limit + 1),
                           content_type="application/json")
    assert response.status_code in (404, 413)  # no route: never read
    signed_in = app.test_client()
    signed_in.sign_in_as("ccg@demo.test")
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and "POST" in rule.methods and not rule.arguments:
            response = signed_in.post(rule.rule, data=b"{" * (limit + 1),
                                      content_type="application/json", csrf=False)
            assert response.status_code in (400, 401, 403, 413), rule.rule
            assert response.is_json


def test_statuses_without_a_page_of_their_own_get_the_plain_page(app, client):
    from werkzeug.exceptions import Gone, UnsupportedMediaType

    from marketplace.errors import _respond

    for error in (Gone(), UnsupportedMediaType()):
        with app.test_request_context("/somewhere"):
            response = app.handle_user_exception(error)
        assert response.status_code == error.code
        assert error.description in response.get_data(as_text=True)
    with app.test_request_context("/somewhere"):
        response = _respond(401)
    assert response.status_code == 401
    assert "Sign in" in response.get_data(as_text=True)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 413, 429, 500, 503])
def test_every_error_page_renders_its_title(app, status):
    from marketplace.errors import TITLES, _respond

    with app.test_request_context("/somewhere"):
        response = _respond(status, "What went wrong, in words.")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert TITLES[status].replace("'", "&#39;") in page
    assert "What went wrong, in words." in page


def test_a_text_field_over_the_form_memory_limit_gets_the_413_page_saying_so(app, client):
    text_limit = app.config["MAX_FORM_MEMORY_SIZE"]
    response = client.post("/sign-in", data={"email": "x" * (text_limit + 1)},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    page = text_of(response)
    assert "Some text you entered is longer than the service accepts" in page
    assert f"{text_limit // 1000:,} KB" in page
