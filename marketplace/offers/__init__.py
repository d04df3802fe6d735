"""Finding offers: search with facets, the offer page and the public provider pages."""

from flask import Blueprint

from marketplace.access import PUBLIC, protect

# Published offers and versions are public, as in the prospectuses of 2012.
bp = protect(Blueprint("offers", __name__), PUBLIC)

from . import views  # noqa: E402,F401
