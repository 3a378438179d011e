"""Where the attendee actions go back to: the person's page, or the list they came from (a
`next` of this site only)."""

from flask import request, url_for

from eventapp.helpers import safe_next


def detail_url(event, registration) -> str:
    return url_for("organiser.attendee", event_id=event.id, registration_id=registration.id)


def back_url(event, registration) -> str:
    fallback = detail_url(event, registration)
    target = request.form.get("next")
    return safe_next(target, "organiser.dashboard") if target else fallback
