"""E-mails a person never got (issue 20, point 7): a message refused for good by the mail
server (OutboxStatus.BOUNCED: a 5xx for the address, never retried) shows on the person's page
and in the list; the organiser corrects the address and sends the registration e-mail again
(with the manage link). No commit here: the request commits after the redirect."""

from __future__ import annotations

from collections.abc import Sequence

from flask import flash, redirect
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import OutboxMessage, OutboxStatus, RegistrationStatus
from eventapp.organiser.attendees.forms import OverrideForm
from eventapp.organiser.attendees.links import detail_url
from eventapp.organiser.blueprint import bp
from eventapp.permissions import Perm, guard
from eventapp.services import mail

RESEND_KINDS = {
    RegistrationStatus.CONFIRMED: "confirmed",
    RegistrationStatus.WAITLISTED: "waitlisted",
}


def bounced_ids(registration_ids: Sequence[int]) -> set[int]:
    """Of these registrations, those whose latest registration e-mail was refused for good
    (one query, for a page of the list)."""
    if not registration_ids:
        return set()
    latest = (
        select(OutboxMessage.registration_id, OutboxMessage.status)
        .where(OutboxMessage.registration_id.in_(list(registration_ids)))
        .order_by(OutboxMessage.registration_id, OutboxMessage.id.desc())
    )
    seen: dict[int, str] = {}
    for registration_id, status in db.session.execute(latest):
        seen.setdefault(registration_id, status)
    return {rid for rid, status in seen.items() if status == OutboxStatus.BOUNCED}


@bp.post("/events/<id:event_id>/attendees/<id:registration_id>/resend")
@guard.registration(Perm.ATTENDEES_EDIT)
def attendee_resend(event, registration):
    """Send the registration e-mail (with the manage link) again, to the address on file."""
    form = OverrideForm()
    kind = RESEND_KINDS.get(registration.status)
    if not form.validate_on_submit() or kind is None or not registration.email:
        flash(_("This person's registration e-mail cannot be sent again."), "error")
        return redirect(detail_url(event, registration))
    mail.notify_registration(registration, kind)
    flash(
        _("The registration e-mail is sent again to %(name)s.", name=registration.full_name),
        "success",
    )
    return redirect(detail_url(event, registration))
