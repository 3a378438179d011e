"""How the history shows its lines: an audit entry in the reader's language, who did it."""

from flask_babel import gettext as _
from flask_babel import ngettext

from eventapp.fees import history as fees_history
from eventapp.models import RegistrationSource, RegistrationStatus
from eventapp.organiser.blueprint import bp
from eventapp.programme import history as programme_history

FIELD_LABELS = {
    "first_name": lambda: _("first name"),
    "last_name": lambda: _("last name"),
    "organisation_name": lambda: _("organisation"),
    "job_title": lambda: _("job title"),
    "category": lambda: _("category"),
    "region": lambda: _("region"),
    "title_fr": lambda: _("French title"),
    "title_en": lambda: _("English title"),
    "description_fr": lambda: _("French description"),
    "description_en": lambda: _("English description"),
    "starts_at": lambda: _("start"),
    "ends_at": lambda: _("end"),
    "venue": lambda: _("venue"),
    "address": lambda: _("address"),
    "city": lambda: _("city"),
    "online_url": lambda: _("online link"),
    "registration_opens_at": lambda: _("registration opening"),
    "registration_closes_at": lambda: _("registration closing"),
    "organisers": lambda: _("organisers"),
}


def _status(value) -> str:
    try:
        return RegistrationStatus(value).label
    except ValueError:
        return str(value)


def _fields(names) -> str:
    return ", ".join(FIELD_LABELS.get(n, lambda n=n: n)() for n in names or [])


@bp.app_template_filter("audit_text")
def audit_text(entry) -> str:
    """One line of the history, in the reader's language. Personal values are never in the
    log (only field names), so none are shown."""
    d = entry.details or {}
    over = " " + _("(over capacity)") if d.get("capacity_override") else ""
    texts = {
        "registration.created": lambda: (
            _(
                "Registration added (%(source)s): %(status)s",
                source=_source(d),
                status=_status(d.get("status")),
            )
            + over
        ),
        "registration.promoted": lambda: (
            _("Moved up from the waiting list automatically")
            if d.get("automatic")
            else _("Moved from the waiting list to confirmed") + over
        ),
        "registration.offered": lambda: _("Offered a freed place from the waiting list"),
        "registration.offer_accepted": lambda: _("Offer accepted: place confirmed"),
        "registration.offer_declined": lambda: _("Offer declined: left the waiting list"),
        "registration.offer_expired": lambda: _("Offer expired unanswered: left the waiting list"),
        "registration.cancelled": lambda: _("Registration cancelled"),
        "registration.reconfirmed": lambda: (
            _("Registered again: %(status)s", status=_status(d.get("status"))) + over
        ),
        "registration.updated": lambda: _(
            "Details corrected: %(fields)s", fields=_fields(d.get("fields"))
        ),
        "registration.moved": lambda: _(
            "Moved to another event (%(status)s there)", status=_status(d.get("status"))
        ),
        "registration.moved_in": lambda: _("Moved here from another event"),
        "registration.checked_in": lambda: (
            _("Checked in at desk %(desk)s", desk=d["desk"])
            if d.get("desk")
            else _("Checked in at the desk")
        ),
        "registration.checkin_undone": lambda: _("Check-in undone"),
        "registration.erased": lambda: _("Personal data erased at the participant's request"),
        "event.created": lambda: _("Event created"),
        "stage.created": lambda: _("Stage added"),
        "event.updated": lambda: _("Event edited: %(fields)s", fields=_fields(d.get("fields"))),
        "event.capacity_changed": lambda: _(
            "Capacity changed from %(old)s to %(new)s",
            old=_capacity(d.get("previous")),
            new=_capacity(d.get("capacity")),
        ),
        "event.published": lambda: _("Event published"),
        "event.unpublished": lambda: _("Event unpublished (back to draft)"),
        "event.cancelled": lambda: ngettext(
            "Event cancelled; %(num)s registrant e-mailed",
            "Event cancelled; %(num)s registrants e-mailed",
            d.get("notified", 0),
        ),
        "attendees.exported": lambda: _(
            "Attendee list exported (%(format)s)", format=str(d.get("format", "")).upper()
        ),
        "attendees.imported": lambda: _(
            "Attendees imported: %(confirmed)s confirmed, %(waitlisted)s on the waiting list, "
            "%(skipped)s rows left out",
            confirmed=d.get("confirmed", 0),
            waitlisted=d.get("waitlisted", 0),
            skipped=d.get("skipped", 0),
        ),
        "privacy.event_purged": lambda: ngettext(
            "Personal data removed: %(num)s registration anonymised",
            "Personal data removed: %(num)s registrations anonymised",
            d.get("anonymised", 0),
        ),
        "mailing.sent": lambda: ngettext(
            "Message sent to %(num)s person",
            "Message sent to %(num)s people",
            d.get("recipients", 0),
        ),
        "mailing.scheduled": lambda: _("Message scheduled"),
        "badges.designed": lambda: _("Badge design changed"),
        "mailing.cancelled": lambda: _("Scheduled message cancelled"),
    }
    texts.update(fees_history.texts(d))  # issue 14
    texts.update(programme_history.texts(d))  # issue 16
    text = texts.get(entry.action)
    return text() if text else entry.action


def _capacity(value) -> str:
    return _("unlimited") if value is None else str(value)


def _source(details) -> str:
    try:
        return RegistrationSource(details.get("source")).label
    except ValueError:
        return str(details.get("source", ""))


@bp.app_template_filter("actor_label")
def actor_label(value) -> str:
    return {
        "participant": _("The participant"),
        "system": _("Automatic"),
        "cli": _("Command line"),
    }.get(str(value), "—")
