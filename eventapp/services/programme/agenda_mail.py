"""'My programme' in the registration e-mails (issue 16): the confirmation (and the promotion
and reminder) lists the person's sessions (sign-ups, waiting lists, stars) with the links to
their programme page and its .ics, rendered when the e-mail is sent (services/mail.py), so a
workshop chosen on the registration form is in the confirmation."""

from __future__ import annotations

from eventapp.helpers import external_url
from eventapp.models import Registration
from eventapp.services.mail import context_builder

KINDS = ("confirmed", "promoted", "reminder")


@context_builder
def my_programme(registration: Registration, kind: str) -> dict:
    from eventapp.services.programme.reading import has_published_programme
    from eventapp.services.programme.signups import agenda

    if kind not in KINDS or not has_published_programme(registration.event):
        return {}
    return {
        "programme_agenda": [
            (session, status) for session, status, _starred in agenda(registration)
        ],
        "programme_url": external_url("programme.my_programme", token=registration.manage_token),
        "programme_ics_url": external_url(
            "programme.my_programme_ics", token=registration.manage_token
        ),
    }
