"""The e-mails of B2B meetings, through the outbox (written in the caller's transaction, sent by
a worker after the commit), each in its recipient's language. They carry the recipient's own
manage link (never an address in a URL) and no contact details before a request is accepted."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.models import B2BParticipant, MeetingRequest
from eventapp.services import mail


def _send(to: B2BParticipant, kind: str, subject, template: str, **context) -> None:
    from eventapp.helpers import external_url

    registration = to.registration
    if not registration.email:
        return
    lang = registration.language or "fr"
    with force_locale(lang):
        title = registration.event.title(lang)
        body = render_template(
            f"b2b/mail/{template}.txt",
            event_title=title,
            person=registration,
            url=external_url("b2b.home", token=registration.manage_token),
            **context,
        )
        mail.enqueue(
            kind=f"b2b.{kind}",
            recipient=registration.email,
            subject=subject(title),
            body_text=body,
            event_id=registration.event_id,
            registration_id=registration.id,
        )


def request_received(request: MeetingRequest) -> None:
    _send(
        request.recipient,
        "request",
        lambda title: _("A B2B meeting request: %(event)s", event=title),
        "request",
        other=request.sender.profile,
        other_name=request.sender.registration.full_name,
        message=request.message,
    )


def request_answered(request: MeetingRequest) -> None:
    _send(
        request.sender,
        "answer",
        lambda title: _("Your B2B meeting request was answered: %(event)s", event=title),
        "answer",
        other=request.recipient.profile,
        other_name=request.recipient.registration.full_name,
        accepted=request.status == "accepted",
    )


def request_cancelled(request: MeetingRequest, by: B2BParticipant) -> None:
    other = request.recipient if by.id == request.sender_id else request.sender
    _send(
        other,
        "cancelled",
        lambda title: _("A B2B meeting is cancelled: %(event)s", event=title),
        "cancelled",
        other=by.profile,
        other_name=by.registration.full_name,
    )


def agenda(participant: B2BParticipant, meetings: list, changed: bool = False) -> None:
    """The participant's meetings (time, table, whom): when the schedule is published, and when
    the organiser moves or cancels one of them afterwards."""
    _send(
        participant,
        "agenda",
        lambda title: (
            _("Your B2B meetings have changed: %(event)s", event=title)
            if changed
            else _("Your B2B meetings: %(event)s", event=title)
        ),
        "agenda",
        meetings=meetings,
        changed=changed,
    )


def block_reminder(participant: B2BParticipant, meetings: list, block) -> None:
    """Before a meeting block: the participant's meetings in it (time, table, whom)."""
    _send(
        participant,
        "reminder",
        lambda title: _("Your B2B meetings start soon: %(event)s", event=title),
        "reminder",
        meetings=meetings,
        block=block,
    )
