"""Publishing the draft programme: the scheduling fields of every session are copied to its
published ones, and each participant signed up for (or waiting for) a session that moved, changed
room or was cancelled gets one e-mail listing all their changes, through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.helpers import external_url
from eventapp.models import (
    Event,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    SessionSignup,
    utcnow,
)
from eventapp.services import audit, mail
from eventapp.services.programme.editing import state_of
from eventapp.services.programme.errors import ProgrammeError
from eventapp.services.programme.reading import draft_sessions


@dataclass(frozen=True)
class Change:
    session: ProgrammeSession
    cancelled: bool
    old_starts_at: object
    old_ends_at: object
    old_room: object


def pending_changes(event: Event) -> list[ProgrammeSession]:
    """The sessions whose draft differs from the published programme (new ones included)."""
    return [s for s in draft_sessions(event) if s.has_draft_changes]


def publish(event: Event, *, actor=None) -> dict:
    """Publish the draft. Returns {"sessions": n published or changed, "notified": n people}."""
    lock_event_row(event.id)
    changed = pending_changes(event)
    if not changed:
        raise ProgrammeError(ProgrammeError.Code.NOTHING_TO_PUBLISH)
    now = utcnow()
    moved: dict[int, Change] = {}
    for session in changed:
        if session.published_at is not None:
            newly_cancelled = session.cancelled and not session.published_cancelled
            shifted = not session.cancelled and (
                session.starts_at != session.published_starts_at
                or session.ends_at != session.published_ends_at
                or session.room_id != session.published_room_id
            )
            if newly_cancelled or shifted:
                moved[session.id] = Change(
                    session,
                    newly_cancelled,
                    session.published_starts_at,
                    session.published_ends_at,
                    session.published_room,
                )
        session.published_at = session.published_at or now
        session.published_starts_at = session.starts_at
        session.published_ends_at = session.ends_at
        session.published_room_id = session.room_id
        session.published_room = session.room
        session.published_cancelled = session.cancelled
    state = state_of(event, create=True)
    state.published_at = now
    state.changed_at = None
    db.session.flush()
    notified = _notify(event, moved)
    audit.record(
        "programme.published",
        user=actor,
        event_id=event.id,
        sessions=len(changed),
        notified=notified,
    )
    return {"sessions": len(changed), "notified": notified}


def _notify(event: Event, moved: dict[int, Change]) -> int:
    if not moved:
        return 0
    rows = db.session.execute(
        select(SessionSignup.session_id, Registration)
        .join(Registration, Registration.id == SessionSignup.registration_id)
        .where(
            SessionSignup.session_id.in_(list(moved)),
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.email.is_not(None),
        )
        .order_by(Registration.id, SessionSignup.session_id)
    )
    per_person: dict[int, tuple[Registration, list[Change]]] = {}
    for session_id, registration in rows:
        per_person.setdefault(registration.id, (registration, []))[1].append(moved[session_id])
    for registration, changes in per_person.values():
        lang = registration.language or "fr"
        with force_locale(lang):
            title = event.title(lang)
            mail.enqueue(
                kind="programme_changed",
                recipient=registration.email,
                subject=_("Programme changes: %(title)s", title=title),
                body_text=render_template(
                    "programme/mail/changes.txt",
                    registration=registration,
                    event_title=title,
                    changes=changes,
                    lang=lang,
                    programme_url=external_url(
                        "programme.my_programme", token=registration.manage_token
                    ),
                ),
                event_id=event.id,
                registration_id=registration.id,
            )
    return len(per_person)
