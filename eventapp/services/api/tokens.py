"""API tokens: made by a person for one of their organisations, shown once, kept as the SHA-256
of a 256-bit secret; a name, an expiry date, scopes (per resource and action) and optionally a
list of events. A token acts as its owner in that organisation only, within its scopes and
events (eventapp.permissions.Limits): the same rules as the owner's browser session, narrowed."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from eventapp.database import own_transaction
from eventapp.extensions import db
from eventapp.models import ApiToken, Event, Membership, Organisation, User, utcnow
from eventapp.permissions import Limits, Perm, accessible_events_clause
from eventapp.services import audit
from eventapp.services.errors import ServiceError

SECRET_PREFIX = "evt_"  # noqa: S105 - what every token starts with, not a secret
PREFIX_LENGTH = 12  # shown in lists: "evt_Ab3dE6gH…"
MAX_DAYS = 366
# How often a token's "last used" is written (not at every request).
LAST_USE_PRECISION = timedelta(minutes=1)

# Scope -> the permissions it lets through, and its label (resource and action).
SCOPES: dict[str, tuple[frozenset[Perm], object]] = {
    "events:read": (frozenset({Perm.EVENT_VIEW}), _l("Events: read")),
    "events:write": (
        frozenset({Perm.EVENT_SETTINGS, Perm.EVENT_CREATE}),
        _l("Events: create, update and publish"),
    ),
    "attendees:read": (frozenset({Perm.ATTENDEES_VIEW}), _l("Attendees: read")),
    "attendees:write": (
        frozenset({Perm.ATTENDEES_EDIT}),
        _l("Attendees: register, update, cancel, move"),
    ),
    "checkin:write": (frozenset({Perm.CHECKIN}), _l("Check-in: check in and undo")),
    "payments:read": (frozenset({Perm.PAYMENTS}), _l("Payments: read")),
    "mailings:read": (frozenset({Perm.MAILINGS}), _l("Mailings: read")),
    "invoices:read": (frozenset({Perm.ORG_INVOICES}), _l("Invoices and credit notes: read")),
}


class TokenError(ServiceError):
    kind = "api_token"

    class Code(enum.StrEnum):
        NO_NAME = "no_name"
        NO_SCOPE = "no_scope"
        UNKNOWN_SCOPE = "unknown_scope"
        EXPIRY = "expiry"
        EVENT = "event"
        NOT_MEMBER = "not_member"

    MESSAGES = {
        Code.NO_NAME: _l("Give the token a name."),
        Code.NO_SCOPE: _l("Choose at least one permission."),
        Code.UNKNOWN_SCOPE: _l("Unknown permission."),
        Code.EXPIRY: _l("Choose an expiry date within the next 366 days."),
        Code.EVENT: _l("One of the chosen events is not one of the organisation’s."),
        Code.NOT_MEMBER: _l("Only members of the organisation can create its tokens."),
    }
    STATUS = dict.fromkeys(Code, 422)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def limits_of(token: ApiToken) -> Limits:
    perms = frozenset().union(*(SCOPES[name][0] for name in token.scopes if name in SCOPES))
    event_ids = None if token.all_events else frozenset(e.id for e in token.events)
    return Limits(perms=perms, event_ids=event_ids)


class TokenActor:
    """The actor of a request made with a token (see eventapp.permissions.rules.Actor): its
    owner, in the token's organisation only, never an administrator, within `limits`."""

    is_authenticated = True
    is_anonymous = False
    is_admin = False

    def __init__(self, token: ApiToken):
        self.token = token
        self.user = token.user
        self.id = token.user_id
        self.limits = limits_of(token)
        self.memberships = [
            m for m in self.user.memberships if m.organisation_id == token.organisation_id
        ]

    @property
    def is_active(self) -> bool:
        return bool(self.user.is_active)

    def get_id(self) -> None:  # never stored in a session
        return None

    def __getattr__(self, name):  # has_2fa, name...: the owner's
        return getattr(self.user, name)


def token_events(organisation: Organisation, user: User) -> list[Event]:
    """The events a token of `user` for `organisation` may be limited to: those the person
    may see through that organisation."""
    probe = _Probe(user, organisation.id)
    return list(
        db.session.scalars(
            select(Event)
            .where(accessible_events_clause(probe, Perm.EVENT_VIEW, Perm.CHECKIN))
            .order_by(Event.starts_at.desc())
            .limit(500)
        )
    )


class _Probe:
    """A token-to-be: the person in one organisation, every scope."""

    is_authenticated = True
    is_active = True
    is_admin = False

    def __init__(self, user: User, organisation_id: int):
        self.id = user.id
        self.memberships = [m for m in user.memberships if m.organisation_id == organisation_id]
        self.limits = Limits(perms=frozenset().union(*(perms for perms, _l in SCOPES.values())))


def create_token(
    organisation: Organisation,
    user: User,
    *,
    name: str,
    scopes: list[str],
    expires_on: date,
    event_ids: list[int] | None = None,
    today: date | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once: only its digest is kept)."""
    name = (name or "").strip()
    if not name:
        raise TokenError(TokenError.Code.NO_NAME, field="name")
    if not scopes:
        raise TokenError(TokenError.Code.NO_SCOPE, field="scopes")
    if any(scope not in SCOPES for scope in scopes):
        raise TokenError(TokenError.Code.UNKNOWN_SCOPE, field="scopes")
    today = today or utcnow().date()
    if expires_on is None or not today < expires_on <= today + timedelta(days=MAX_DAYS):
        raise TokenError(TokenError.Code.EXPIRY, field="expires_on")
    is_member = db.session.scalar(
        select(Membership.user_id).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    if is_member is None:
        raise TokenError(TokenError.Code.NOT_MEMBER)
    events = []
    if event_ids:
        allowed = {e.id: e for e in token_events(organisation, user)}
        if any(event_id not in allowed for event_id in event_ids):
            raise TokenError(TokenError.Code.EVENT, field="events")
        events = [allowed[event_id] for event_id in dict.fromkeys(event_ids)]
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=organisation.id,
        user_id=user.id,
        name=name[:100],
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=digest(secret),
        scopes=sorted(set(scopes)),
        all_events=not events,
        events=events,
        # The end of the chosen day, in UTC.
        expires_at=datetime.combine(expires_on, time.max, tzinfo=UTC),
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", user=user, token_id=token.id, scopes=token.scopes)
    return token, secret


def revoke(token: ApiToken, *, user: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", user=user, token_id=token.id)


def authenticate(secret: str, now: datetime | None = None) -> ApiToken | None:
    """The live token whose secret this is (None for an unknown, revoked or expired one, or
    one whose owner left the organisation or was deactivated)."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    wanted = digest(secret)
    token = db.session.scalar(select(ApiToken).where(ApiToken.secret_hash == wanted))
    if token is None or not hmac.compare_digest(token.secret_hash, wanted):
        return None
    now = now or utcnow()
    if token.revoked_at is not None or (token.expires_at and token.expires_at < now):
        return None
    if not token.user.is_active or not any(
        m.organisation_id == token.organisation_id for m in token.user.memberships
    ):
        return None
    return token


def note_use(token: ApiToken, now: datetime | None = None) -> None:
    """Write when the token was last used (at most once a minute), in a transaction of its
    own: kept even if the request fails."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USE_PRECISION:
        return
    with own_transaction():
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))


def tokens_of(organisation: Organisation) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.organisation_id == organisation.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )
