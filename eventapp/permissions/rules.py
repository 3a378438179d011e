"""Who may do what: the permissions, the one table that grants them to roles, and the checks.

- An actor (the logged-in user today, an API token later: see `Actor`) holds roles in
  organisations; ROLE_PERMISSIONS says which permissions each role grants. Admins hold every
  permission everywhere; an inactive or anonymous actor holds none.
- An event-level permission holds on the events the actor's organisation organises,
  co-organises or is a partner of, and on the stages of a tour it organises.
- An organisation-level permission (`Perm.on_organisation`) holds in the organisations
  themselves (e.g. creating an event there).
- A grant (`EventGrant`, a co-organiser) gives a role on one event (on a tour: its stages too)
  to one person, or to another organisation: each of its members then holds what both the
  grant's role and their own role grant. A grant never passes on EVENT_TEAM (who may grant).
  A grant may hold on given days only (`valid_from`/`valid_until`, Paris dates, inclusive): a
  volunteer's check-in for one day ends by itself, in every check and list (`_grant_is_current`);
  a membership may be dated the same way (`_current_memberships`).

Every check takes the actor explicitly and goes through `_holding_roles` and
`accessible_events_clause` / `permissions_on`: the single place to extend with new roles or
per-event grants. Nothing here reads the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import g, has_request_context
from sqlalchemy import ColumnElement, and_, false, or_, select, true

from eventapp.extensions import db
from eventapp.models import Event, EventGrant, EventOrganiser, MembershipRole, Organisation


class Perm(StrEnum):
    """What an actor may do. Event-level unless the value starts with "organisation."."""

    EVENT_VIEW = "event.view"  # an event's (or tour's) overview
    EVENT_SETTINGS = "event.settings"  # edit, add stages, publish, unpublish, cancel
    ATTENDEES_VIEW = "attendees.view"  # the attendee list and a person's page
    ATTENDEES_EDIT = "attendees.edit"  # add, correct, cancel, re-confirm, promote, move
    ATTENDEES_EXPORT = "attendees.export"  # CSV/XLSX of the list
    ATTENDEES_IMPORT = "attendees.import"  # import a file of people
    MAILINGS = "mailings"  # write to attendees, read what was sent
    STATISTICS = "statistics"
    HISTORY = "history"  # the event's audit log
    CHECKIN = "checkin"  # the desk, badges, live counts
    EVENT_TEAM = "event.team"  # grant roles on the event to other organisations or people
    PAYMENTS = "payments"  # rates, vouchers, payments, refunds, bank statements
    B2B = "b2b"  # B2B meetings: settings, blocks, tables, scheduling, moves, schedule export
    EVENT_CREATE = "organisation.event_create"  # create events led by the organisation
    ORG_PROFILE = "organisation.profile"  # edit the organisation's profile and legal details
    ORG_MEMBERS = "organisation.members"  # invite, change roles, remove; require 2FA
    ORG_VIEW = "organisation.view"  # see the organisation's members page (read only)
    ORG_INVOICES = "organisation.invoices"  # the invoices it issued, re-send, export
    ORG_API = "organisation.api"  # API tokens and webhooks of the organisation

    @property
    def on_organisation(self) -> bool:
        return self.value.startswith("organisation.")


EVENT_PERMS = frozenset(perm for perm in Perm if not perm.on_organisation)

# THE table: which role grants which permission (in an organisation, or through a grant on
# one event).
ROLE_PERMISSIONS: dict[MembershipRole, frozenset[Perm]] = {
    MembershipRole.OWNER: frozenset(Perm),
    MembershipRole.MANAGER: frozenset(Perm) - {Perm.ORG_MEMBERS},
    MembershipRole.CHECKIN: frozenset({Perm.CHECKIN}),
    # Lists and statistics; no change, no export of personal data.
    MembershipRole.VIEWER: frozenset(
        {Perm.EVENT_VIEW, Perm.ATTENDEES_VIEW, Perm.STATISTICS, Perm.ORG_VIEW}
    ),
}
# What a grant never passes on: a co-organiser does not grant in turn.
NOT_GRANTABLE = frozenset({Perm.EVENT_TEAM})
# The days of a dated grant are those of the events' place (every event is in France today).
GRANT_TIMEZONE = ZoneInfo("Europe/Paris")


def grant_today() -> date:
    """Today, in the time zone the days of a dated grant are counted in."""
    return datetime.now(GRANT_TIMEZONE).date()


def _grant_is_current(today: date | None = None) -> ColumnElement[bool]:
    """A WHERE clause on EventGrant: the grants that hold today (their days include it)."""
    today = today or grant_today()
    return and_(
        or_(EventGrant.valid_from.is_(None), EventGrant.valid_from <= today),
        or_(EventGrant.valid_until.is_(None), EventGrant.valid_until >= today),
    )


class Actor(Protocol):
    """Who asks. A `User` is one; an API token is another (eventapp/api/v1/auth.py): its
    owner's `memberships` in the token's organisation only, never admin, and `limits`."""

    is_authenticated: bool
    is_active: bool
    is_admin: bool
    memberships: list


@dataclass(frozen=True)
class Limits:
    """What narrows an actor below its roles (an API token): only these permissions (its
    scopes), only these events and their stages (None: any), and no personal grant of its
    owner (a token speaks for its organisation)."""

    perms: frozenset[Perm]
    event_ids: frozenset[int] | None = None


def _limits(actor: Actor) -> Limits | None:
    return getattr(actor, "limits", None)


def _personal_id(actor: Actor) -> int | None:
    """The id whose personal grants (EventGrant.user_id) the actor holds: none for a token."""
    return None if _limits(actor) is not None else getattr(actor, "id", None)


def is_signed_in(actor: Actor | None) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def _is_admin(actor: Actor) -> bool:
    return is_signed_in(actor) and bool(getattr(actor, "is_admin", False))


def _current_memberships(actor: Actor) -> list:
    """The actor's memberships that hold today (a dated one, e.g. check-in staff for the days
    of an event, ends by itself)."""
    today = None
    current = []
    for membership in actor.memberships:
        first = getattr(membership, "valid_from", None)
        last = getattr(membership, "valid_until", None)
        if first is not None or last is not None:
            today = today or grant_today()
            if (first is not None and first > today) or (last is not None and last < today):
                continue
        current.append(membership)
    return current


def _holding_roles(perms: Iterable[Perm]) -> set[MembershipRole]:
    wanted = set(perms)
    return {role for role, granted in ROLE_PERMISSIONS.items() if granted & wanted}


def organisation_ids(actor: Actor, *perms: Perm) -> list[int]:
    """The organisations in which `actor` holds one of `perms` through a role (admins' are
    not listed: they hold everything, see `organisations_clause`)."""
    if not is_signed_in(actor):
        return []
    roles = _holding_roles(perms)
    return sorted({m.organisation_id for m in _current_memberships(actor) if m.role in roles})


def organisations_clause(actor: Actor, *perms: Perm) -> ColumnElement[bool]:
    """A WHERE clause on Organisation: those where `actor` holds one of `perms`."""
    if _is_admin(actor):
        return true()
    limits = _limits(actor)
    if limits is not None:
        perms = tuple(perm for perm in perms if perm in limits.perms)
    ids = organisation_ids(actor, *perms) if perms else []
    return Organisation.id.in_(ids) if ids else false()


def accessible_events_clause(actor: Actor, *perms: Perm) -> ColumnElement[bool]:
    """A WHERE clause on Event: the events on which `actor` holds one of `perms`."""
    if not perms:
        raise ValueError("name the permission(s) the events are selected for")
    if not is_signed_in(actor):
        return false()
    if _is_admin(actor):
        return true()
    limits = _limits(actor)
    if limits is not None:
        perms = tuple(perm for perm in perms if perm in limits.perms)
        if not perms:
            return false()
    org_ids = organisation_ids(actor, *perms)
    clauses = []
    if org_ids:
        organised = select(EventOrganiser.event_id).where(
            EventOrganiser.organisation_id.in_(org_ids)
        )
        clauses += [Event.id.in_(organised), Event.parent_id.in_(organised)]
    granted = _granted_clause(actor, set(perms))
    if granted is not None:
        by_grant = select(EventGrant.event_id).where(granted, _grant_is_current())
        clauses += [Event.id.in_(by_grant), Event.parent_id.in_(by_grant)]
    if not clauses:
        return false()
    if limits is not None and limits.event_ids is not None:
        ids = sorted(limits.event_ids)
        return and_(or_(*clauses), or_(Event.id.in_(ids), Event.parent_id.in_(ids)))
    return or_(*clauses)


def _grant_roles(wanted: set[Perm], within: frozenset[Perm] | None = None) -> list[str]:
    """The grant roles that give one of `wanted` (within `within`, what a member's own role
    grants), as stored values."""
    return sorted(
        str(role)
        for role, granted in ROLE_PERMISSIONS.items()
        if (granted if within is None else granted & within) & (wanted - NOT_GRANTABLE)
    )


def _granted_clause(actor: Actor, wanted: set[Perm]) -> ColumnElement[bool] | None:
    """A WHERE clause on EventGrant: the grants that give `actor` one of `wanted` (the rule of
    `_grants`, in SQL, so a list costs no extra query)."""
    if getattr(actor, "id", None) is None:
        return None
    clauses = []
    roles = _grant_roles(wanted)
    if roles and _personal_id(actor) is not None:
        clauses.append(and_(EventGrant.user_id == actor.id, EventGrant.role.in_(roles)))
    for membership in _current_memberships(actor):
        roles = _grant_roles(wanted, ROLE_PERMISSIONS.get(membership.role, frozenset()))
        if roles:
            clauses.append(
                and_(
                    EventGrant.organisation_id == membership.organisation_id,
                    EventGrant.role.in_(roles),
                )
            )
    return or_(*clauses) if clauses else None


def _grants(actor: Actor) -> dict[int, frozenset[Perm]]:
    """What `actor` holds through grants, by event id (one query, remembered for the request:
    a request speaks of one actor)."""
    if not is_signed_in(actor) or getattr(actor, "id", None) is None:
        return {}
    cache = g.setdefault("actor_grants", {}) if has_request_context() else {}
    key = (getattr(actor, "id", None), _limits(actor) is not None)
    if key in cache:
        return cache[key]
    own_roles = {m.organisation_id: m.role for m in _current_memberships(actor)}
    personal = _personal_id(actor)
    condition = EventGrant.user_id == personal if personal is not None else false()
    if own_roles:
        condition = or_(condition, EventGrant.organisation_id.in_(sorted(own_roles)))
    held: dict[int, set[Perm]] = {}
    for event_id, org_id, role in db.session.execute(
        select(EventGrant.event_id, EventGrant.organisation_id, EventGrant.role).where(
            condition, _grant_is_current()
        )
    ):
        perms = set(ROLE_PERMISSIONS.get(role, frozenset()))
        if org_id is not None:
            perms &= ROLE_PERMISSIONS.get(own_roles.get(org_id), frozenset())
        held.setdefault(event_id, set()).update(perms & EVENT_PERMS - NOT_GRANTABLE)
    found = {event_id: frozenset(perms) for event_id, perms in held.items() if perms}
    cache[key] = found
    return found


def forget_grants() -> None:
    """Drop the request's remembered grants (after a change of grants in the request)."""
    if has_request_context():
        g.pop("actor_grants", None)


def _permissions_from(
    actor: Actor, organiser_ids: Iterable[int], event_ids: Iterable[int | None] = ()
) -> frozenset[Perm]:
    """What `actor` may do on an event organised by `organiser_ids` (its own and its tour's),
    plus what grants on `event_ids` (the event and its tour) give."""
    if not is_signed_in(actor):
        return frozenset()
    if _is_admin(actor):
        return EVENT_PERMS
    organisers = set(organiser_ids)
    granted: set[Perm] = set()
    for membership in _current_memberships(actor):
        if membership.organisation_id in organisers:
            granted |= ROLE_PERMISSIONS.get(membership.role, frozenset())
    grants = _grants(actor)
    event_ids = [event_id for event_id in event_ids if event_id is not None]
    for event_id in event_ids:
        granted |= grants.get(event_id, frozenset())
    limits = _limits(actor)
    if limits is not None:
        if limits.event_ids is not None and not limits.event_ids & set(event_ids):
            return frozenset()
        granted &= limits.perms
    return frozenset(granted & EVENT_PERMS)


def _event_organisations(*event_ids: int | None) -> list[int]:
    ids = [event_id for event_id in event_ids if event_id is not None]
    return list(
        db.session.scalars(
            select(EventOrganiser.organisation_id).where(EventOrganiser.event_id.in_(ids))
        )
    )


def permissions_on(actor: Actor, event: Event) -> frozenset[Perm]:
    """Every event-level permission `actor` holds on `event` (one query; none for admins)."""
    if not is_signed_in(actor):
        return frozenset()
    if _is_admin(actor):
        return EVENT_PERMS
    return _permissions_from(
        actor, _event_organisations(event.id, event.parent_id), (event.id, event.parent_id)
    )


def can(actor: Actor, perm: Perm, event: Event) -> bool:
    """May `actor` do `perm` on `event`? (The same rule as accessible_events_clause.)"""
    if perm.on_organisation:
        raise ValueError(f"{perm} is an organisation permission, not an event one")
    return perm in permissions_on(actor, event)


def load_event(actor: Actor, event_id: int) -> tuple[Event | None, frozenset[Perm]]:
    """The event and what `actor` may do on it, in one query (None if there is no such
    event). For the view guards; lists use accessible_events_clause."""
    if not is_signed_in(actor):
        return None, frozenset()
    rows = db.session.execute(
        select(Event, EventOrganiser.organisation_id)
        .outerjoin(
            EventOrganiser,
            or_(EventOrganiser.event_id == Event.id, EventOrganiser.event_id == Event.parent_id),
        )
        .where(Event.id == event_id)
    ).all()
    if not rows:
        return None, frozenset()
    event = rows[0][0]
    return event, _permissions_from(
        actor, (org_id for _event, org_id in rows if org_id), (event.id, event.parent_id)
    )
