"""Pure domain rules and numbers: no Flask, no SQLAlchemy, no request."""
