"""Meeting requests: send, accept, decline, cancel; they expire.

Rules:
- A pending request holds nothing: no slot, no table (the pain b2match's users describe). Only
  an accepted request is scheduled, and only then are contact details shared.
- A person sends at most `B2BSettings.request_limit` open requests (pending or accepted): the
  count and the insert run under the event lock (`lock_event_row`), so two requests sent at the
  same instant cannot both pass the limit.
- One request per pair: none while another between the two is pending or accepted (either
  direction); a declined, cancelled or expired one may be sent again.
- A pending request past `expires_at` is expired: it cannot be accepted and counts nowhere
  (`expire_event` writes the status; every read treats it as expired already).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update

from eventapp import events
from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import (
    B2BParticipant,
    Meeting,
    MeetingRequest,
    RegistrationStatus,
    RequestStatus,
    utcnow,
)
from eventapp.services.b2b import notify, rules
from eventapp.services.b2b.errors import B2BError
from eventapp.services.b2b.profiles import settings_of

OPEN = (RequestStatus.PENDING, RequestStatus.ACCEPTED)
MESSAGE_LENGTH = 500


def open_clause(now=None):
    """Requests that hold the pair and count against the limit: accepted, or pending and not
    past their deadline."""
    now = now or utcnow()
    return or_(
        MeetingRequest.status == RequestStatus.ACCEPTED,
        and_(
            MeetingRequest.status == RequestStatus.PENDING,
            or_(MeetingRequest.expires_at.is_(None), MeetingRequest.expires_at > now),
        ),
    )


def expire_event(event_id: int, now=None) -> int:
    """Write the status of the event's pending requests past their deadline."""
    now = now or utcnow()
    result = db.session.execute(
        update(MeetingRequest)
        .where(
            MeetingRequest.event_id == event_id,
            MeetingRequest.status == RequestStatus.PENDING,
            MeetingRequest.expires_at.is_not(None),
            MeetingRequest.expires_at <= now,
        )
        .values(status=RequestStatus.EXPIRED)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def sent_count(participant: B2BParticipant) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(MeetingRequest)
            .where(MeetingRequest.sender_id == participant.id, open_clause())
        )
        or 0
    )


def send(sender: B2BParticipant, recipient_id: int, message: str = "") -> MeetingRequest:
    event = sender.registration.event
    lock_event_row(event.id)
    settings = settings_of(event)
    if settings is None or not settings.enabled:
        raise B2BError(B2BError.Code.DISABLED)
    if recipient_id == sender.id:
        raise B2BError(B2BError.Code.SELF)
    recipient = db.session.get(B2BParticipant, recipient_id)
    if (
        recipient is None
        or recipient.event_id != sender.event_id
        or recipient.registration.status != RegistrationStatus.CONFIRMED
    ):
        raise B2BError(B2BError.Code.UNKNOWN_PERSON)
    if not rules.may_request(settings, sender.profile.category, recipient.profile.category):
        raise B2BError(B2BError.Code.CATEGORY_DENIED)
    now = utcnow()
    expire_event(event.id, now)
    between = db.session.scalars(
        select(MeetingRequest).where(
            or_(
                and_(
                    MeetingRequest.sender_id == sender.id,
                    MeetingRequest.recipient_id == recipient.id,
                ),
                and_(
                    MeetingRequest.sender_id == recipient.id,
                    MeetingRequest.recipient_id == sender.id,
                ),
            )
        )
    ).all()
    if any(r.status in OPEN for r in between):
        raise B2BError(B2BError.Code.ALREADY_ASKED)
    if sent_count(sender) >= settings.request_limit:
        raise B2BError(B2BError.Code.REQUEST_LIMIT, limit=settings.request_limit)
    request = next((r for r in between if r.sender_id == sender.id), None)
    if request is None:
        request = MeetingRequest(event_id=event.id, sender_id=sender.id, recipient_id=recipient.id)
        db.session.add(request)
    request.status = RequestStatus.PENDING
    request.message = (message or "").strip()[:MESSAGE_LENGTH]
    request.created_at = now
    request.answered_at = None
    hours = settings.request_expiry_hours
    request.expires_at = now + timedelta(hours=hours) if hours else None
    db.session.flush()
    notify.request_received(request)
    events.record("b2b.request_sent", event_id=event.id, request_id=request.id)
    return request


def _own_pending(participant: B2BParticipant, request_id: int) -> MeetingRequest:
    lock_event_row(participant.event_id)
    expire_event(participant.event_id)
    request = db.session.get(MeetingRequest, request_id)
    if request is None or request.recipient_id != participant.id:
        raise B2BError(B2BError.Code.NOT_YOURS)
    db.session.refresh(request)
    if request.status != RequestStatus.PENDING:
        raise B2BError(B2BError.Code.NOT_PENDING)
    return request


def accept(
    participant: B2BParticipant, request_id: int, slot_id: int | None = None
) -> MeetingRequest:
    """The recipient accepts: contact details are shared. The meeting gets a slot when the
    organiser schedules (or at once, in the first common free slot, once the schedule is
    published: `scheduling.place_late`); in the self-pick mode, in the slot the recipient
    picks (`scheduling.place_picked`, under the same lock: refused if either is busy then)."""
    from eventapp.services.b2b import scheduling

    request = _own_pending(participant, request_id)
    settings = settings_of(participant.registration.event)
    self_pick = settings is not None and settings.slot_mode == rules.SELF_PICK
    if self_pick and slot_id is None:
        raise B2BError(B2BError.Code.PICK_SLOT, field="slot")
    request.status = RequestStatus.ACCEPTED
    request.answered_at = utcnow()
    db.session.flush()
    if self_pick:
        scheduling.place_picked(request, slot_id)
    notify.request_answered(request)
    events.record("b2b.request_accepted", event_id=request.event_id, request_id=request.id)
    if not self_pick and settings is not None and settings.published_at is not None:
        scheduling.place_late(request)
    return request


def decline(participant: B2BParticipant, request_id: int) -> MeetingRequest:
    request = _own_pending(participant, request_id)
    request.status = RequestStatus.DECLINED
    request.answered_at = utcnow()
    db.session.flush()
    notify.request_answered(request)
    events.record("b2b.request_declined", event_id=request.event_id, request_id=request.id)
    return request


def cancel(participant: B2BParticipant, request_id: int) -> MeetingRequest:
    """Either of the two withdraws a pending or accepted request; its meeting goes with it."""
    lock_event_row(participant.event_id)
    request = db.session.get(MeetingRequest, request_id)
    if request is None or participant.id not in (request.sender_id, request.recipient_id):
        raise B2BError(B2BError.Code.NOT_YOURS)
    db.session.refresh(request)
    if request.status not in OPEN:
        raise B2BError(B2BError.Code.NOT_PENDING)
    meeting = db.session.scalar(select(Meeting).where(Meeting.request_id == request.id))
    was_scheduled = meeting is not None
    if meeting is not None:
        db.session.delete(meeting)
    request.status = RequestStatus.CANCELLED
    request.answered_at = utcnow()
    db.session.flush()
    if was_scheduled or request.status == RequestStatus.ACCEPTED:
        notify.request_cancelled(request, by=participant)
    events.record("b2b.request_cancelled", event_id=request.event_id, request_id=request.id)
    return request


def of_participant(participant: B2BParticipant) -> dict[str, list[MeetingRequest]]:
    """The participant's requests, received and sent, newest first (one query)."""
    from sqlalchemy.orm import joinedload

    from eventapp.models import NetworkProfile  # noqa: F401 - joined below

    rows = db.session.scalars(
        select(MeetingRequest)
        .where(
            or_(
                MeetingRequest.sender_id == participant.id,
                MeetingRequest.recipient_id == participant.id,
            )
        )
        .options(
            joinedload(MeetingRequest.sender).joinedload(B2BParticipant.profile),
            joinedload(MeetingRequest.sender).joinedload(B2BParticipant.registration),
            joinedload(MeetingRequest.recipient).joinedload(B2BParticipant.profile),
            joinedload(MeetingRequest.recipient).joinedload(B2BParticipant.registration),
        )
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
    ).all()
    now = utcnow()
    for row in rows:  # what the page shows; the row is written by the next expire_event
        expired = row.status == RequestStatus.PENDING and row.expires_at and row.expires_at <= now
        row.shown_status = RequestStatus.EXPIRED if expired else row.status
    return {
        "received": [r for r in rows if r.recipient_id == participant.id],
        "sent": [r for r in rows if r.sender_id == participant.id],
    }
