"""The rules of organisations and their teams. Functions take the acting user explicitly, never
read the request, flush and never commit; rule errors are `TeamError`s.

- Invitations: a random token whose SHA-256 only is stored; the link (/invitation/<token>)
  works once, for INVITATION_DAYS; revoking or re-sending (a new token) ends the old link.
- Roles: the last owner of an organisation cannot leave nor lose the owner role; removing a
  member (or changing their role) ends their sessions at once (User.end_sessions).
- Grants (co-organisers): only who holds EVENT_TEAM on the event (its organisers' owners and
  managers) grants a role on it to another organisation or to one person.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import timedelta

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.i18n import format_locale
from eventapp.models import (
    Event,
    EventGrant,
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
    utcnow,
)
from eventapp.permissions.rules import forget_grants
from eventapp.services import audit
from eventapp.services import mail as mail_service
from eventapp.services.accounts import check_new_password, normalise_email, user_by_email
from eventapp.services.errors import ServiceError

INVITATION_DAYS = 7
INVITATION_KEEP_DAYS = 30  # an answered or expired invitation (an e-mail address) is deleted after


class TeamError(ServiceError):
    kind = "team"

    class Code(enum.Enum):
        SLUG_TAKEN = "slug_taken"
        ALREADY_MEMBER = "already_member"
        ALREADY_INVITED = "already_invited"
        INVITATION_GONE = "invitation_gone"
        WRONG_ACCOUNT = "wrong_account"
        LAST_OWNER = "last_owner"
        NOT_A_MEMBER = "not_a_member"
        ALREADY_GRANTED = "already_granted"
        OWN_ORGANISATION = "own_organisation"
        UNKNOWN_PERSON = "unknown_person"
        REFUSED_CHOICE = "refused_choice"
        DAYS_REVERSED = "days_reversed"
        DAYS_FOR_OWNER = "days_for_owner"

    MESSAGES = {
        Code.SLUG_TAKEN: _l("Another organisation already uses this short name in its address."),
        Code.ALREADY_MEMBER: _l("This person is already a member of the organisation."),
        Code.ALREADY_INVITED: _l(
            "An invitation is already pending for this address: re-send it instead."
        ),
        Code.INVITATION_GONE: _l(
            "This invitation link is no longer valid (used, revoked or expired). Ask for a new one."
        ),
        Code.WRONG_ACCOUNT: _l(
            "This invitation was sent to another address: log out, then open the link again."
        ),
        Code.LAST_OWNER: _l("The organisation needs at least one owner: name another owner first."),
        Code.NOT_A_MEMBER: _l("This person is not a member of the organisation."),
        Code.ALREADY_GRANTED: _l("This role has already been given on this event."),
        Code.OWN_ORGANISATION: _l(
            "This organisation already organises the event: its members have their roles."
        ),
        Code.UNKNOWN_PERSON: _l("There is no account with this e-mail address: invite them."),
        Code.REFUSED_CHOICE: _l("This password cannot be used (at least 10 characters)."),
        Code.DAYS_REVERSED: _l("The last day comes before the first day."),
        Code.DAYS_FOR_OWNER: _l(
            "An owner's role cannot end by itself: choose another role for given days."
        ),
    }
    STATUS = {
        Code.INVITATION_GONE: 410,
        Code.WRONG_ACCOUNT: 403,
        Code.NOT_A_MEMBER: 404,
        Code.UNKNOWN_PERSON: 422,
        Code.REFUSED_CHOICE: 422,
        Code.DAYS_REVERSED: 422,
        Code.DAYS_FOR_OWNER: 422,
    }


def format_day(day) -> str:
    return format_date(day, "medium", locale=format_locale())


def grant_days(found) -> str:
    """« from 12 Oct 2026 », « until … », « 12 Oct 2026 – 13 Oct 2026 », « 12 Oct 2026 only »."""
    first, last = found.valid_from, found.valid_until
    if first and last:
        if first == last:
            return _("%(day)s only", day=format_day(first))
        return _("%(first)s to %(last)s", first=format_day(first), last=format_day(last))
    if first:
        return _("from %(day)s", day=format_day(first))
    return _("until %(day)s", day=format_day(last))


def _check_days(valid_from, valid_until) -> None:
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise TeamError(TeamError.Code.DAYS_REVERSED, field="valid_until")


# --- organisations ----------------------------------------------------------------------------

PROFILE_FIELDS = (
    "name",
    "short_name",
    "kind",
    "regions",
    "website",
    "contact_email",
    "legal_name",
    "legal_address",
    "siret",
    "vat_number",
    "iban",
    "bic",
    "legal_form",
    "require_2fa",
)


def slugify(text: str) -> str:
    from eventapp.text import slugify as text_slug

    return text_slug(text, limit=80, default="organisation")


def create_organisation(data: dict, *, user: User) -> Organisation:
    slug = slugify(data.get("short_name") or data["name"])
    if db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        raise TeamError(TeamError.Code.SLUG_TAKEN, field="short_name")
    org = Organisation(slug=slug, kind=OrganisationKind(data["kind"]))
    _apply(org, data)
    db.session.add(org)
    db.session.flush()
    audit.record("organisation.created", user=user, organisation_id=org.id)
    return org


def update_organisation(org: Organisation, data: dict, *, user: User) -> None:
    changed = [name for name in PROFILE_FIELDS if name in data and getattr(org, name) != data[name]]
    _apply(org, data)
    db.session.flush()
    audit.record("organisation.updated", user=user, organisation_id=org.id, fields=changed)


def _apply(org: Organisation, data: dict) -> None:
    for name in PROFILE_FIELDS:
        if name in data:
            value = data[name]
            if name == "kind":
                value = OrganisationKind(value)
            if isinstance(value, str):
                value = value.strip() or None
            setattr(org, name, value)
    if not org.short_name:
        org.short_name = org.name[:60]
    if "logo_png" in data and data["logo_png"] is not None:
        org.logo_png = data["logo_png"]
        org.logo_updated_at = utcnow()


# --- invitations ------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.expires_at = utcnow() + timedelta(days=INVITATION_DAYS)
    return token


def invite(
    org: Organisation,
    email: str,
    role: MembershipRole,
    *,
    user: User | None,
    event: Event | None = None,
    valid_from=None,
    valid_until=None,
) -> Invitation:
    """Invite `email` to `org` with `role` (on `event` only if given, and then on the days
    from `valid_from` to `valid_until` only if given); the e-mail is queued."""
    _check_days(valid_from, valid_until)
    if (valid_from or valid_until) and MembershipRole(role) == MembershipRole.OWNER:
        raise TeamError(TeamError.Code.DAYS_FOR_OWNER, field="valid_from")
    email = normalise_email(email)
    existing = user_by_email(email)
    if event is None and existing is not None and _membership(org, existing) is not None:
        raise TeamError(TeamError.Code.ALREADY_MEMBER, field="email")
    pending = db.session.scalars(
        select(Invitation).where(
            Invitation.organisation_id == org.id,
            Invitation.email == email,
            Invitation.event_id == event.id if event else Invitation.event_id.is_(None),
        )
    ).all()
    if any(invitation.is_pending() for invitation in pending):
        raise TeamError(TeamError.Code.ALREADY_INVITED, field="email")
    invitation = Invitation(
        organisation_id=org.id,
        event_id=event.id if event else None,
        email=email,
        role=MembershipRole(role),
        invited_by_id=user.id if user else None,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    token = _new_token(invitation)
    db.session.add(invitation)
    db.session.flush()
    _send_invitation(invitation, token, org, user)
    audit.record(
        "team.invited",
        user=user,
        event_id=invitation.event_id,
        organisation_id=org.id,
        invitation_id=invitation.id,
        role=str(invitation.role),
    )
    return invitation


def resend(invitation: Invitation, *, user: User) -> None:
    """A new link (the old one stops working), valid INVITATION_DAYS again."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise TeamError(TeamError.Code.INVITATION_GONE)
    token = _new_token(invitation)
    db.session.flush()
    _send_invitation(invitation, token, invitation.organisation, user)
    audit.record(
        "team.invitation_resent",
        user=user,
        organisation_id=invitation.organisation_id,
        invitation_id=invitation.id,
    )


def revoke(invitation: Invitation, *, user: User) -> None:
    if invitation.accepted_at is not None:
        raise TeamError(TeamError.Code.INVITATION_GONE)
    invitation.revoked_at = utcnow()
    db.session.flush()
    audit.record(
        "team.invitation_revoked",
        user=user,
        organisation_id=invitation.organisation_id,
        invitation_id=invitation.id,
    )


def _send_invitation(invitation: Invitation, token: str, org: Organisation, by: User | None):
    from eventapp.helpers import external_url

    url = external_url("organisations.invitation", token=token)
    with force_locale("fr"):
        subject = _("Invitation to join %(org)s on eventapp", org=org.name)
        role = invitation.role.label
        where = (
            _("on the event « %(title)s »", title=invitation.event.title_fr)
            if invitation.event_id
            else ""
        )
        body = "\n\n".join(
            [
                _(
                    "%(who)s invites you to join %(org)s as %(role)s %(where)s.",
                    who=by.name if by else "eventapp",
                    org=org.name,
                    role=role,
                    where=where,
                ),
                *(
                    [
                        _(
                            "Your access holds %(days)s, then ends by itself.",
                            days=grant_days(invitation),
                        )
                    ]
                    if invitation.valid_from or invitation.valid_until
                    else []
                ),
                _("Open this link to accept (valid %(days)s days, once):", days=INVITATION_DAYS),
                url,
                _("If you did not expect this invitation, ignore this message."),
            ]
        )
    mail_service.enqueue(
        kind="team.invitation", recipient=invitation.email, subject=subject, body_text=body
    )


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation this token opens, or None (unknown, used, revoked, expired)."""
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token)))
    if invitation is None or not invitation.is_pending():
        return None
    return invitation


def accept(
    invitation: Invitation,
    *,
    user: User | None = None,
    name: str | None = None,
    password: str | None = None,
) -> User:
    """Accept with the signed-in account `user` (it must be the invited address), or create the
    account with `name` and `password`. Single use: the invitation is marked accepted."""
    if not invitation.is_pending():
        raise TeamError(TeamError.Code.INVITATION_GONE)
    if user is None:
        user = user_by_email(invitation.email)
        if user is not None:
            # An account exists: its owner logs in first (nobody sets its password here).
            raise TeamError(TeamError.Code.WRONG_ACCOUNT)
        try:
            check_new_password(password or "")
        except Exception as error:
            raise TeamError(TeamError.Code.REFUSED_CHOICE, field="password") from error
        user = User(email=invitation.email, name=(name or "").strip()[:200])
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
    elif normalise_email(user.email) != invitation.email:
        raise TeamError(TeamError.Code.WRONG_ACCOUNT)
    if invitation.event_id is not None:
        db.session.add(
            EventGrant(
                event_id=invitation.event_id,
                user_id=user.id,
                role=invitation.role,
                valid_from=invitation.valid_from,
                valid_until=invitation.valid_until,
            )
        )
        forget_grants()
    else:
        membership = _membership_by_ids(invitation.organisation_id, user.id)
        if membership is None:
            db.session.add(
                Membership(
                    user_id=user.id,
                    organisation_id=invitation.organisation_id,
                    role=invitation.role,
                    valid_from=invitation.valid_from,
                    valid_until=invitation.valid_until,
                )
            )
        else:
            membership.role = invitation.role
            membership.valid_from = invitation.valid_from
            membership.valid_until = invitation.valid_until
    invitation.accepted_at = utcnow()
    db.session.flush()
    db.session.expire(user, ["memberships"])
    audit.record(
        "team.invitation_accepted",
        user=user,
        event_id=invitation.event_id,
        organisation_id=invitation.organisation_id,
        invitation_id=invitation.id,
    )
    return user


def purge_invitations(now=None) -> int:
    """Delete invitations (they hold an e-mail address) answered, revoked or expired more than
    INVITATION_KEEP_DAYS ago. Returns how many."""
    limit = (now or utcnow()) - timedelta(days=INVITATION_KEEP_DAYS)
    old = db.session.scalars(select(Invitation).where(Invitation.expires_at < limit)).all()
    old += db.session.scalars(
        select(Invitation).where(
            (Invitation.accepted_at < limit) | (Invitation.revoked_at < limit),
            Invitation.expires_at >= limit,
        )
    ).all()
    for invitation in old:
        db.session.delete(invitation)
    db.session.flush()
    return len(old)


# --- members ----------------------------------------------------------------------------------


def _membership(org: Organisation, user: User) -> Membership | None:
    return _membership_by_ids(org.id, user.id)


def _membership_by_ids(org_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == org_id, Membership.user_id == user_id
        )
    )


def _owners(org: Organisation) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == org.id, Membership.role == MembershipRole.OWNER)
    )


def change_role(membership: Membership, role: MembershipRole, *, user: User) -> None:
    role = MembershipRole(role)
    if membership.role == role:
        return
    if membership.role == MembershipRole.OWNER and _owners(membership.organisation) <= 1:
        raise TeamError(TeamError.Code.LAST_OWNER)
    before = membership.role
    membership.role = role
    membership.user.end_sessions()
    db.session.flush()
    audit.record(
        "team.role_changed",
        user=user,
        organisation_id=membership.organisation_id,
        member_id=membership.user_id,
        before=str(before),
        after=str(role),
    )
    _notify(
        membership.user,
        _l("Your role in %(org)s has changed"),
        _l("Your role in %(org)s is now: %(role)s. Please log in again."),
        org=membership.organisation.name,
        role=role.label,
    )


def remove_member(membership: Membership, *, user: User) -> None:
    """Remove from the organisation; their sessions end at once."""
    if membership.role == MembershipRole.OWNER and _owners(membership.organisation) <= 1:
        raise TeamError(TeamError.Code.LAST_OWNER)
    person, org = membership.user, membership.organisation
    db.session.delete(membership)
    person.end_sessions()
    db.session.flush()
    audit.record("team.member_removed", user=user, organisation_id=org.id, member_id=person.id)
    _notify(
        person,
        _l("You are no longer a member of %(org)s"),
        _l("You have been removed from %(org)s on eventapp."),
        org=org.name,
    )


def _notify(person: User, subject, body, **values) -> None:
    with force_locale(person.language or "fr"):
        mail_service.enqueue(
            kind="team.notice",
            recipient=person.email,
            subject=str(subject) % values,
            body_text=str(body) % values,
        )


# --- grants (co-organisers) -------------------------------------------------------------------


def grant(
    event: Event,
    role: MembershipRole,
    *,
    user: User,
    organisation: Organisation | None = None,
    email: str | None = None,
    valid_from=None,
    valid_until=None,
) -> EventGrant:
    """Give `role` on `event` to another organisation, or to the account with `email`; with
    `valid_from`/`valid_until` (Paris dates, inclusive) it holds on those days only."""
    from eventapp.models import EventOrganiser

    _check_days(valid_from, valid_until)
    role = MembershipRole(role)
    if organisation is not None:
        organises = db.session.scalar(
            select(EventOrganiser.event_id).where(
                EventOrganiser.event_id.in_([event.id, event.parent_id or event.id]),
                EventOrganiser.organisation_id == organisation.id,
            )
        )
        if organises is not None:
            raise TeamError(TeamError.Code.OWN_ORGANISATION, field="organisation_id")
        target = {"organisation_id": organisation.id}
    else:
        person = user_by_email(email or "")
        if person is None:
            raise TeamError(TeamError.Code.UNKNOWN_PERSON, field="email")
        target = {"user_id": person.id}
    existing = db.session.scalar(
        select(EventGrant).where(
            EventGrant.event_id == event.id,
            *(getattr(EventGrant, key) == value for key, value in target.items()),
        )
    )
    days = {"valid_from": valid_from, "valid_until": valid_until}
    if existing is not None:
        if existing.role == role and all(getattr(existing, k) == v for k, v in days.items()):
            raise TeamError(TeamError.Code.ALREADY_GRANTED)
        existing.role = role
        existing.valid_from, existing.valid_until = valid_from, valid_until
        found = existing
    else:
        found = EventGrant(event_id=event.id, role=role, **target, **days)
        db.session.add(found)
    db.session.flush()
    forget_grants()
    audit.record(
        "team.granted",
        user=user,
        event_id=event.id,
        role=str(role),
        **target,
        **{k: v.isoformat() for k, v in days.items() if v is not None},
    )
    return found


def remove_grant(found: EventGrant, *, user: User) -> None:
    event_id = found.event_id
    target = {"organisation_id": found.organisation_id, "user_id": found.user_id}
    if found.user is not None:
        found.user.end_sessions()
    db.session.delete(found)
    db.session.flush()
    forget_grants()
    audit.record("team.grant_removed", user=user, event_id=event_id, **target)
