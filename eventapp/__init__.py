"""eventapp: event and congress platform of the French bioproduction sector."""

import os
from pathlib import Path

from flask import Flask

from config import CONFIGS, INSTANCE_DIR, ProductionConfig

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """Build the app. `config` is a config class, a name ("development", "testing",
    "production") or a dict of overrides on top of APP_CONFIG (default: development)."""
    from eventapp.webapp import EventApp  # the request owns its transaction

    app = EventApp(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    return app


def configure(app: Flask, config) -> None:
    overrides = {}
    if isinstance(config, dict):
        overrides, config = config, None
    if config is None or isinstance(config, str):
        config = CONFIGS[config or os.environ.get("APP_CONFIG", "development")]
    app.config.from_object(config)
    app.config.update(overrides)
    if config is ProductionConfig or issubclass(config, ProductionConfig):
        ProductionConfig.validate(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file on this machine does not drop connections: no round trip to test each one.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
            "pool_pre_ping": False,
        }


def register_extensions(app: Flask) -> None:
    # Imported here, not at the top: `import eventapp.models` must not load the whole app.
    from eventapp import events, i18n, security
    from eventapp.database import configure_engine, init_session
    from eventapp.extensions import csrf, db, limiter, login_manager, mail, migrate
    from eventapp.jobs import celery_app as jobs
    from eventapp.permissions import guard
    from eventapp.privacy import logging as privacy_logging
    from eventapp.services import mail as mail_service

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    init_session(db.session)  # tracks writes, for own_transaction()
    events.init_app(app)  # domain events: before/after-commit subscribers
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    guard.init_app(app)  # deny by default: every endpoint declares its access rule
    mail_service.init_app(app)
    jobs.init_app(app)  # Celery, bound to this app; jobs published after the response
    privacy_logging.install(app)  # no e-mail address in any log record


def register_blueprints(app: Flask) -> None:
    from eventapp import bench
    from eventapp.account import views as account
    from eventapp.api import views as api
    from eventapp.auth import views as auth
    from eventapp.b2b import views as b2b
    from eventapp.fees import views as fees
    from eventapp.invoices import views as invoices
    from eventapp.ops import views as ops
    from eventapp.organisations import views as organisations
    from eventapp.organiser import views as organiser
    from eventapp.privacy import views as privacy
    from eventapp.programme import views as programme
    from eventapp.public import views as public
    from eventapp.questions import views as questions
    from eventapp.registration import views as registration

    for blueprint in (
        public,
        registration,
        fees,
        invoices,
        auth,
        organiser,
        organisations,
        account,
        api,
        privacy,
        ops,
        questions,
        programme,
        b2b,
    ):
        blueprint.init_app(app)
    bench.init_app(app)  # BENCH_MODE only


def register_hooks(app: Flask) -> None:
    from eventapp import cli, errors, problems
    from eventapp.extensions import db

    @app.teardown_request
    def _remove_request_session(_exc):
        # Sessions are request-scoped (eventapp.database.session_scope): close this one. The
        # answer is already made: closing on a dead connection must not turn it into a blank
        # 500 from the server (issue 20, point 6); the pool drops that connection.
        try:
            db.session.remove()
        except Exception as error:  # noqa: BLE001 - logged; the response stands
            app.logger.warning("closing the request's session failed: %s", type(error).__name__)
            db.session.registry.clear()  # never handed to a later request (same id())

    errors.register_error_handlers(app)
    problems.init_app(app)  # the one ServiceError handler
    cli.register_cli(app)
