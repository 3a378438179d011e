"""Two-factor login with TOTP (pyotp; the QR code drawn by segno, as the tickets) and ten
single-use recovery codes, of which only SHA-256 digests are kept. Functions take the user,
flush and never commit; nothing here reads the request."""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, select

from eventapp.extensions import db
from eventapp.models import Membership, Organisation, RecoveryCode, User, utcnow
from eventapp.services import audit
from eventapp.services import mail as mail_service

RECOVERY_CODES = 10
ISSUER = "eventapp"


def new_secret() -> str:
    return pyotp.random_base32()


def qr_data_uri(user: User, secret: str) -> str:
    """The otpauth:// QR code as an SVG data URI (the CSP allows data: images)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=4)


def _digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).lower().encode("utf-8")).hexdigest()


def _totp_ok(secret: str, code: str) -> bool:
    code = "".join((code or "").split())
    return code.isdigit() and len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn TOTP on once `code` proves the app holds `secret`: the ten recovery codes (shown
    once), or None if the code is wrong."""
    if not _totp_ok(secret, code):
        return None
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}"
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes)
    db.session.flush()
    audit.record("user.2fa_enabled", user=user)
    return codes


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    audit.record("user.2fa_disabled", user=user)
    mail_service.enqueue(
        kind="account.2fa_disabled",
        recipient=user.email,
        subject="eventapp : connexion à deux facteurs désactivée / two-factor login turned off",
        body_text=(
            "La connexion à deux facteurs de votre compte eventapp vient d’être désactivée. "
            "Si ce n’est pas vous, changez votre mot de passe et prévenez votre administrateur."
            "\n\nTwo-factor login has just been turned off on your eventapp account. If this "
            "was not you, change your password and tell your administrator."
        ),
    )


def verify(user: User, code: str) -> str | None:
    """ "totp" or "recovery" when `code` is the current TOTP code or an unused recovery code
    (which is used up), else None."""
    if not user.has_2fa or not code:
        return None
    if _totp_ok(user.totp_secret, code):
        return "totp"
    found = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return None
    found.used_at = utcnow()
    db.session.flush()
    audit.record("user.recovery_code_used", user=user)
    return "recovery"


def remaining_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def required(user: User) -> bool:
    """Whether `user` must use two-factor login: an organisation of theirs requires it, or
    they are an administrator under APP_CONFIG=production."""
    if user.is_admin and current_app.config.get("ADMIN_2FA_REQUIRED"):
        return True
    if user.organisation_requires_2fa is not None:  # known from the session's load
        return user.organisation_requires_2fa
    return (
        db.session.scalar(
            select(Organisation.id)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Organisation.require_2fa.is_(True))
            .limit(1)
        )
        is not None
    )
