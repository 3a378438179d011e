"""Organiser login and logout (participants never log in: they use their manage link)."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from eventapp.auth import bp
from eventapp.auth.forms import LoginForm
from eventapp.extensions import db, login_manager
from eventapp.helpers import safe_next
from eventapp.models import User, utcnow
from eventapp.services import audit


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session holds "id:session_token"; a changed token (new password) ends the session."""
    raw_id, _sep, token = (user_id or "").partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), "organiser.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.active and user.check_password(form.password.data):
            session.clear()  # a fresh session at login (no fixation)
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            audit.record("user.login", user=user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), "organiser.dashboard"))
        # One message whether the e-mail exists or not.
        flash(_("Wrong e-mail or password."), "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.home"))
