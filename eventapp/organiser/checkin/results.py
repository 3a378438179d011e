"""What the desk shows: a check-in result, an undo, a search hit and the live counts, as
plain data in the staff member's language (the page renders it; the JSON calls send it)."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.i18n import current_language, localdatetime
from eventapp.models import Event, Registration, utcnow
from eventapp.permissions import Perm, can
from eventapp.questions import reading
from eventapp.services import checkin as service
from eventapp.services.counts import event_counts

TONES = {
    service.State.CHECKED_IN: "ok",
    service.State.ALREADY: "warn",
    service.State.CANCELLED: "stop",
    service.State.WAITLISTED: "stop",
    service.State.PENDING: "stop",
    service.State.OTHER_EVENT: "stop",
    service.State.UNKNOWN: "stop",
}


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def counts_payload(event: Event) -> dict:
    counts = event_counts([event.id])[event.id]
    return {
        "checked_in": counts.checked_in,
        "confirmed": counts.confirmed,
        "text": ngettext(
            "Checked in: %(checked_in)s of %(confirmed)s confirmed",
            "Checked in: %(checked_in)s of %(confirmed)s confirmed",
            counts.confirmed,
            checked_in=format_decimal(counts.checked_in),
            confirmed=format_decimal(counts.confirmed),
        ),
    }


def _when(moment) -> str:
    """09:42 today, or the date and time on another day (Europe/Paris)."""
    if moment is None:
        return ""
    # i18n.localdatetime: Babel's patterns parsed once (a search answers as one types).
    if localdatetime(moment, "yyyy-MM-dd") == localdatetime(utcnow(), "yyyy-MM-dd"):
        return localdatetime(moment, "HH:mm")
    return localdatetime(moment, "short")


def _person(registration: Registration | None) -> str:
    if registration is None:
        return ""
    return ", ".join(p for p in (registration.full_name, registration.organisation_name) if p)


def present(event: Event, result: service.Result) -> dict:
    """A result as the desk shows it: a state, a tone (colour, always with a word and a sign),
    a title and details, in the staff member's language."""
    registration = result.registration
    state = result.state
    details = _person(registration)
    if state == service.State.CHECKED_IN:
        title = _("Checked in — %(person)s", person=details)
        details = registration.category.label
    elif state == service.State.ALREADY:
        by = registration.checkin_desk or "—"
        if registration.checked_in_by is not None:
            by = f"{by} ({registration.checked_in_by.name})"
        title = _(
            "Already checked in at %(time)s by %(desk)s",
            time=_when(registration.checked_in_at),
            desk=by,
        )
    elif state == service.State.CANCELLED:
        title = _("Registration cancelled")
        details = _(
            "%(person)s — this registration was cancelled: the ticket is not valid.",
            person=details,
        )
    elif state == service.State.WAITLISTED:
        title = _("Waiting list")
        details = _(
            "%(person)s — no confirmed place: send the person to an organiser.", person=details
        )
    elif state == service.State.PENDING:
        title = _("Not confirmed")
        details = _("%(person)s — the registration is not confirmed yet.", person=details)
    elif state == service.State.OTHER_EVENT:
        title = _("Other event")
        other = registration.event
        # Name the other event only to staff who may see it.
        details = (
            _("This ticket is for: %(event)s.", event=other.title(current_language()))
            if can(current_user, Perm.CHECKIN, other)
            else _("This ticket is for another event.")
        )
    else:
        title = _("Unknown code")
        details = _("No ticket matches this code. Check it, or search by name.")
    if (
        registration is not None
        and registration.event_id == event.id
        and state in (service.State.CHECKED_IN, service.State.ALREADY)
    ):
        # The answers chosen for the desk (dietary needs, workshop), after the person.
        shown = reading.flagged_texts([registration], event, current_language(), "at_desk")
        texts = [f"{label} : {text}" for label, text in shown.get(registration.id, [])]
        if texts:
            details = " · ".join([str(details), *texts]) if details else " · ".join(texts)
    data = {
        "state": str(state),
        "tone": TONES[state],
        "title": title,
        "details": details,
        # Another event's registration is not identified to this desk.
        "registration_id": (
            registration.id
            if registration is not None and registration.event_id == event.id
            else None
        ),
        "counts": counts_payload(event),
    }
    if registration is not None and registration.event_id == event.id:
        if state in (service.State.CHECKED_IN, service.State.ALREADY):
            _flag_unpaid(data, registration)
        if state in (service.State.CHECKED_IN, service.State.ALREADY):
            data["undo_url"] = url_for(
                "organiser.checkin_undo", event_id=event.id, registration_id=registration.id
            )
        if state in (service.State.CHECKED_IN, service.State.ALREADY):
            data["badge_url"] = url_for(
                "organiser.badges_pdf", event_id=event.id, id=registration.id, layout="a6"
            )
    return data


def _flag_unpaid(data: dict, registration: Registration) -> None:
    """Issue 14: a booking that is not paid shows "unpaid" and what is left to pay."""
    from eventapp.services.fees.formatting import money
    from eventapp.services.fees.payments import unpaid_cents

    due = unpaid_cents(registration)
    if due:
        data["tone"] = "warn"
        data["unpaid"] = True
        data["details"] = _("Unpaid: %(amount)s left to pay.", amount=money(due)) + (
            f" {data['details']}" if data["details"] else ""
        )


def undo_payload(event: Event, registration: Registration, undone: bool) -> dict:
    person = _person(registration)
    if undone:
        title = _("Check-in undone")
        details = _("%(person)s is no longer checked in.", person=person)
    else:
        title = _("Not checked in")
        details = _("%(person)s was not checked in: nothing to undo.", person=person)
    return {
        "state": "undone" if undone else "not_checked_in",
        "tone": "info",
        "title": title,
        "details": details,
        "registration_id": registration.id,
        "counts": counts_payload(event),
    }


def search_item(event: Event, registration: Registration) -> dict:
    checked = registration.checked_in_at is not None
    item = {
        "id": registration.id,
        "name": registration.full_name,
        "organisation": registration.organisation_name,
        "category": registration.category.label,
        "status": str(registration.status),
        "status_label": registration.status.label,
        "checked_in": checked,
        "checked_in_text": (
            _(
                "Checked in at %(time)s by %(desk)s",
                time=_when(registration.checked_in_at),
                desk=registration.checkin_desk or "—",
            )
            if checked
            else ""
        ),
        "checkin_url": url_for(
            "organiser.checkin_registration", event_id=event.id, registration_id=registration.id
        ),
        "undo_url": url_for(
            "organiser.checkin_undo", event_id=event.id, registration_id=registration.id
        ),
        "badge_url": url_for(
            "organiser.badges_pdf", event_id=event.id, id=registration.id, layout="a6"
        ),
    }
    return item
