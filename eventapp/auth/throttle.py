"""Failed logins slow guessing down without letting anyone lock an organiser out (issue 20,
point 5: five wrong passwords from anywhere used to lock the account for 15 minutes, and the
per-address limit locked out everyone behind a venue's Wi-Fi).

- Per (account, address) pair: PAIR_FREE failures, then a growing delay before the next try
  from that address (1 s, 2 s, 4 s… up to MAX_DELAY); a day without failure starts afresh.
- Per account, from every address: after ACCOUNT_FREE failures within ACCOUNT_WINDOW, a
  growing delay too, but only for browsers the account has not logged in with (a known
  browser's signed cookie, eventapp.account.sessions): the owner always gets in from their own
  browser, and a password reset clears the account's counters.
- After NOTIFY_AFTER failures on an account, its owner is e-mailed (once a day at most), by a
  job published whether the address has an account or not (the request does the same work).
- Per address, Flask-Limiter's LOGIN_ADDRESS_LIMIT (on the view) stops one address spraying
  many accounts.

Off with the rest of rate limiting (RATELIMIT_ENABLED: the test app; tests turn it on).
Counters are `LoginThrottle` rows keyed by digests (no e-mail, no address stored), written in
their own transaction (a refused login rolls the request back). Rows go a day after their last
failure (`purge`).
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from eventapp.database import own_transaction
from eventapp.extensions import db
from eventapp.jobs import dispatch
from eventapp.models import LoginThrottle, User, utcnow
from eventapp.services import mail as mail_service
from eventapp.text import normalise_email

PAIR_FREE = 3
ACCOUNT_FREE = 10
NOTIFY_AFTER = 10
MAX_DELAY = 15 * 60  # seconds
ACCOUNT_WINDOW = timedelta(hours=1)
PAIR_WINDOW = timedelta(days=1)
KEEP = timedelta(days=1)
NOTIFY_JOB = "accounts.failed_logins"


def _digest(text: str) -> str:
    secret = current_app.config["SECRET_KEY"] or ""
    return hashlib.sha256(f"{secret}|{text}".encode()).hexdigest()


def account_key(email: str) -> str:
    return _digest("account:" + normalise_email(email))


def pair_key(email: str, address: str | None) -> str:
    return _digest(f"pair:{normalise_email(email)}|{address or 'unknown'}")


def delay_after(failures: int, free: int) -> int:
    """Seconds to wait after `failures` failures, of which `free` cost nothing."""
    if failures < free:
        return 0
    return min(2 ** (failures - free), MAX_DELAY)


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED"))


def wait_seconds(email: str, address: str | None, *, known_browser: bool) -> int:
    """How long this login must wait (0: it may try now)."""
    if not _enabled():
        return 0
    now = utcnow()
    keys = [pair_key(email, address)]
    if not known_browser:
        keys.append(account_key(email))
    blocked = db.session.scalars(
        select(LoginThrottle.blocked_until).where(
            LoginThrottle.key.in_(keys), LoginThrottle.blocked_until > now
        )
    ).all()
    if not blocked:
        return 0
    return max(1, math.ceil(max((until - now).total_seconds() for until in blocked)))


def _insert():
    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(LoginThrottle)


def _count(key: str, account: str, window: timedelta, now: datetime) -> int:
    """Add one failure to the row `key` (a first one if its last is older than `window`)."""
    statement = _insert().values(key=key, account=account, failures=1, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "failures": case(
                (LoginThrottle.last_failure_at < now - window, 1),
                else_=LoginThrottle.failures + 1,
            ),
            "last_failure_at": now,
        },
    ).returning(LoginThrottle.failures)
    return db.session.execute(statement).scalar_one()


def _block(key: str, seconds: int, now: datetime) -> None:
    if seconds:
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(blocked_until=now + timedelta(seconds=seconds))
        )


def failed(email: str, address: str | None, user: User | None) -> None:
    """Count a failed login (in its own transaction: the request rolls back). `user` is the
    account of `email` if there is one (its owner is told after NOTIFY_AFTER failures)."""
    if not _enabled():
        return
    now = utcnow()
    account = account_key(email)
    pair = pair_key(email, address)
    user_id = user.id if user is not None else None
    with own_transaction():
        _block(pair, delay_after(_count(pair, account, PAIR_WINDOW, now), PAIR_FREE), now)
        failures = _count(account, account, ACCOUNT_WINDOW, now)
        _block(account, delay_after(failures, ACCOUNT_FREE), now)
        if failures >= NOTIFY_AFTER:
            told = db.session.execute(
                update(LoginThrottle)
                .where(
                    LoginThrottle.key == account,
                    (LoginThrottle.notified_at.is_(None))
                    | (LoginThrottle.notified_at < now - timedelta(days=1)),
                )
                .values(notified_at=now)
            ).rowcount
            if told:
                dispatch.after_commit(NOTIFY_JOB, user_id or 0, failures)


def tell_owner(user_id: int, failures: int) -> bool:
    """The job's work: e-mail the account's owner about the failed logins (False when the
    address had no account)."""
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        return False
    _tell_owner(user.email, user.language, failures)
    return True


def _tell_owner(recipient: str, language: str | None, failures: int) -> None:
    from eventapp.helpers import external_url

    with force_locale(language or "fr"):
        subject = _("Failed logins to your eventapp account")
        body = render_template(
            "mail/failed_logins.txt",
            failures=failures,
            reset_url=external_url("auth.forgot_password"),
        )
    mail_service.enqueue(
        kind="account.failed_logins", recipient=recipient, subject=subject, body_text=body
    )


def succeeded(email: str, address: str | None) -> None:
    """A right password from this address: its pair starts afresh (in the request's
    transaction)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == pair_key(email, address)))


def clear_account(email: str) -> None:
    """After a password reset: every counter of the account goes (its owner is back in)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.account == account_key(email)))


def purge(now: datetime | None = None) -> int:
    limit = (now or utcnow()) - KEEP
    return db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.last_failure_at < limit)
    ).rowcount
