"""Signed-in sessions kept on the server, the login history, and the browsers an account has
used (issue 13: active sessions, "log out everywhere", login history, "new browser" e-mail).

- A login starts a `UserSession`: a random key travels in the Flask-Login id ("id:token:key",
  in the session cookie and the "remember me" cookie); only its SHA-256 is stored. The loader
  (`load`) accepts an id only while its row is live: not ended (log out, "log out" on the
  sessions page) and of the account's current session token (a password change, a reset,
  "log out everywhere", a removed member: `User.end_sessions` ends every row at once).
- Each login is written to the login history (`LoginRecord`): time, the address's first
  bytes only, the browser's family and system. A browser is known by a signed, long-lived
  cookie (DEVICE_COOKIE, a random id and the accounts that logged in with it): a login from a
  browser without it e-mails the account's owner (through the outbox, so by a worker), and a
  known browser is never stopped by the per-account throttle (eventapp.auth.throttle).
- Retention: login records after LOGIN_HISTORY_DAYS, sessions once ended for that long or
  older than the "remember me" duration (`purge`, run by the daily retention job).

Functions flush, never commit, and take what they need from the request as arguments.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, or_, select, update

from eventapp.extensions import db
from eventapp.models import LoginRecord, Membership, Organisation, User, UserSession, utcnow
from eventapp.routing import parse_int
from eventapp.services import audit
from eventapp.services import mail as mail_service

DEVICE_COOKIE = "eventapp_device"
DEVICE_COOKIE_DAYS = 400  # browsers cap cookies at 400 days
_DEVICE_SALT = "eventapp.device"
DEVICE_ACCOUNTS = 5  # accounts a shared browser remembers (the latest ones)
SESSIONS_SHOWN = 50


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- what a login says about where it comes from ---------------------------------------------


def network_of(address: str | None) -> str:
    """The address's first bytes only: « 192.0.2.x », « 2001:db8:85a3:… » (never the whole)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "?"
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3]) + ".x"
    return ":".join(ip.exploded.split(":")[:3]) + ":…"


_BROWSERS = (
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def browser_of(user_agent: str | None) -> str:
    """« Firefox · Linux »: the family and the system, not the whole user agent."""
    text = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(text)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(text)), None)
    parts = [part for part in (browser, system) if part]
    return " · ".join(parts) if parts else _("Unknown browser")


# --- the browser's cookie -------------------------------------------------------------------


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def read_device(cookie: str | None) -> tuple[str | None, list[int]]:
    """(the browser's id, the accounts that logged in with it) from its cookie, if genuine."""
    if not cookie or len(cookie) > 400:
        return None, []
    try:
        data = _device_serializer().loads(cookie)
    except BadSignature:
        return None, []
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None, []
    users = [u for u in data.get("u", []) if isinstance(u, int)]
    return data["d"], users


def device_cookie(device_id: str, users: list[int]) -> str:
    return _device_serializer().dumps({"d": device_id, "u": users[-DEVICE_ACCOUNTS:]})


def knows(cookie: str | None, user: User | None) -> bool:
    """Whether this browser's cookie says `user` logged in with it before."""
    return user is not None and user.id in read_device(cookie)[1]


# --- sessions -------------------------------------------------------------------------------


def _generation(user: User) -> str:
    return digest(user.session_token)


def start(user: User, *, address: str | None, user_agent: str | None) -> UserSession:
    """A new live session for `user`; its key goes into the user's Flask-Login id."""
    key = secrets.token_urlsafe(24)
    row = UserSession(
        user_id=user.id,
        key_hash=digest(key),
        generation=_generation(user),
        network=network_of(address),
        browser=browser_of(user_agent)[:120],
    )
    db.session.add(row)
    db.session.flush()
    user.session_key = key
    return row


def load(user_id: str) -> User | None:
    """The user of a Flask-Login id "id:token:key" while its session is live, else None."""
    raw_id, token, key = [*(user_id or "").split(":"), "", ""][:3]
    number = parse_int(raw_id, None, minimum=1)
    if number is None or not token or not key or len(key) > 100:
        return None
    # One query for the account, its session and whether an organisation of theirs requires
    # two-factor login (asked on every signed-in page: eventapp.account.views).
    requires_2fa = (
        select(Membership.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == User.id, Organisation.require_2fa.is_(True))
        .exists()
    )
    found = db.session.execute(
        select(User, UserSession, requires_2fa.label("requires_2fa"))
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == number, UserSession.key_hash == digest(key))
    ).first()
    if found is None:
        return None
    user, row, requires = found
    if user.session_token != token or not user.active:
        return None
    if row.ended_at is not None or row.generation != _generation(user):
        return None
    user.session_key = key
    user.session_row_id = row.id
    user.organisation_requires_2fa = bool(requires)
    return user


def end_current(user: User) -> None:
    """Log out: the session of this request ends (its cookies are dead even if copied)."""
    row_id = getattr(user, "session_row_id", None)
    if row_id is not None:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == row_id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def live(user: User) -> list[UserSession]:
    """The account's live sessions, newest first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.generation == _generation(user),
            )
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())
            .limit(SESSIONS_SHOWN)
        )
    )


def end_one(user: User, session_id: int) -> bool:
    """End one of `user`'s live sessions (False if there is no such live session of theirs)."""
    ended = db.session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.generation == _generation(user),
        )
        .values(ended_at=utcnow())
    ).rowcount
    if ended:
        audit.record("user.session_ended", user=user, session_id=session_id)
    return bool(ended)


def end_everywhere(user: User) -> None:
    """Every session of the account ends, this one too, and every "remember me" cookie."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    user.end_sessions()
    db.session.flush()
    audit.record("user.sessions_ended", user=user)


# --- the login history ----------------------------------------------------------------------


def record_login(
    user: User,
    *,
    address: str | None,
    user_agent: str | None,
    device_cookie_value: str | None,
    second_factor: str | None = None,
) -> str:
    """Write the login to the history, start its session and tell the owner by e-mail when the
    browser is new to the account (not on the account's first login). Returns the value of the
    browser's cookie to set (it now knows this account)."""
    device_id, users = read_device(device_cookie_value)
    known = device_id is not None and user.id in users
    device_id = device_id or secrets.token_urlsafe(18)
    first_login = (
        db.session.scalar(select(LoginRecord.id).where(LoginRecord.user_id == user.id).limit(1))
        is None
    )
    record = LoginRecord(
        user_id=user.id,
        network=network_of(address),
        browser=browser_of(user_agent)[:120],
        browser_key=digest(device_id),
    )
    db.session.add(record)
    start(user, address=address, user_agent=user_agent)
    user.last_login_at = record.created_at = utcnow()
    audit.record(
        "user.login", user=user, **({"second_factor": second_factor} if second_factor else {})
    )
    if not known and not first_login:
        _tell_new_browser(user, record)
    return device_cookie(device_id, [u for u in users if u != user.id] + [user.id])


def _tell_new_browser(user: User, record: LoginRecord) -> None:
    from eventapp.helpers import external_url
    from eventapp.i18n import localdatetime

    with force_locale(user.language or "fr"):
        context = {
            "user": user,
            "when": localdatetime(record.created_at),
            "network": record.network,
            "browser": record.browser,
            "sessions_url": external_url("account.sessions"),
            "reset_url": external_url("auth.forgot_password"),
        }
        subject = _("New login to your eventapp account")
        body = render_template("mail/new_browser.txt", **context)
    mail_service.enqueue(
        kind="account.new_browser", recipient=user.email, subject=subject, body_text=body
    )


def history(user: User, limit: int = 20) -> list[LoginRecord]:
    return list(
        db.session.scalars(
            select(LoginRecord)
            .where(LoginRecord.user_id == user.id)
            .order_by(LoginRecord.created_at.desc(), LoginRecord.id.desc())
            .limit(limit)
        )
    )


def purge(now: datetime | None = None) -> tuple[int, int]:
    """Delete login records older than LOGIN_HISTORY_DAYS, and sessions ended that long ago
    or started before the "remember me" duration (which ends them). (records, sessions)."""
    now = now or utcnow()
    days = current_app.config["LOGIN_HISTORY_DAYS"]
    cutoff = now - timedelta(days=days)
    longest = now - current_app.config["REMEMBER_COOKIE_DURATION"]
    records = db.session.execute(
        delete(LoginRecord).where(LoginRecord.created_at < cutoff)
    ).rowcount
    sessions = db.session.execute(
        delete(UserSession).where(
            or_(UserSession.ended_at < cutoff, UserSession.created_at < longest)
        )
    ).rowcount
    return records, sessions
