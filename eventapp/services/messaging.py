"""Messages from organisers to a filtered list of attendees, sent through the outbox.

A Mailing row keeps what was written and to which filter; each recipient gets an OutboxMessage
(mailing_id set) in the same transaction, so the log shows exactly who received what and
whether it was delivered. {first_name}, {last_name} and {event} in the text are replaced for
each person; a footer in the person's language says why they receive it and links to their
registration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import Select, func, select

from eventapp import events
from eventapp.extensions import db
from eventapp.models import (
    Event,
    EventOrganiser,
    Mailing,
    Organisation,
    OrganiserRole,
    OutboxMessage,
    OutboxStatus,
    Registration,
    User,
)
from eventapp.services import audit
from eventapp.services import mail as mail_service
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
    event: Event, user: User, sample: Registration | None, *, subject: str, body: str
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


def send_mailing(
    event: Event,
    query: Select,
    *,
    subject: str,
    body: str,
    filters: dict,
    user: User,
    log_filters: dict | None = None,
) -> SendResult:
    """Queue one personalised message per recipient of the filtered list, in the caller's
    transaction (they are sent after the commit)."""
    mailing = Mailing(
        event_id=event.id,
        created_by_id=user.id,
        subject=subject.strip(),
        body=body.replace("\r\n", "\n"),
        filters=filters,
    )
    db.session.add(mailing)
    db.session.flush()
    ids = list(db.session.scalars(recipients(query).with_only_columns(Registration.id)))
    queued = 0
    organisation = lead_organisation(event)
    for start in range(0, len(ids), CHUNK):
        chunk = db.session.scalars(
            select(Registration)
            .where(Registration.id.in_(ids[start : start + CHUNK]))
            .order_by(Registration.id)
        ).all()
        for registration in chunk:
            personal_subject, text, html = render_message(
                event, registration, subject, body, organisation
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
            )
            queued += 1
    mailing.recipients_count = queued
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
