"""Who organises an event: the lead, co-organisers and partners.

A manager creates events for an organisation in which they may (Perm.EVENT_CREATE): it is the
lead; they may add any organisation as co-organiser or partner. Nobody but an admin can edit
their organisations out of an event they would then no longer see (a stage stays visible to
the managers of its tour).
"""

from __future__ import annotations

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Event, EventOrganiser, Organisation, OrganiserRole, User
from eventapp.permissions import Perm, organisation_ids, organisations_clause
from eventapp.services.events.data import EventData
from eventapp.services.events.errors import EventError


def lead_organisations(user: User) -> list[Organisation]:
    """Organisations `user` may create events for (admins: all)."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(organisations_clause(user, Perm.EVENT_CREATE))
            .order_by(Organisation.name)
        )
    )


def organiser_roles(event: Event) -> dict[int, OrganiserRole]:
    rows = db.session.execute(
        select(EventOrganiser.organisation_id, EventOrganiser.role).where(
            EventOrganiser.event_id == event.id
        )
    )
    return {org_id: OrganiserRole(role) for org_id, role in rows}


def may_lead(user: User, organisation_id: int) -> bool:
    """Whether `user` may make `organisation_id` the lead of a new event."""
    return user.is_admin or organisation_id in organisation_ids(user, Perm.EVENT_CREATE)


def desired_organisers(data: EventData) -> dict[int, OrganiserRole]:
    roles = {data.lead_id: OrganiserRole.LEAD}
    for org_id in data.co_organiser_ids:
        roles.setdefault(org_id, OrganiserRole.CO_ORGANISER)
    for org_id in data.partner_ids:
        roles.setdefault(org_id, OrganiserRole.PARTNER)
    return roles


def check_keeps_access(user: User, tour_id: int | None, roles: dict[int, OrganiserRole]) -> None:
    """Managers cannot create an event they would not see, nor edit themselves out of one (a
    stage stays visible to the managers of its tour)."""
    if user.is_admin:
        return
    managed = set(organisation_ids(user, Perm.EVENT_SETTINGS))
    if managed & set(roles):
        return
    if tour_id is not None:
        tour_orgs = set(organiser_roles(db.session.get(Event, tour_id)))
        if managed & tour_orgs:
            return
    raise EventError(EventError.Code.WOULD_LOSE_ACCESS, "lead_id")


def apply_organisers(event: Event, roles: dict[int, OrganiserRole]) -> bool:
    current = {
        link.organisation_id: link
        for link in db.session.scalars(
            select(EventOrganiser).where(EventOrganiser.event_id == event.id)
        )
    }
    order = sorted(roles, key=lambda org_id: (roles[org_id] != OrganiserRole.LEAD, org_id))
    changed = False
    for org_id, link in current.items():
        if org_id not in roles:
            db.session.delete(link)
            changed = True
    for position, org_id in enumerate(order):
        link = current.get(org_id)
        if link is None:
            db.session.add(
                EventOrganiser(
                    event_id=event.id, organisation_id=org_id, role=roles[org_id], position=position
                )
            )
            changed = True
        elif link.role != roles[org_id] or link.position != position:
            changed = changed or link.role != roles[org_id]
            link.role, link.position = roles[org_id], position
    return changed
