"""CSS Marketplace: a Flask app for the NHS commissioning-support market of 2012-13."""

from pathlib import Path

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from .config import PROJECT_ROOT, load_config


def create_app(config=None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(load_config(Path(app.instance_path), config))
    register_proxies(app)
    register_extensions(app)
    register_observability(app)
    register_templates(app)
    register_url_converters(app)
    register_blueprints(app)
    register_input_checks(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, take the client's address and scheme from the headers
    they add (X-Forwarded-For, X-Forwarded-Proto), so the sign-in limits count by the client,
    not the proxy. Only as many hops as configured are believed: a client can send the
    headers too."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0,
                                x_prefix=0)


def register_extensions(app: Flask) -> None:
    from . import models  # tables must be known before Migrate binds
    from .auth.loader import configure_login
    from .extensions import csrf, db, end_reads_with_commit, limiter, migrate
    from .search.schema import include_object
    from .security import configure_hasher

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    # Registered after db.init_app, so it runs before Flask-SQLAlchemy removes the session.
    app.teardown_appcontext(end_reads_with_commit)
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from .extensions import tune_connection

    if not event.contains(Engine, "connect", tune_connection):
        event.listen(Engine, "connect", tune_connection)
    from .services import catalogue_cache, market_cache, notifications

    # The session listeners: the guards behind frozen records and signed agreements, emails
    # sent once a change commits, and the shared cache's tokens. Once per process, however
    # many apps are created.
    for target, name, listener in (*models.LISTENERS, *notifications.LISTENERS,
                                   *market_cache.LISTENERS, *catalogue_cache.LISTENERS):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_object=include_object,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    catalogue_cache.init_app(app)
    configure_login(app)
    configure_hasher(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"])


def register_observability(app: Flask) -> None:
    from .observability import register_observability as register

    register(app)


def register_templates(app: Flask) -> None:
    from .templating import register_template_helpers

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PackageLoader("nhsuk_frontend_jinja"),
        ]
    )
    # Every template escapes what it prints, the NHS.UK macros (.jinja) included: Flask
    # would autoescape only .html and the like, leaving the text passed to a macro (labels,
    # summary rows, banners, textarea contents) to be emitted as live markup. The macros mark
    # their "html" parameters safe themselves, so only what the code built goes there.
    app.jinja_env.autoescape = True
    # The NHS.UK macros read optional parameters through chains like params.hint.text.
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    register_template_helpers(app)


def register_url_converters(app: Flask) -> None:
    from .routing import register_url_converters as register

    register(app)


def register_blueprints(app: Flask) -> None:
    from .access import enforce_access
    from .admin import bp as admin_bp
    from .agreements import bp as agreements_bp
    from .agreements import customers_bp
    from .api import bp as api_bp
    from .api.documentation import bp as api_documentation_bp
    from .assets import bp as assets_bp
    from .auth import bp as auth_bp
    from .authorisation import bp as authorisation_bp
    from .catalogue import bp as catalogue_bp
    from .checkpoints import admin_bp as checkpoint_admin_bp
    from .checkpoints import bp as checkpoints_bp
    from .checkpoints import thresholds_bp as plan_check_thresholds_bp
    from .headers import set_security_headers
    from .health import bp as health_bp
    from .main import bp as main_bp
    from .market import bp as market_bp
    from .notifications import bp as notifications_bp
    from .offers import bp as offers_bp
    from .opportunities import bp as opportunities_bp
    from .procurements import bp as procurements_bp
    from .procurements import thresholds_bp as procurement_thresholds_bp
    from .prospectuses import bp as prospectuses_bp
    from .reckoner import bp as reckoner_bp
    from .requirements import bp as requirements_bp
    from .review_documents import bp as review_documents_bp
    from .reviews import bp as reviews_bp
    from .shortlists import bp as shortlists_bp
    from .statements import bp as statements_bp
    from .statements import demand_bp
    from .surveys import answers_bp as survey_answers_bp
    from .surveys import bp as surveys_bp
    from .tracker import bp as tracker_bp

    app.before_request(enforce_access)
    app.after_request(set_security_headers)
    for blueprint in (
        assets_bp,
        health_bp,
        main_bp,
        notifications_bp,
        auth_bp,
        admin_bp,
        reckoner_bp,
        requirements_bp,
        statements_bp,
        demand_bp,
        shortlists_bp,
        agreements_bp,
        customers_bp,
        authorisation_bp,
        procurements_bp,
        procurement_thresholds_bp,
        opportunities_bp,
        checkpoints_bp,
        checkpoint_admin_bp,
        plan_check_thresholds_bp,
        reviews_bp,
        review_documents_bp,
        tracker_bp,
        surveys_bp,
        survey_answers_bp,
        market_bp,
        catalogue_bp,
        prospectuses_bp,
        offers_bp,
        api_bp,
        api_documentation_bp,
    ):
        app.register_blueprint(blueprint)
    if app.config["ENV_NAME"] == "development":
        from .dev_mail import bp as dev_mail_bp

        app.register_blueprint(dev_mail_bp)


def register_input_checks(app: Flask) -> None:
    from .request_input import register_input_checks as register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register_error_pages

    register_error_pages(app)


def register_commands(app: Flask) -> None:
    from .cli import register_cli

    register_cli(app)
