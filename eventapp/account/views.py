"""Landing where the work is: after login, check-in staff (who hold nothing but the desk) go to
the desk of today's event, or choose among today's events; everyone else to the dashboard."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user
from sqlalchemy import select

from eventapp.account import sessions, twofactor
from eventapp.account.blueprint import bp
from eventapp.account.forms import CodeForm, DisableForm
from eventapp.extensions import db, limiter
from eventapp.helpers import safe_next
from eventapp.i18n import current_language
from eventapp.models import Event, EventKind, EventStatus, User
from eventapp.permissions import EVENT_PERMS, Perm, accessible_events_clause, guard

PARIS = ZoneInfo("Europe/Paris")


# Where a member who must turn two-factor login on may still go (the rest sends them there).
SETUP_ALLOWED = frozenset({"account.two_factor", "account.sessions", "account.end_session"})


def init_app(app: Flask) -> None:
    from eventapp.account import profile  # noqa: F401 - its views join the blueprint

    app.register_blueprint(bp)

    @app.before_request
    def _second_factor_first():
        """An organisation that requires two-factor login: its members without it are sent to
        set it up, on every signed-in page (not only right after the login)."""
        view = app.view_functions.get(request.endpoint or "")
        access = guard.declared(view) if view is not None else None
        if access is None or not access.signed_in or request.endpoint in SETUP_ALLOWED:
            return None
        user = current_user._get_current_object()
        if not getattr(user, "is_authenticated", False) or user.has_2fa:
            return None
        if not twofactor.required(user):
            return None
        if request.path.startswith("/api/"):
            abort(403, _("Your organisation requires two-factor login: turn it on first."))
        flash(_("Your organisation requires two-factor login: turn it on now."), "warning")
        return redirect(url_for("account.two_factor"))


def sign_in(user: User, *, remember: bool = False, second_factor: str | None = None) -> None:
    """Log `user` in on this browser: a new server-side session, a line in the login history
    (an e-mail to the owner if the browser is new to the account), the browser remembered, and
    the account's language for the pages."""
    cookie = sessions.record_login(
        user,
        address=get_remote_address(),
        user_agent=request.headers.get("User-Agent"),
        device_cookie_value=request.cookies.get(sessions.DEVICE_COOKIE),
        second_factor=second_factor,
    )
    login_user(user, remember=remember)
    if user.language in current_app.config["LANGUAGES"]:
        session["lang"] = user.language

    @after_this_request
    def _remember_browser(response):
        response.set_cookie(
            sessions.DEVICE_COOKIE,
            cookie,
            max_age=sessions.DEVICE_COOKIE_DAYS * 86400,
            httponly=True,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            samesite="Lax",
        )
        return response


def todays_desks(user, now: datetime | None = None) -> list[Event] | None:
    """Today's events (Paris time) whose desk `user` may run, if the desk is all they may do;
    None for anyone who holds more (they land on the dashboard)."""
    if getattr(user, "is_admin", False):
        return None
    more = accessible_events_clause(user, *(EVENT_PERMS - {Perm.CHECKIN}))
    if db.session.scalar(select(Event.id).where(more).limit(1)) is not None:
        return None
    today = (now or datetime.now(PARIS)).astimezone(PARIS).date()
    start = datetime.combine(today, time.min, PARIS)
    end = start + timedelta(days=1)
    return list(
        db.session.scalars(
            select(Event)
            .where(
                accessible_events_clause(user, Perm.CHECKIN),
                Event.kind != EventKind.TOUR,
                Event.status != EventStatus.CANCELLED,
                Event.starts_at < end,
                Event.ends_at >= start,
            )
            .order_by(Event.starts_at)
            .limit(20)
        )
    )


@bp.get("/organiser/start")
@guard.signed_in
def landing():
    desks = todays_desks(current_user._get_current_object())
    if not desks:
        return redirect(url_for("organiser.dashboard"))
    if len(desks) == 1:
        return redirect(url_for("organiser.checkin_desk", event_id=desks[0].id))
    return render_template("account/today.html", events=desks, lang=current_language())


# --- two-factor login -------------------------------------------------------------------------

PENDING = "2fa_pending"  # the session's half-done login: user id, session token, remember, next
SETUP_KEY = "2fa_setup"


def second_step(user, remember: bool, next_url: str | None):
    """Called by the login view once the password is right: an account with TOTP goes on to
    /login/2fa instead of being logged in (None: log in now)."""
    if not user.has_2fa:
        return None
    session[PENDING] = {
        "id": user.id,
        "token": user.session_token,
        "remember": bool(remember),
        "next": next_url,
    }
    return redirect(url_for("account.login_second_step"))


def after_login(user):
    """Where a fresh login goes when two-factor login is required and not set up yet."""
    if not user.has_2fa and twofactor.required(user):
        flash(_("Your organisation requires two-factor login: turn it on now."), "warning")
        return redirect(url_for("account.two_factor"))
    return None


def _pending_user():
    pending = session.get(PENDING) or {}
    user = db.session.get(User, pending.get("id") or 0)
    if user is None or user.session_token != pending.get("token") or not user.active:
        return None, pending
    return user, pending


def _second_step_key() -> str:
    return f"2fa:{(session.get(PENDING) or {}).get('id', 'none')}"


def _failed_code(response) -> bool:
    return response.status_code == 401


def _login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


@bp.route("/login/2fa", methods=["GET", "POST"])
@guard.public  # the half-done login in the session is the credential
@limiter.limit(
    _login_limit,
    key_func=_second_step_key,
    methods=["POST"],
    deduct_when=_failed_code,
    error_message=lambda: _("Too many wrong codes. Please wait 15 minutes and try again."),
)
def login_second_step():
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        used = twofactor.verify(user, form.code.data)
        if used is not None:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            sign_in(user, remember=pending.get("remember", False), second_factor=used)
            if used == "recovery":
                flash(
                    _(
                        "You used a recovery code; %(num)s left.",
                        num=twofactor.remaining_codes(user),
                    ),
                    "warning",
                )
            return redirect(safe_next(pending.get("next"), "account.landing"))
        form.code.errors.append(_("This code is not right (or the recovery code was used)."))
        return render_template("account/login_2fa.html", form=form), 401
    status = 400 if form.is_submitted() else 200
    return render_template("account/login_2fa.html", form=form), status


@bp.route("/account/2fa", methods=["GET", "POST"])
@guard.signed_in
def two_factor():
    user = current_user._get_current_object()
    if user.has_2fa:
        form = DisableForm()
        if form.validate_on_submit():
            if not user.check_password(form.password.data):
                form.password.errors.append(_("This is not your current password."))
                return render_template("account/two_factor.html", form=form, user=user), 422
            if twofactor.required(user):
                flash(_("Your organisation requires two-factor login: it stays on."), "error")
                return redirect(url_for("account.two_factor"))
            twofactor.disable(user)
            flash(_("Two-factor login is off."), "success")
            return redirect(url_for("account.two_factor"))
        status = 400 if form.is_submitted() else 200
        return render_template(
            "account/two_factor.html",
            form=form,
            user=user,
            remaining=twofactor.remaining_codes(user),
        ), status
    form = CodeForm()
    secret = session.get(SETUP_KEY) or twofactor.new_secret()
    session[SETUP_KEY] = secret
    if form.validate_on_submit():
        codes = twofactor.enable(user, secret, form.code.data)
        if codes is not None:
            session.pop(SETUP_KEY, None)
            return render_template("account/recovery_codes.html", codes=codes)
        form.code.errors.append(_("This code is not right: check your phone's clock."))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "account/two_factor.html",
        form=form,
        user=user,
        secret=secret,
        qr=twofactor.qr_data_uri(user, secret),
    ), status
