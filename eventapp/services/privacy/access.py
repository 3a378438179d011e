"""The right of access: everything held about the person who holds a manage link, as
JSON-ready data (their registrations, the history about them without staff identities, the
e-mails sent to them without bodies)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import AuditLog, OutboxMessage, Registration, utcnow
from eventapp.privacy.logging import mask_emails
from eventapp.services.b2b import privacy as b2b_privacy
from eventapp.services.counts import waitlist_positions
from eventapp.services.privacy.anonymising import registrations_of_person
from eventapp.services.privacy.retention import retention_ends_at
from eventapp.services.tokens import expires_at


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_PRIVATE_DETAIL_KEYS = ("user", "email", "by", "ip", "password", "token")


def _safe_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """Audit details without anything about other people (staff ids, addresses)."""
    safe = {}
    for key, value in (details or {}).items():
        if any(marker in key.lower() for marker in _PRIVATE_DETAIL_KEYS):
            continue
        if isinstance(value, str):
            value = mask_emails(value)
        elif isinstance(value, list | tuple):
            value = [mask_emails(v) if isinstance(v, str) else v for v in value]
        elif isinstance(value, dict):
            continue
        safe[key] = value
    return safe


def _actor_label(entry: AuditLog) -> str:
    if entry.actor == "user":
        return "organiser"
    return entry.actor


def _answers(registrations) -> dict[int, list[dict[str, Any]]]:
    """Every answer held for them (organiser-only questions included: it is their data), with
    the wording it was given to; a file by its name (it is downloaded from the manage page)."""
    from eventapp.i18n import current_language
    from eventapp.questions.answers import answers_of
    from eventapp.questions.reading import display, specs_for_event

    lang = current_language()
    held = answers_of(registrations)
    out = {}
    for r in registrations:
        specs = {s.question.id: s for s in specs_for_event(r.event, lang)}
        rows = []
        for question_id, answer in sorted(held.get(r.id, {}).items()):
            spec = specs.get(question_id)
            rows.append(
                {
                    "question": spec.identifier if spec else None,
                    "asked": answer.label,
                    "answer": display(spec, answer, lang) if spec else answer.value,
                    "file": answer.file_name,
                    "consent_version": answer.consent_version,
                    "consent_at": _iso(answer.consent_at),
                    "answered_at": _iso(answer.updated_at),
                }
            )
        out[r.id] = rows
    return out


def export_person(registration: Registration, now: datetime | None = None) -> dict[str, Any]:
    """Everything held about the person who holds this manage link, as JSON-ready data: their
    registrations (same e-mail), the audit lines about them (no staff identities), and the
    e-mails sent to them (kind, subject, dates; not bodies)."""
    now = now or utcnow()
    registrations = registrations_of_person(registration)
    ids = [r.id for r in registrations]
    positions = waitlist_positions(registrations)
    audit_rows = db.session.scalars(
        select(AuditLog)
        .where(AuditLog.registration_id.in_(ids))
        .order_by(AuditLog.created_at, AuditLog.id)
    )
    outbox_rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id.in_(ids))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    answers = _answers(registrations)
    b2b = b2b_privacy.export_of(registration.email, ids)
    return {
        "b2b": b2b,
        "generated_at": now.isoformat(),
        "email": registration.email,
        "registrations": [
            {
                "id": r.id,
                "event": {
                    "slug": r.event.slug,
                    "title_fr": r.event.title_fr,
                    "title_en": r.event.title_en,
                    "starts_at": _iso(r.event.starts_at),
                    "ends_at": _iso(r.event.ends_at),
                    "city": r.event.city,
                },
                "first_name": r.first_name,
                "last_name": r.last_name,
                "email": r.email,
                "organisation_name": r.organisation_name,
                "job_title": r.job_title,
                "category": str(r.category),
                "region": str(r.region) if r.region else None,
                "language": r.language,
                "status": str(r.status),
                "waitlist_position": positions.get(r.id),
                "source": str(r.source),
                "ticket_code": r.ticket_code,
                "created_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at),
                "consent_at": _iso(r.consent_at),
                "consent_version": r.consent_version,
                "cancelled_at": _iso(r.cancelled_at),
                "promoted_at": _iso(r.promoted_at),
                "offered_at": _iso(r.offered_at),
                "offer_expires_at": _iso(r.offer_expires_at),
                "reminded_at": _iso(r.reminded_at),
                "checked_in_at": _iso(r.checked_in_at),
                "manage_link_valid_until": _iso(expires_at(r)),
                "anonymised_on_or_after": _iso(retention_ends_at(r.event)),
                "answers": answers.get(r.id, []),
            }
            for r in registrations
        ],
        "history": [
            {
                "at": _iso(entry.created_at),
                "registration_id": entry.registration_id,
                "action": entry.action,
                "by": _actor_label(entry),
                "details": _safe_details(entry.details),
            }
            for entry in audit_rows
        ],
        "emails": [
            {
                "registration_id": message.registration_id,
                "kind": message.kind,
                "subject": message.subject,
                "status": str(message.status),
                "queued_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
            }
            for message in outbox_rows
        ],
    }
