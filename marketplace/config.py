"""Configuration chosen by environment; nothing is read at import time."""

import os
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "test", "production")
# Where people reach the service; production must say (PUBLIC_BASE_URL).
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_PUBLIC_BASE_URLS = {"development": "http://127.0.0.1:5000", "test": "http://localhost"}


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


def _whole_number(name: str, default: int, *, minimum: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip()
    # isdecimal, not isdigit: "²" is a digit to Python but not a number to anybody setting this.
    if not (value.isascii() and value.isdecimal()) or int(value) < minimum:
        raise ConfigError(f"{name} must be a whole number, {minimum} or more, not {raw!r}")
    return int(value)


def _check_public_base_url(url: str | None, environment: str) -> str:
    if not url:
        raise ConfigError(
            "PUBLIC_BASE_URL is not set. Set it to the address people use to reach CSS "
            "Marketplace, such as https://marketplace.example.nhs.uk, before starting it "
            f"with MARKETPLACE_ENV={environment}."
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"PUBLIC_BASE_URL must be an http(s) address like "
                          f"https://marketplace.example.nhs.uk, not {url!r}")
    return url.rstrip("/")


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
        # Searches kept for every worker until the catalogue changes (services.catalogue_cache).
        # Not in tests unless a test asks: many tests share one database, put back between
        # them without a change that would move the catalogue's generation.
        "SEARCH_CACHE_URL": os.environ.get("SEARCH_CACHE_URL")
        or (None if environment == "test" else redis_url),
        # Absolute URLs (OCDS release packages) are built from this, never from Host.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL")
        or DEFAULT_PUBLIC_BASE_URLS.get(environment),
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
        # Failed sign-ins allowed: to one account from one address (this is what a mistyped
        # password meets), to one account from anywhere (slower: distributed guessing), and
        # from one address to any account. Browsers that have signed in to the account before
        # are not held by the last two, so strangers cannot lock its owner out.
        "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": os.environ.get(
            "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS", "5 per 15 minutes"
        ),
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "50 per hour"),
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"),
        # How many proxies in front of the app set X-Forwarded-For and X-Forwarded-Proto.
        # 0 trusts none: the address the limits count by is the connection's own.
        "TRUSTED_PROXIES": _whole_number("TRUSTED_PROXIES", 0, minimum=0),
        # Sessions end after this long without a request, or this long after sign-in.
        "SESSION_IDLE_MINUTES": _whole_number("SESSION_IDLE_MINUTES", 30, minimum=1),
        "SESSION_MAX_HOURS": _whole_number("SESSION_MAX_HOURS", 12, minimum=1),
        # Sensitive actions ask for the password again unless it was entered this recently.
        "RECENT_PASSWORD_MINUTES": _whole_number("RECENT_PASSWORD_MINUTES", 15, minimum=1),
        "NHSUK_FRONTEND_DIR": os.environ.get(
            "NHSUK_FRONTEND_DIR",
            str(PROJECT_ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
        ),
        # Swagger UI's bundle and stylesheet for the API documentation page (npm package).
        "SWAGGER_UI_DIR": os.environ.get(
            "SWAGGER_UI_DIR",
            str(PROJECT_ROOT / "node_modules" / "swagger-ui-dist"),
        ),
        # The font review PDFs embed, from the npm package the set-up installs.
        "PDF_FONT_DIR": os.environ.get(
            "PDF_FONT_DIR",
            str(PROJECT_ROOT / "node_modules" / "dejavu-fonts-ttf" / "ttf"),
        ),
        # After DejaVu Sans in the PDF's font stack, for the emoji it lacks (npm package).
        "PDF_EMOJI_FONT": os.environ.get(
            "PDF_EMOJI_FONT",
            str(PROJECT_ROOT / "node_modules" / "@fontsource" / "noto-emoji" / "files"
                / "noto-emoji-emoji-400-normal.woff"),
        ),
        # The RQ queue `flask reviews render` uses when REDIS_URL is set.
        "PDF_QUEUE": os.environ.get("PDF_QUEUE", "review-pdfs"),
        # Notification emails are sent by a job on this RQ queue (the PDF batches' own, so
        # the `rq worker` already running works them); without Redis, in this process, after
        # the response has gone (marketplace/services/notifications.py).
        "MAIL_QUEUE": os.environ.get("MAIL_QUEUE") or os.environ.get("PDF_QUEUE", "review-pdfs"),
        # SMTP for notification emails. No MAIL_SERVER: none are sent (the in-app list still
        # fills). Development defaults to the mail catcher `make run` starts.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER")
        or ("127.0.0.1" if environment == "development" else None),
        "MAIL_PORT": _whole_number("MAIL_PORT", 1025 if environment == "development" else 25,
                                   minimum=1),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "").strip().lower()
        in ("1", "true", "yes", "on"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER")
        or "CSS Marketplace <no-reply@css-marketplace.invalid>",
        # Where the development mail catcher keeps what it caught (a Maildir), for /dev/mail.
        "MAIL_CATCHER_DIR": os.environ.get("MAIL_CATCHER_DIR")
        or str(PROJECT_ROOT / "instance" / "mail"),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "demo-password-2013"),
        # Logs: JSON lines in production, readable text elsewhere; tests only warnings up.
        "LOG_LEVEL": (os.environ.get("LOG_LEVEL")
                      or ("WARNING" if environment == "test" else "INFO")).upper(),
        "LOG_FORMAT": (os.environ.get("LOG_FORMAT")
                       or ("json" if production else "text")).lower(),
        # /metrics answers only a request bearing this token; without one it is switched off.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        # Assurance evidence lives outside the web root; default instance/evidence.
        "EVIDENCE_DIR": os.environ.get("EVIDENCE_DIR") or None,
        # A performance return is late once this many working days have passed after the
        # end of its month (weekends and England's bank holidays are not working days).
        "RETURN_DUE_WORKING_DAYS": _whole_number("RETURN_DUE_WORKING_DAYS", 15, minimum=1),
        # The one clock (marketplace/clock.py): the day the product lives in (YYYY-MM-DD, the
        # clock runs on from it) or a moment to pin "now" to (ISO 8601 with its offset).
        # Unset: the real time. MARKETPLACE_NOW is its older name.
        "MARKETPLACE_TODAY": os.environ.get("MARKETPLACE_TODAY")
        or os.environ.get("MARKETPLACE_NOW") or None,
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
    config["PUBLIC_BASE_URL"] = _check_public_base_url(config["PUBLIC_BASE_URL"], environment)
    if config["LOG_LEVEL"] not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
                          f"not {config['LOG_LEVEL']!r}")
    if config["LOG_FORMAT"] not in ("json", "text"):
        raise ConfigError(f"LOG_FORMAT must be json or text, not {config['LOG_FORMAT']!r}")
    return config
