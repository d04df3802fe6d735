"""The front door: the anonymous home page, the public pages, the API documentation and the
navigation's mark on the current page."""

import pytest

from .conftest import html, text_of

PUBLIC_PAGES = {
    "/help": "Help using CSS Marketplace",
    "/accessibility": "Accessibility statement",
    "/privacy": "Privacy",
    "/contact": "Contact us",
    "/api-documentation": "API documentation",
}


def links(response) -> set[str]:
    return {a["href"] for a in html(response).select("a[href]")}


def test_the_home_page_says_what_this_is_and_links_the_public_parts(client):
    page = client.get("/")
    assert page.status_code == 200
    text = text_of(page)
    assert "2012–13" in text
    for who in ("clinical commissioning groups", "commissioning support service",
                "Business Development Unit"):
        assert who.lower() in text.lower()
    main = html(page).select_one("main")
    hrefs = {a["href"] for a in main.select("a[href]")}
    assert {"/specifications", "/offers", "/ready-reckoner", "/api-documentation",
            "/sign-in"} <= hrefs


def test_visitors_get_the_public_links_in_the_header_and_the_footer(client):
    page = html(client.get("/"))
    header = {a["href"] for a in page.select('nav[aria-label="Main menu"] a')}
    assert header == {"/specifications", "/offers", "/ready-reckoner", "/api-documentation"}
    footer = {a["href"] for a in page.select("footer a")}
    assert {"/specifications", "/offers", "/ready-reckoner", "/api-documentation", "/help",
            "/contact", "/accessibility", "/privacy"} <= footer


@pytest.mark.parametrize(("url", "heading"), PUBLIC_PAGES.items())
def test_public_pages_open_to_visitors(client, url, heading):
    page = client.get(url)
    assert page.status_code == 200
    assert html(page).select_one("h1").get_text(strip=True) == heading


@pytest.mark.parametrize(("url", "heading"), PUBLIC_PAGES.items())
def test_public_pages_open_to_signed_in_users_with_their_navigation(ccg_client, url, heading):
    page = ccg_client.get(url)
    assert page.status_code == 200
    assert html(page).select_one("h1").get_text(strip=True) == heading
    menu = [a.get_text(strip=True) for a in html(page).select('nav[aria-label="Main menu"] a')]
    assert "Dashboard" in menu and "Sign out" in text_of(page)
    assert "/help" in {a["href"] for a in html(page).select("footer a")}


def test_the_api_documentation_lists_every_operation_and_loads_swagger_ui_locally(client):
    page = client.get("/api-documentation")
    document = client.get("/api/v1/openapi.json").get_json()
    rows = {(cells[0], cells[1]) for cells in (
        [td.get_text(strip=True) for td in row.select("td")]
        for row in html(page).select("#api-operations tbody tr"))}
    expected = {(method.upper(), "/api/v1" + path)
                for path, methods in document["paths"].items() for method in methods}
    assert rows == expected
    soup = html(page)
    scripts = [s["src"] for s in soup.select("script[src]")]
    assert "/assets/swagger-ui/swagger-ui-bundle.js" in scripts
    assert "/static/js/api-documentation.js" in scripts
    assert "/assets/swagger-ui/swagger-ui.css" in [link["href"] for link in soup.select("link")]
    assert all(src.startswith("/") for src in scripts)  # our own origin, no CDN
    assert soup.select_one("#swagger-ui")["data-openapi-url"] == "/api/v1/openapi.json"


def test_swagger_ui_files_are_served_and_nothing_else_from_its_package(client):
    bundle = client.get("/assets/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert "SwaggerUIBundle" in bundle.get_data(as_text=True)[:200_000]
    assert client.get("/assets/swagger-ui/swagger-ui.css").status_code == 200
    assert client.get("/assets/swagger-ui/index.html").status_code == 404
    assert client.get("/assets/swagger-ui/swagger-initializer.js").status_code == 404


def current_items(response):
    menu = html(response).select_one('nav[aria-label="Main menu"]')
    return [(a.get_text(strip=True), a["aria-current"])
            for a in menu.select("a[aria-current]")]


def test_the_navigation_marks_the_current_page(ccg_client, client):
    assert current_items(ccg_client.get("/dashboard")) == [("Dashboard", "page")]
    assert current_items(ccg_client.get("/offers")) == [("Find offers", "page")]
    assert current_items(client.get("/ready-reckoner")) == [("Ready reckoner", "page")]
    assert current_items(client.get("/api-documentation")) == [("API", "page")]
    # A page without an entry of its own marks nothing.
    assert current_items(client.get("/help")) == []
    item = html(ccg_client.get("/dashboard")).select_one(
        'nav[aria-label="Main menu"] a[aria-current]').find_parent("li")
    assert "nhsuk-header__navigation-item--current" in item["class"]


def test_a_page_below_an_entry_marks_that_entry_active(ccg_client):
    assert current_items(ccg_client.get("/scenarios/new")) == [("Scenarios", "true")]
