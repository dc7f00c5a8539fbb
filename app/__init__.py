"""Lotsen: BPMN-driven case handling for municipal building permits."""
from __future__ import annotations

from flask import Flask, request, session as cookie_session
from werkzeug.middleware.proxy_fix import ProxyFix

from app import input_limits
from app.config import Settings
from app.extensions import babel, csrf, login_manager
from app.runtime import Runtime, build_runtime

LOCALES = ("sv", "en")


def _select_locale() -> str:
    chosen = cookie_session.get("lang")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or "sv"


def create_app(config: Settings | dict | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the Flask app with its runtime, extensions and blueprints."""
    settings = config if isinstance(config, Settings) else Settings.from_env(config)
    app = Flask(__name__, template_folder="web/templates", static_folder="static")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=settings.testing,
    )
    input_limits.init_app(app)  # before any route is added: <int:...> becomes a database id
    app.extensions["lotsen"] = runtime or build_runtime(settings)
    app.extensions["lotsen_settings"] = settings

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)

    from app import errors, uow
    from app.api import bp as api_bp
    from app.web import (admin, admin_groups, admin_workers, appeals, auth, board, cases, committee, hearing, inbox,
                         insight, portal, simulation, studio, survey)

    uow.init_app(app)
    errors.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(board.bp)
    app.register_blueprint(survey.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(studio.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_groups.bp)
    app.register_blueprint(committee.bp)
    app.register_blueprint(hearing.bp)
    app.register_blueprint(insight.bp)
    app.register_blueprint(simulation.bp)
    app.register_blueprint(appeals.bp)
    app.register_blueprint(admin_workers.bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    if settings.testing:
        from app.api.testing import bp as testing_bp

        app.register_blueprint(testing_bp)
        csrf.exempt(testing_bp)
    from app import headers, throttle
    from app.web import filters

    filters.init_app(app)
    throttle.init_app(app, settings, app.extensions["lotsen"])
    headers.init_app(app, settings)
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    return app
