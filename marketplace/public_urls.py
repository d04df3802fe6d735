"""Absolute URLs for what leaves the site (OCDS release packages name their own address).

Built from the PUBLIC_BASE_URL setting alone: never from the request's Host header or
script name, which the client (or anything between it and us) chooses.
"""

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
