"""Configuration chosen by environment; nothing is read at import time."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """The app cannot start with the configuration it was given."""


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'marketplace.sqlite3'}"
    # Platform URLs often say postgres:// or postgresql://; we always talk psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(instance_path: Path, overrides=None) -> dict:
    overrides = dict(overrides or {})
    environment = overrides.get("ENV_NAME") or os.environ.get("MARKETPLACE_ENV", "production")
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"MARKETPLACE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}"
        )
    production = environment == "production"
    redis_url = os.environ.get("REDIS_URL") or None
    config = {
        "ENV_NAME": environment,
        "TESTING": environment == "test",
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        # Login throttling: Redis in production so every worker shares the counts.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or redis_url
        or "memory://",
        # Redis down must not lock everybody out, nor let guessing run free: each worker
        # falls back to counting in its own memory until Redis answers again.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # A Redis that hangs counts as down after a second, rather than holding the request.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"),
        "NHSUK_FRONTEND_DIR": os.environ.get(
            "NHSUK_FRONTEND_DIR",
            str(PROJECT_ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
        ),
        # The font review PDFs embed, from the npm package the set-up installs.
        "PDF_FONT_DIR": os.environ.get(
            "PDF_FONT_DIR",
            str(PROJECT_ROOT / "node_modules" / "dejavu-fonts-ttf" / "ttf"),
        ),
        # The RQ queue `flask reviews render` uses when REDIS_URL is set.
        "PDF_QUEUE": os.environ.get("PDF_QUEUE", "review-pdfs"),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "demo-password-2013"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        # Assurance evidence lives outside the web root; default instance/evidence.
        "EVIDENCE_DIR": os.environ.get("EVIDENCE_DIR") or None,
        # The tracker's "today" for overdue milestones (YYYY-MM-DD); default the real date,
        # except in development, where the demo data lives in mid-September 2012.
        "ASSURANCE_AS_OF": os.environ.get("ASSURANCE_AS_OF")
        or ("2012-09-14" if environment == "development" else None),
        # Pins "now" for buying (closing times, question cut-offs): an ISO 8601 date-time
        # with its offset, for demos and tests (marketplace/clock.py). Unset: the real time.
        "MARKETPLACE_NOW": os.environ.get("MARKETPLACE_NOW") or None,
        # Ready reckoner warnings: headroom per head below the benchmark, and fixed plus
        # in-house costs above this share of the allowance.
        "RECKONER_BENCHMARK_PER_HEAD": os.environ.get("RECKONER_BENCHMARK_PER_HEAD", "9.00"),
        "RECKONER_OVERHEADS_SHARE": os.environ.get("RECKONER_OVERHEADS_SHARE", "0.5"),
        # argon2 cost (RFC 9106 "second recommended" profile is the library default).
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
    }
    if environment == "test":
        config.update(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024)
    config.update(overrides)
    if not config["SECRET_KEY"]:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
                "random string before starting CSS Marketplace in production."
            )
        config["SECRET_KEY"] = f"{environment}-only-secret-key"
    return config
