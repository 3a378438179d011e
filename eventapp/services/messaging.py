"""Messages from organisers to a filtered list of attendees, sent through the outbox.

A Mailing row keeps what was written and to which filter; each recipient gets an OutboxMessage
(mailing_id set) in the same transaction, so the log shows exactly who received what and
whether it was delivered. {first_name}, {last_name} and {event} in the text are replaced for
each person; a footer in the person's language says why they receive it and links to their
registration.

A mailing may carry one PDF (services/mailing_attachments), and may be scheduled: it is then
only a row (status scheduled, send_at) until the `mailings.send_due` job claims it and queues
its messages to the list as it is at that time; until then it can be cancelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import Select, func, select, update

from eventapp import events
from eventapp.extensions import db
from eventapp.models import (
    Event,
    EventOrganiser,
    Mailing,
    MailingAttachment,
    MailingStatus,
    Organisation,
    OrganiserRole,
    OutboxMessage,
    OutboxStatus,
    Registration,
    User,
    utcnow,
)
from eventapp.services import audit, mailing_attachments
from eventapp.services import mail as mail_service
from eventapp.services.errors import ServiceError
from eventapp.text import fold

PLACEHOLDERS = ("{first_name}", "{last_name}", "{organisation}", "{event}")
# The French spellings an organiser naturally types, accents or not, any case.
ALIASES = {
    "prenom": "first_name",
    "nom": "last_name",
    "organisation": "organisation",
    "organization": "organisation",
    "societe": "organisation",
    "entreprise": "organisation",
    "evenement": "event",
}
PLACEHOLDER_RE = re.compile(r"\{([^\W\d][\w ]{0,39})\}")
CHUNK = 500


def _canonical(name: str) -> str | None:
    key = fold(name).replace(" ", "_")
    if f"{{{key}}}" in PLACEHOLDERS:
        return key
    return ALIASES.get(key)


def unknown_placeholders(text: str | None) -> list[str]:
    """The {words} in `text` that are not placeholders (nor their French aliases), in order."""
    unknown: list[str] = []
    for match in PLACEHOLDER_RE.finditer(text or ""):
        if _canonical(match.group(1)) is None and match.group(0) not in unknown:
            unknown.append(match.group(0))
    return unknown


FRENCH_NAMES = {"first_name": "{prenom}", "last_name": "{nom}", "event": "{evenement}"}


def placeholder_help() -> str:
    """The valid placeholders with their French aliases: « {first_name} ({prenom}), … »."""
    return ", ".join(
        f"{p} ({FRENCH_NAMES[p[1:-1]]})" if p[1:-1] in FRENCH_NAMES else p for p in PLACEHOLDERS
    )


def personalise(text: str, registration: Registration, event_title: str) -> str:
    values = {
        "first_name": registration.first_name or "",
        "last_name": registration.last_name or "",
        "organisation": registration.organisation_name or "",
        "event": event_title,
    }

    def replace(match: re.Match) -> str:
        name = _canonical(match.group(1))
        return values[name] if name else match.group(0)

    return PLACEHOLDER_RE.sub(replace, text)


def send_test(
    event: Event,
    user: User,
    sample: Registration | None,
    *,
    subject: str,
    body: str,
    attachment: MailingAttachment | None = None,
) -> OutboxMessage:
    """The message as `sample` (or the organiser, with no one to show) will receive it, sent to
    the organiser alone, in the caller's transaction; not logged as a mailing."""
    person = sample or Registration(
        first_name=(user.name or "").split(" ")[0],
        last_name=" ".join((user.name or "").split(" ")[1:]),
        organisation_name="",
        language="fr",
        manage_token="test",  # noqa: S106 (a sample link, not a secret)
    )
    personal_subject, text, html = render_message(event, person, subject, body)
    prefix = _("Test")
    return mail_service.enqueue(
        kind="mailing_test",
        recipient=user.email,
        subject=f"[{prefix}] {personal_subject}",
        body_text=text,
        body_html=html,
        event_id=event.id,
        references=[mailing_attachments.reference(attachment)] if attachment else [],
    )


def recipients(query: Select) -> Select:
    """The registrations of a filtered list that can be e-mailed (anonymised ones cannot)."""
    return query.where(Registration.email.is_not(None))


def count_recipients(query: Select) -> int:
    ids = recipients(query).with_only_columns(Registration.id).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(ids))


def first_recipient(query: Select) -> Registration | None:
    return db.session.scalars(recipients(query).limit(1)).first()


def lead_organisation(event: Event) -> Organisation | None:
    """The organisation that signs the event's messages: its lead organiser."""
    return db.session.scalar(
        select(Organisation)
        .join(EventOrganiser, EventOrganiser.organisation_id == Organisation.id)
        .where(EventOrganiser.event_id == event.id)
        .order_by((EventOrganiser.role != OrganiserRole.LEAD), EventOrganiser.position)
        .limit(1)
    )


def organisation_logo(organisation: Organisation | None) -> str | None:
    """The absolute URL of an organisation's logo (the re-encoded PNG served at /o/<slug>/logo.png),
    or None when it has none."""
    if organisation is None or organisation.logo_updated_at is None:
        return None
    from eventapp.helpers import external_url

    return external_url("organisations.logo", slug=organisation.slug)


_LOOK_UP = object()


def render_message(
    event: Event,
    registration: Registration,
    subject: str,
    body: str,
    organisation: Organisation | object | None = _LOOK_UP,
) -> tuple[str, str, str]:
    """(subject, text, html) for one recipient, the footer in their language; signed with the
    lead organisation's name (and logo once organisations have one). A mailing passes the
    organisation, looked up once."""
    from eventapp.helpers import external_url

    if organisation is _LOOK_UP:
        organisation = lead_organisation(event)

    lang = registration.language if registration.language in ("fr", "en") else "fr"
    title = event.title(lang)
    body = body.replace("\r\n", "\n")
    text_body = personalise(body, registration, title)
    with force_locale(lang):
        context = {
            "event": event,
            "event_title": title,
            "body": text_body,
            "body_html": escape(text_body).replace("\n", Markup("<br>\n")),
            "manage_url": external_url("registration.manage", token=registration.manage_token),
            "lang": lang,
            "organisation": organisation,
            "logo_url": organisation_logo(organisation),
        }
        text = render_template("mail/mailing.txt", **context)
        html = render_template("mail/mailing.html", **context)
    return personalise(subject, registration, title), text, html


@dataclass
class SendResult:
    mailing: Mailing
    queued: int


class MailingError(ServiceError):
    """A mailing cannot be scheduled or cancelled; `code` says why."""

    kind = "mailing"

    class Code(StrEnum):
        SEND_AT_PAST = "send_at_past"
        SEND_AT_TOO_FAR = "send_at_too_far"
        NOT_SCHEDULED = "not_scheduled"

    MESSAGES = {
        Code.SEND_AT_PAST: _l("Choose a date and time to come (or send it now)."),
        Code.SEND_AT_TOO_FAR: _l("A message is scheduled at most a year ahead."),
        Code.NOT_SCHEDULED: _l("This message is no longer scheduled: it was sent or cancelled."),
    }
    STATUS = {Code.SEND_AT_PAST: 422, Code.SEND_AT_TOO_FAR: 422}


MAX_SCHEDULE_AHEAD = timedelta(days=366)
# The job that sends the scheduled mailings that are due: beat runs it every
# MAILING_SCHEDULE_SECONDS (eventapp/jobs/schedule.py), so a mailing goes out within that delay
# of its time, and one missed while the workers were down goes out at their next run.
SEND_DUE_JOB = "mailings.send_due"


def check_send_at(send_at: datetime, now: datetime | None = None) -> None:
    now = now or utcnow()
    if send_at <= now:
        raise MailingError(MailingError.Code.SEND_AT_PAST, field="send_at")
    if send_at > now + MAX_SCHEDULE_AHEAD:
        raise MailingError(MailingError.Code.SEND_AT_TOO_FAR, field="send_at")


def send_mailing(
    event: Event,
    query: Select,
    *,
    subject: str,
    body: str,
    filters: dict,
    user: User,
    log_filters: dict | None = None,
    attachment: MailingAttachment | None = None,
    send_at: datetime | None = None,
) -> SendResult:
    """Queue one personalised message per recipient of the filtered list, in the caller's
    transaction (they are sent after the commit). With `send_at` (UTC, to come), the mailing is
    only scheduled: the `mailings.send_due` job queues its messages then, to the list as it is
    at that time; it can be cancelled until then."""
    now = utcnow()
    if send_at is not None:
        check_send_at(send_at, now)
    mailing = Mailing(
        event_id=event.id,
        created_by_id=user.id,
        subject=subject.strip(),
        body=body.replace("\r\n", "\n"),
        filters=filters,
        status=MailingStatus.SCHEDULED if send_at else MailingStatus.SENT,
        send_at=send_at,
        sent_at=None if send_at else now,
    )
    if attachment is not None:
        mailing.attachment_id = attachment.id
        mailing.attachment_name = attachment.filename
        mailing_attachments.keep_until(attachment, send_at or now)
    db.session.add(mailing)
    db.session.flush()
    if send_at is not None:
        audit.record(
            "mailing.scheduled",
            user=user,
            event_id=event.id,
            mailing_id=mailing.id,
            send_at=send_at.isoformat(),
            filters=filters if log_filters is None else log_filters,
        )
        db.session.flush()
        return SendResult(mailing, 0)
    queued = _queue_messages(event, mailing, query)
    audit.record(
        "mailing.sent",
        user=user,
        event_id=event.id,
        mailing_id=mailing.id,
        recipients=queued,
        filters=filters if log_filters is None else log_filters,
    )
    db.session.flush()
    events.record("mailing.sent", event_id=event.id, mailing_id=mailing.id, queued=queued)
    return SendResult(mailing, queued)


def _queue_messages(event: Event, mailing: Mailing, query: Select) -> int:
    ids = list(db.session.scalars(recipients(query).with_only_columns(Registration.id)))
    queued = 0
    organisation = lead_organisation(event)
    attachment = mailing_attachments.for_event(event, mailing.attachment_id)
    references = [mailing_attachments.reference(attachment)] if attachment else []
    for start in range(0, len(ids), CHUNK):
        chunk = db.session.scalars(
            select(Registration)
            .where(Registration.id.in_(ids[start : start + CHUNK]))
            .order_by(Registration.id)
        ).all()
        for registration in chunk:
            personal_subject, text, html = render_message(
                event, registration, mailing.subject, mailing.body, organisation
            )
            mail_service.enqueue(
                kind="mailing",
                recipient=registration.email,
                subject=personal_subject,
                body_text=text,
                body_html=html,
                event_id=event.id,
                registration_id=registration.id,
                mailing_id=mailing.id,
                references=references,
            )
            queued += 1
    mailing.recipients_count = queued
    return queued


def due_mailing_ids(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Mailing.id)
            .where(Mailing.status == MailingStatus.SCHEDULED, Mailing.send_at <= now)
            .order_by(Mailing.send_at, Mailing.id)
        )
    )


def send_scheduled(mailing_id: int, build_query, now: datetime | None = None) -> int | None:
    """Send one due scheduled mailing in the caller's (write) transaction: claimed by a
    conditional UPDATE (scheduled -> sent), so a cancellation or another sender racing it
    finds it taken, and it goes out once. `build_query(event, filters)` gives the recipients'
    list as it is now. Returns the number queued, or None if it was not due or not scheduled."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Mailing)
        .where(
            Mailing.id == mailing_id,
            Mailing.status == MailingStatus.SCHEDULED,
            Mailing.send_at <= now,
        )
        .values(status=MailingStatus.SENT, sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    mailing = db.session.get(Mailing, mailing_id, populate_existing=True)
    event = db.session.get(Event, mailing.event_id)
    queued = _queue_messages(event, mailing, build_query(event, mailing.filters or {}))
    attachment = mailing_attachments.for_event(event, mailing.attachment_id)
    if attachment is not None:
        mailing_attachments.keep_until(attachment, now)
    audit.record(
        "mailing.sent",
        user_id=mailing.created_by_id,
        event_id=event.id,
        mailing_id=mailing.id,
        recipients=queued,
        scheduled=True,
    )
    db.session.flush()
    events.record("mailing.sent", event_id=event.id, mailing_id=mailing.id, queued=queued)
    return queued


def cancel_scheduled(event: Event, mailing_id: int, user: User) -> Mailing:
    """Cancel a scheduled mailing before it goes out (a conditional UPDATE: once the sender has
    claimed it, it is too late, and the organiser is told)."""
    now = utcnow()
    done = db.session.execute(
        update(Mailing)
        .where(
            Mailing.id == mailing_id,
            Mailing.event_id == event.id,
            Mailing.status == MailingStatus.SCHEDULED,
        )
        .values(status=MailingStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise MailingError(MailingError.Code.NOT_SCHEDULED)
    mailing = db.session.get(Mailing, mailing_id, populate_existing=True)
    attachment = mailing_attachments.for_event(event, mailing.attachment_id)
    if attachment is not None:
        mailing_attachments.keep_until(attachment, now)
    audit.record("mailing.cancelled", user=user, event_id=event.id, mailing_id=mailing.id)
    db.session.flush()
    return mailing


def delivery_counts(mailing_ids: list[int]) -> dict[int, dict[str, int]]:
    """{mailing id: {status: count}} in one GROUP BY."""
    counts: dict[int, dict[str, int]] = {
        mailing_id: {str(s): 0 for s in OutboxStatus} for mailing_id in mailing_ids
    }
    if not mailing_ids:
        return counts
    rows = db.session.execute(
        select(OutboxMessage.mailing_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.mailing_id.in_(mailing_ids))
        .group_by(OutboxMessage.mailing_id, OutboxMessage.status)
    )
    for mailing_id, status, count in rows:
        counts[mailing_id][str(status)] = int(count)
    return counts
