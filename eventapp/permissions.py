"""Who may see which event. Every organiser route and organiser API call goes through here.

- Admins: every event.
- Managers of an organisation: the events that organisation organises, co-organises or is a
  partner of, plus the stages of a tour it organises.
- Check-in staff: the same events, but only for check-in and attendee look-up (need=CHECKIN).
Another organisation's event answers 404, so its existence is not disclosed.
"""

from enum import StrEnum

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, false, or_, select, true

from eventapp.extensions import db
from eventapp.models import Event, EventOrganiser, MembershipRole, User


class Need(StrEnum):
    MANAGE = "manage"  # edit events, manage attendees, export, import, message
    CHECKIN = "checkin"  # check-in desk and attendee look-up


def organisation_ids(user: User, need: Need = Need.MANAGE) -> list[int]:
    roles = {MembershipRole.MANAGER}
    if need == Need.CHECKIN:
        roles.add(MembershipRole.CHECKIN)
    return [m.organisation_id for m in user.memberships if m.role in roles]


def accessible_events_clause(user: User, need: Need = Need.MANAGE) -> ColumnElement[bool]:
    """A WHERE clause on Event selecting the events `user` may access for `need`."""
    if not user.is_authenticated or not user.is_active:
        return false()
    if user.is_admin:
        return true()
    org_ids = organisation_ids(user, need)
    if not org_ids:
        return false()
    organised = select(EventOrganiser.event_id).where(EventOrganiser.organisation_id.in_(org_ids))
    return or_(Event.id.in_(organised), Event.parent_id.in_(organised))


def can_access_event(user: User, event: Event, need: Need = Need.MANAGE) -> bool:
    clause = accessible_events_clause(user, need)
    found = db.session.scalar(select(Event.id).where(Event.id == event.id, clause))
    return found is not None


def require_event_access(event_id: int, need: Need = Need.MANAGE) -> Event:
    """The event if the current user may access it for `need`; 404 otherwise (401 handled by
    the blueprint's login check)."""
    if not current_user.is_authenticated:
        abort(401)
    event = db.session.scalar(
        select(Event).where(Event.id == event_id, accessible_events_clause(current_user, need))
    )
    if event is None:
        abort(404)
    return event
