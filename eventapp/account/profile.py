"""The signed-in person's own account: profile (name, language), e-mail change confirmed from
the new address, and the sessions and login history (log out one session, or everywhere).

An e-mail change is a signed link (itsdangerous) to the new address, valid EMAIL_CHANGE_HOURS
and bound to the current address (once the address changes, every earlier link is dead): the
change is made only when the new address's owner opens it and confirms, and the old address
is told. No commit here: the request commits once (DEVELOPERS.md).
"""

from __future__ import annotations

import hashlib

from flask import abort, current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from eventapp.account import sessions
from eventapp.account.blueprint import bp
from eventapp.account.forms import ActionForm, EmailChangeForm, ProfileForm
from eventapp.extensions import limiter
from eventapp.helpers import external_url
from eventapp.i18n import localdatetime
from eventapp.models import User
from eventapp.permissions import guard
from eventapp.services import accounts, audit
from eventapp.services import mail as mail_service
from eventapp.text import normalise_email

EMAIL_CHANGE_HOURS = 24
_EMAIL_SALT = "eventapp.email-change"


def _me() -> User:
    return current_user._get_current_object()


# --- profile --------------------------------------------------------------------------------


def _profile_page(form: ProfileForm, email_form: EmailChangeForm, status: int = 200):
    return render_template(
        "account/profile.html", form=form, email_form=email_form, user=_me()
    ), status


@bp.route("/account/profile", methods=["GET", "POST"])
@guard.signed_in
def profile():
    user = _me()
    form = ProfileForm(data={"name": user.name, "language": user.language or "fr"})
    email_form = EmailChangeForm(formdata=None)
    if form.validate_on_submit():
        user.name = form.name.data.strip()
        user.language = form.language.data
        session["lang"] = user.language
        audit.record("user.profile_changed", user=user)
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("account.profile"))
    return _profile_page(form, email_form, 422 if form.is_submitted() else 200)


# --- e-mail change ----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_EMAIL_SALT)


def _bound_to(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:20]


def email_change_token(user: User, new_email: str) -> str:
    return _serializer().dumps({"u": user.id, "e": new_email, "o": _bound_to(user.email)})


def _change_for_token(token: str) -> tuple[User | None, str | None]:
    if not token or len(token) > 600:
        return None, None
    try:
        data = _serializer().loads(token, max_age=EMAIL_CHANGE_HOURS * 3600)
    except (SignatureExpired, BadSignature):
        return None, None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None, None
    from eventapp.extensions import db

    user = db.session.get(User, data["u"])
    new_email = data.get("e")
    if user is None or not user.active or not isinstance(new_email, str):
        return None, None
    if data.get("o") != _bound_to(user.email):
        return None, None  # the address changed since: the link is used
    return user, new_email


def _wrong_password(_response) -> bool:
    return g.get("wrong_current_password", False)


def _user_key() -> str:
    return f"email-change:{getattr(current_user, 'id', None) or 'anonymous'}"


def _login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def _requests_key() -> str:
    return f"email-change-requests:{getattr(current_user, 'id', None) or 'anonymous'}"


def _request_limit() -> str:
    return current_app.config["PASSWORD_RESET_REQUEST_LIMIT"]


@bp.post("/account/email")
@guard.signed_in
@limiter.limit(  # each request mails a stranger's address: a few an hour
    _request_limit,
    key_func=_requests_key,
    error_message=lambda: _("Too many requests. Please wait a while and try again."),
)
@limiter.limit(
    _login_limit,
    key_func=_user_key,
    deduct_when=_wrong_password,
    error_message=lambda: _("Too many wrong passwords. Please wait 15 minutes and try again."),
)
def change_email():
    user = _me()
    email_form = EmailChangeForm()
    form = ProfileForm(formdata=None, data={"name": user.name, "language": user.language or "fr"})
    if not email_form.validate_on_submit():
        return _profile_page(form, email_form, 422)
    if not user.check_password(email_form.password.data):
        g.wrong_current_password = True
        email_form.password.errors.append(_("This is not your current password."))
        return _profile_page(form, email_form, 422)
    new_email = normalise_email(email_form.email.data)
    if new_email == user.email:
        email_form.email.errors.append(_("This is already your address."))
        return _profile_page(form, email_form, 422)
    # The same answer whether another account uses the address or not; only a free address
    # gets the link (the confirmation checks again).
    if accounts.user_by_email(new_email) is None:
        with force_locale(user.language or "fr"):
            subject = _("Confirm your new e-mail address for eventapp")
            body = render_template(
                "mail/email_change.txt",
                user=user,
                confirm_url=external_url(
                    "account.confirm_email", token=email_change_token(user, new_email)
                ),
                hours=EMAIL_CHANGE_HOURS,
            )
        mail_service.enqueue(
            kind="account.email_change", recipient=new_email, subject=subject, body_text=body
        )
    audit.record("user.email_change_requested", user=user)
    flash(
        _(
            "We have sent a confirmation link to the new address. Your address changes once "
            "you open it."
        ),
        "info",
    )
    return redirect(url_for("account.profile"))


@bp.route("/account/email-change/<token>", methods=["GET", "POST"])
@guard.public  # the signed token is the credential (it came to the new address)
def confirm_email(token: str):
    user, new_email = _change_for_token(token)
    if user is None:
        return render_template("account/email_invalid.html"), 410
    form = ActionForm()
    if form.validate_on_submit():
        if accounts.user_by_email(new_email) is not None:
            flash(_("Another account uses this address now: the change was not made."), "error")
            return render_template("account/email_invalid.html"), 409
        old_email, user.email = user.email, new_email
        with force_locale(user.language or "fr"):
            subject = _("The e-mail address of your eventapp account has changed")
            body = render_template("mail/email_changed.txt", user=user)
        mail_service.enqueue(
            kind="account.email_changed", recipient=old_email, subject=subject, body_text=body
        )
        audit.record("user.email_changed", user=user)
        flash(_("Your e-mail address has been changed."), "success")
        return redirect(
            url_for("account.profile" if current_user.is_authenticated else "auth.login")
        )
    return render_template("account/email_confirm.html", form=form, new_email=new_email)


# --- sessions and login history ---------------------------------------------------------------


@bp.get("/account/sessions", endpoint="sessions")
@guard.signed_in
def sessions_page():
    user = _me()
    return render_template(
        "account/sessions.html",
        live=sessions.live(user),
        current_id=user.session_row_id,
        history=sessions.history(user),
        keep_days=current_app.config["LOGIN_HISTORY_DAYS"],
        form=ActionForm(),
        when=localdatetime,
    )


@bp.post("/account/sessions/<id:session_id>/end")
@guard.signed_in
def end_session(session_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    user = _me()
    if session_id == user.session_row_id:
        flash(_("This is the session you are using: log out to end it."), "info")
    elif sessions.end_one(user, session_id):
        flash(_("That session has been logged out."), "success")
    else:
        abort(404)  # not a live session of this account (another's is not disclosed)
    return redirect(url_for("account.sessions"))


@bp.post("/account/sessions/end-all")
@guard.signed_in
def end_all_sessions():
    if not ActionForm().validate_on_submit():
        abort(400)
    sessions.end_everywhere(_me())
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have been logged out everywhere, here too."), "success")
    return redirect(url_for("auth.login"))
