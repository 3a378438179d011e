"""Organiser login, logout, password change and reset (participants never log in: they use
their manage link).

Failed logins are throttled per (account, address) pair with growing delays and per account for
unknown browsers only (eventapp/auth/throttle.py), and per address by Flask-Limiter
(LOGIN_ADDRESS_LIMIT, failures only): the 429 page says the same thing whether the e-mail
exists or not, and the account holder is never locked out of a browser they logged in with.
A login starts a server-side session (eventapp/account/sessions.py): logout ends it.

No commit here: the request commits once the view answered below 400 (a login, a reset, a new
password redirect); a form shown again with errors rolls back. A counter that must survive a
refused login would use `database.own_transaction()`.
"""

import hashlib

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME

from eventapp.account import sessions
from eventapp.account import views as account
from eventapp.auth import throttle
from eventapp.auth.blueprint import bp
from eventapp.auth.forms import (
    NEW_PASSWORD_HINT,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
)
from eventapp.errors import render_error
from eventapp.extensions import limiter
from eventapp.helpers import safe_next
from eventapp.models import User
from eventapp.permissions import guard
from eventapp.services import accounts

FAILED_LOGIN = 401


def load_user(user_id: str) -> User | None:
    """The session holds "id:session_token:session_key": a changed token (new password, "log
    out everywhere") or an ended session (logout, "log out" on the sessions page) ends it."""
    return sessions.load(user_id)


# --- throttling -----------------------------------------------------------------------------


def _account_key() -> str:
    # A digest, not the address itself: rate-limit storage (Redis) never holds e-mails.
    email = accounts.normalise_email(request.form.get("email"))
    return "account:" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def _address_key() -> str:
    return "address:" + (get_remote_address() or "unknown")


def _login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_REQUEST_LIMIT"]


def _failed(response) -> bool:
    return response.status_code == FAILED_LOGIN


def _too_many_logins() -> str:
    return _("Too many failed login attempts. Please wait 15 minutes and try again.")


def _user_key() -> str:
    # The id only: the session token in get_id() must not reach the limiter's storage.
    return f"user:{getattr(current_user, 'id', None) or 'anonymous'}"


def _wrong_current_password(_response) -> bool:
    return g.get("wrong_current_password", False)


def _too_many_wrong_passwords() -> str:
    return _("Too many wrong passwords. Please wait 15 minutes and try again.")


def _too_many_resets() -> str:
    return _("Too many password reset requests. Please wait a while and try again.")


def _renew_session() -> None:
    """A fresh session (no fixation), keeping only the reader's language choice."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


# --- login and logout -----------------------------------------------------------------------


def _slowed_down(seconds: int):
    minutes = max(1, -(-seconds // 60))
    message = (
        ngettext(
            "Too many failed login attempts from here. Please wait %(num)s second.",
            "Too many failed login attempts from here. Please wait %(num)s seconds.",
            seconds,
        )
        if seconds < 60
        else ngettext(
            "Too many failed login attempts from here. Please wait %(num)s minute.",
            "Too many failed login attempts from here. Please wait %(num)s minutes.",
            minutes,
        )
    )
    return render_error(429, message, headers={"Retry-After": str(seconds)})


@bp.route("/login", methods=["GET", "POST"])
@guard.public
@limiter.limit(
    _address_limit,
    key_func=_address_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message=_too_many_logins,
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), "account.landing"))
    form = LoginForm()
    if form.validate_on_submit():
        email, address = form.email.data, get_remote_address()
        # Looked up for either answer (the same work whether the account exists or not).
        holder = accounts.user_by_email(email)
        known_browser = sessions.knows(request.cookies.get(sessions.DEVICE_COOKIE), holder)
        wait = throttle.wait_seconds(email, address, known_browser=known_browser)
        if wait:
            return _slowed_down(wait)
        user = accounts.authenticate(email, form.password.data)
        if user is not None:
            throttle.succeeded(email, address)
            _renew_session()
            # Two-factor login (eventapp.account): the code is asked on /login/2fa first.
            target = safe_next(request.args.get("next"), "account.landing")
            second = account.second_step(user, form.remember.data, target)
            if second is not None:
                return second
            account.sign_in(user, remember=form.remember.data)
            setup = account.after_login(user)
            if setup is not None:
                return setup
            return redirect(target)
        throttle.failed(email, address, holder if holder is not None and holder.active else None)
        # One message whether the e-mail exists or not.
        flash(_("Wrong e-mail or password."), "error")
        return render_template("auth/login.html", form=form), FAILED_LOGIN
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@guard.public
def logout():
    if current_user.is_authenticated:
        sessions.end_current(current_user._get_current_object())
    logout_user()
    _renew_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.home"))


# --- passwords ------------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@guard.public
@limiter.limit(
    _reset_limit, key_func=_address_key, methods=["POST"], error_message=_too_many_resets
)
@limiter.limit(
    _reset_limit, key_func=_account_key, methods=["POST"], error_message=_too_many_resets
)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        # The same answer whether an account exists or not.
        flash(
            _(
                "If an organiser account exists for this address, we have sent it a link to "
                "choose a new password. Check your inbox (and spam folder)."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@guard.public  # the reset token is checked by services.accounts
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(user, form.new_password.data)
        except accounts.AccountError as error:
            form.new_password.errors.append(_password_message(error.code))
        else:
            # The owner is back in from anywhere: the account's failed-login counters go.
            throttle.clear_account(user.email)
            _renew_session()
            flash(_("Your password has been changed. You can log in with it now."), "success")
            return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form, hint=NEW_PASSWORD_HINT), status


@bp.route("/password/change", methods=["GET", "POST"])
@guard.signed_in
@limiter.limit(
    _login_limit,
    key_func=_user_key,
    methods=["POST"],
    deduct_when=_wrong_current_password,
    error_message=_too_many_wrong_passwords,
)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            g.wrong_current_password = True  # counted: a stolen session cannot guess on
            form.current_password.errors.append(_("This is not your current password."))
        else:
            try:
                accounts.change_password(current_user, form.new_password.data)
            except accounts.AccountError as error:
                form.new_password.errors.append(_password_message(error.code))
            else:
                user = current_user._get_current_object()
                remembered = (
                    current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
                )
                # This session goes on with the new session token; all others have ended.
                _renew_session()
                sessions.start(
                    user,
                    address=get_remote_address(),
                    user_agent=request.headers.get("User-Agent"),
                )
                login_user(user, remember=remembered)
                flash(
                    _("Your password has been changed. Your other sessions have been logged out."),
                    "success",
                )
                return redirect(url_for("account.profile"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form, hint=NEW_PASSWORD_HINT), status


def _password_message(code: str) -> str:
    return {
        "too_short": _(
            "The password needs at least %(num)s characters.", num=accounts.PASSWORD_MIN_LENGTH
        ),
        "too_long": _("The password is too long."),
        "is_email": _("Do not use your e-mail address as your password."),
    }.get(code, _("This password cannot be used."))
