"""E-mail through an outbox: a message is a row written in the same transaction as the change it
reports, so a registration is never lost because a mail server is down, and the outbox, not
the job queue, is the source of truth.

Sending never happens in a web request (`send_ids` refuses to). After the transaction that
queued messages commits, `_committed` hands their ids to the `mail.send` job
(eventapp/jobs/tasks.py), MAIL_BATCH_SIZE per job, which eventapp/jobs/dispatch.py publishes once
the request's response has been sent (or at the end of `write_transaction()`, a job, a CLI
command); a worker runs it. A message whose job was lost (broker restarted, worker killed) is
found again by the periodic sweep (`due_for_sweep`), and `flask --app eventapp mail
send-pending` sends everything still to send by hand.

Each send first claims the row (pending/failed, or sending for longer than
MAIL_STALE_SENDING_SECONDS -> sending, attempts + 1) in its own short transaction, reads and
sends in a read-only one and records the result in a third, so two senders never send the same
message and the database write lock is never held during SMTP. A row left "sending" by a worker
killed mid-send is claimed again once stale; the worker kills a send job after
MAIL_SEND_TIME_LIMIT (+5 s), which the stale timeout exceeds, so a live job's message is never
claimed twice. A message is sent twice only if its worker dies between the mail server's
acceptance and the write that records it.

A registration e-mail is queued with its subject and a reference (`{"deferred":
"registration", "status": ...}`); its body is rendered and its attachments (calendar file,
ticket) are built when it is sent, by `send_ids`. Inside the transaction, rendering and
drawing files would hold the seat lock (on SQLite, the whole database) for a registration
rush's every submission. The body shows the registration's status as it was when queued; the
attachments follow the registration as it is when sent (no calendar entry or ticket for a seat
cancelled meanwhile). The rendered body is kept on the row once sent.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import re
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import and_, inspect, or_, select, update
from sqlalchemy import event as sa_event

from eventapp.database import end_read, own_transaction, read_only
from eventapp.extensions import db, mail
from eventapp.jobs import dispatch
from eventapp.models import (
    Mailing,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)
from eventapp.services.counts import waitlist_position

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# The job that sends messages (eventapp/jobs/tasks.py): its argument is a list of message ids.
SEND_JOB = "mail.send"
# A failed message is tried again by the sweep this long after its n-th attempt: 1, 2, 4 ... 64
# minutes (about two hours in all before it stays failed).
RETRY_AFTER = [timedelta(minutes=2 ** (n - 1)) for n in range(1, MAX_ATTEMPTS)]
_NEW = "outbox_new"


# Any run of white space but the French no-break spaces (before « : » and « ; ! ? ») is one space.
_HEADER_SPACE = re.compile(r"[^\S\u00a0\u202f]+")


def one_line(subject: str) -> str:
    """A subject on one header line: no CR/LF (no header injection), French spacing kept."""
    return _HEADER_SPACE.sub(" ", subject).strip()


def enqueue(
    *,
    kind: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    attachments: Iterable[tuple[str, str, bytes]] = (),
    event_id: int | None = None,
    registration_id: int | None = None,
    mailing_id: int | None = None,
    deferred: dict | None = None,
    registration: Registration | None = None,
    references: Iterable[dict] = (),
) -> OutboxMessage:
    """Queue a message in the caller's transaction. attachments: (filename, mimetype, bytes);
    deferred: the reference of a registration e-mail built when sent (notify_registration).
    registration: instead of registration_id, for one not flushed yet. references: stored files
    attached when sent ({"ref": name, ...}, see `attachment_reference`). Nothing is flushed here:
    the message is written with the transaction's next flush (its id is known after it)."""
    stored = [
        {
            "filename": filename,
            "mimetype": mimetype,
            "content": base64.b64encode(content).decode("ascii"),
        }
        for filename, mimetype, content in attachments
    ]
    stored.extend(dict(item) for item in references)
    if deferred is not None:
        if registration_id is None and registration is None:
            raise ValueError("a deferred e-mail is a registration's")
        stored.append({"deferred": DEFERRED_REGISTRATION, **deferred})
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=one_line(subject),
        body_text=body_text,
        body_html=body_html,
        attachments=stored,
        event_id=event_id,
        registration_id=registration_id,
        mailing_id=mailing_id,
    )
    if registration is not None:
        message.registration = registration
    db.session.add(message)
    db.session.info.setdefault(_NEW, []).append(message)
    return message


# Attachment builders: functions (registration, kind) -> list of (filename, mimetype, bytes).
# Features register theirs (calendar file, ticket) with `attachment_builder`; they run when the
# message is sent (see the module docstring).
_ATTACHMENT_BUILDERS = []
DEFERRED_REGISTRATION = "registration"


def attachment_builder(func):
    _ATTACHMENT_BUILDERS.append(func)
    return func


# More for a registration e-mail's body, from a feature: builder(registration, kind) -> dict of
# template values (the programme's "My programme": services/programme/agenda_mail.py).
_CONTEXT_BUILDERS = []


def context_builder(func):
    _CONTEXT_BUILDERS.append(func)
    return func


def extra_context(registration: Registration, kind: str) -> dict:
    """The features' template values for this registration's e-mail of `kind`."""
    context = {}
    for builder in _CONTEXT_BUILDERS:
        context |= builder(registration, kind)
    return context


# Files kept elsewhere (a mailing's PDF, in the database once for all its recipients): an outbox
# row holds {"ref": name, ...}; the resolver registered for `name` returns the files when sent.
_REFERENCE_RESOLVERS = {}


def attachment_reference(name: str):
    def register(func):
        _REFERENCE_RESOLVERS[name] = func
        return func

    return register


def _context(registration: Registration, kind: str) -> dict:
    from eventapp.helpers import external_url

    return {
        "registration": registration,
        "event": registration.event,
        "kind": kind,
        "lang": registration.language or "fr",
        "manage_url": external_url("registration.manage", token=registration.manage_token),
        "accept_url": external_url("registration.offer_accept", token=registration.manage_token),
        "decline_url": external_url("registration.offer_decline", token=registration.manage_token),
    }


def notify_registration(registration: Registration, kind: str) -> OutboxMessage | None:
    """Queue the e-mail telling a participant about their registration, in their language
    (the body is rendered when it is sent: see the module docstring).

    kind: confirmed, waitlisted, promoted, cancelled, reminder_link (the manage link again,
    for a duplicate submission), event_cancelled, offer (a freed seat held until the offer's
    deadline, with accept/decline links: services/offers), offer_expired, reminder (before the
    event, with the tickets: services/reminders).
    """
    if not registration.email:
        return None
    reference = {"status": str(registration.status)}
    if kind == "offer" and registration.offer_expires_at is not None:
        reference["until"] = registration.offer_expires_at.isoformat()
    lang = registration.language or "fr"
    with force_locale(lang):
        subject = registration_subject(kind, registration.event.title(lang))
    return enqueue(
        kind=f"registration.{kind}",
        recipient=registration.email,
        subject=subject,
        body_text="",
        event_id=registration.event_id,
        registration=registration,
        deferred=reference,
    )


def registration_subject(kind: str, title: str) -> str:
    if kind in ("confirmed", "promoted"):
        return _("Registration confirmed: %(event)s", event=title)
    if kind == "waitlisted":
        return _("Waiting list: %(event)s", event=title)
    if kind == "cancelled":
        return _("Registration cancelled: %(event)s", event=title)
    if kind == "event_cancelled":
        return _("Event cancelled: %(event)s", event=title)
    if kind == "offer":
        return _("A place is free for you: %(event)s (please answer)", event=title)
    if kind == "offer_expired":
        return _("Offer expired: %(event)s", event=title)
    if kind == "reminder":
        return _("Reminder: %(event)s is coming soon", event=title)
    return _("Your registration link: %(event)s", event=title)


class _AsQueued:
    """A registration seen with the status it had when its e-mail was queued."""

    def __init__(self, registration: Registration, status: RegistrationStatus):
        self._registration = registration
        self.status = status

    def __getattr__(self, name):
        return getattr(self._registration, name)


def _deferred_reference(message: OutboxMessage) -> dict | None:
    for item in message.attachments or []:
        if item.get("deferred") == DEFERRED_REGISTRATION:
            return item
    return None


# Deferred e-mails about something larger than one registration (a booking: services/bookings)
# name their builder in the reference: {"builder": name} -> function(message, reference).
_DEFERRED_BUILDERS = {}


def deferred_builder(name: str):
    def register(func):
        _DEFERRED_BUILDERS[name] = func
        return func

    return register


def build_registration_mail(message: OutboxMessage) -> tuple[str, str, list]:
    """(body_text, body_html, attachments) of a deferred registration e-mail. Raises
    LookupError if its registration is gone or erased (such mail is never sent)."""
    builder = _DEFERRED_BUILDERS.get((_deferred_reference(message) or {}).get("builder"))
    if builder is not None:
        return builder(message, _deferred_reference(message))
    registration = (
        db.session.get(Registration, message.registration_id) if message.registration_id else None
    )
    if registration is None or not registration.email:
        raise LookupError("the registration of this e-mail no longer exists")
    reference = _deferred_reference(message) or {}
    kind = message.kind.removeprefix("registration.")
    queued = _AsQueued(
        registration, RegistrationStatus(reference.get("status") or registration.status)
    )
    with force_locale(registration.language or "fr"):
        files = []
        for builder in _ATTACHMENT_BUILDERS:
            files.extend(builder(registration, kind))
        attached = {mimetype for _name, mimetype, _content in files}
        waiting = queued.status == RegistrationStatus.WAITLISTED
        context = _context(registration, kind) | {
            "registration": queued,
            "position": waitlist_position(queued) if waiting else None,
            "offer_until": datetime.fromisoformat(reference["until"])
            if reference.get("until")
            else None,
            # The text says what is attached only when it is (the builders decide).
            "has_calendar": "text/calendar" in attached,
            "has_ticket": "application/pdf" in attached,
        }
        context |= extra_context(registration, kind)
        body_text = message.body_text or render_template("mail/registration.txt", **context)
        body_html = message.body_html or render_template("mail/registration.html", **context)
    return body_text, body_html, files


def _stale_before():
    return utcnow() - timedelta(seconds=current_app.config["MAIL_STALE_SENDING_SECONDS"])


def _claim(message_id: int) -> bool:
    """pending/failed (or stale sending) -> sending, in its own transaction: committed before
    the mail server is called, so no other worker sends it meanwhile."""
    stale = _stale_before()
    with own_transaction():
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.attempts < MAX_ATTEMPTS,
                or_(
                    OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]),
                    (OutboxMessage.status == OutboxStatus.SENDING)
                    & (OutboxMessage.updated_at < stale),
                ),
            )
            .values(
                status=OutboxStatus.SENDING,
                attempts=OutboxMessage.attempts + 1,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


def _build(message: OutboxMessage) -> tuple[EmailMultiAlternatives, dict]:
    """The e-mail to send (its connection is set by the sender), and what to store on the row
    once sent (a deferred body)."""
    body_text, body_html, files, rendered = message.body_text, message.body_html, [], {}
    if _deferred_reference(message) is not None:
        body_text, body_html, files = build_registration_mail(message)
        rendered = {"body_text": body_text, "body_html": body_html}
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=body_text,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[message.recipient],
        reply_to=_reply_to(message),
    )
    if body_html:
        email.attach_alternative(body_html, "text/html")
    for item in message.attachments or []:
        if "content" in item:
            email.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
        elif "ref" in item:
            files.extend(_REFERENCE_RESOLVERS[item["ref"]](item))
    for filename, mimetype, content in files:
        email.attach(filename, content, mimetype)
    return email, rendered


# SMTP answers that refuse the recipient's address for good (RFC 5321: mailbox unavailable or
# unknown, not local, over quota for good, name not allowed). A 4xx is temporary (retried).
PERMANENT_RECIPIENT_CODES = frozenset({550, 551, 552, 553, 554})


def is_permanent_failure(error: BaseException) -> bool:
    """Whether a send failed because the address is refused for good (retrying cannot help):
    every recipient refused with a 5xx, or a 55x answer to the recipient or the data. A refused
    sender (our configuration) and connection errors are temporary: retried."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code in PERMANENT_RECIPIENT_CODES for code in codes)
    if isinstance(error, smtplib.SMTPSenderRefused):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code in PERMANENT_RECIPIENT_CODES
    return False


def _reply_to(message: OutboxMessage) -> list[str] | None:
    """An organiser's message is answered to the organiser who wrote it (the sender address is
    the platform's, where replies were lost)."""
    if message.mailing_id is None:
        return None
    address = db.session.scalar(
        select(User.email)
        .join(Mailing, Mailing.created_by_id == User.id)
        .where(Mailing.id == message.mailing_id)
    )
    return [address] if address else None


def _close_quietly(connection) -> None:
    # A connection that just failed may fail again on close; the error is already recorded.
    with contextlib.suppress(Exception):
        connection.close()


def send_ids(message_ids: Iterable[int]) -> tuple[int, int]:
    """Send the given outbox messages (those still to send). Returns (sent, failed). Never in
    a web request: the participant would wait for the mail server (RuntimeError)."""
    if has_request_context():
        raise RuntimeError("SMTP inside a web request: enqueue the mail.send job instead")
    sent = failed = 0
    connection = None
    try:
        for message_id in message_ids:
            if not _claim(message_id):
                continue
            with read_only():  # no write lock while rendering and talking to the server
                message = db.session.get(OutboxMessage, message_id, populate_existing=True)
                try:
                    email, result = _build(message)
                    if connection is None:
                        connection = mail.get_connection(fail_silently=False)
                        connection.open()
                    email.connection = connection
                    email.send()
                except Exception as error:  # noqa: BLE001 - any error keeps it queued
                    permanent = is_permanent_failure(error)
                    result = {
                        # Refused for good: not retried; the organiser sees it on the
                        # person's page and the list (correct the address and resend).
                        "status": OutboxStatus.BOUNCED if permanent else OutboxStatus.FAILED,
                        "last_error": f"{type(error).__name__}: {error}"[:1000],
                    }
                    failed += 1
                    log.warning("mail %s not sent (%s)", message_id, type(error).__name__)
                    if connection is not None:
                        _close_quietly(connection)
                        connection = None
                else:
                    result |= {"status": OutboxStatus.SENT, "sent_at": utcnow(), "last_error": None}
                    sent += 1
                end_read()  # the rendering's reads
            with own_transaction():  # the outcome, whatever becomes of the next message
                db.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id)
                    .values(**result, updated_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
    finally:
        if connection is not None:
            _close_quietly(connection)
    return sent, failed


def send_pending(limit: int = 1000) -> tuple[int, int]:
    """Retry everything still to send (pending, failed below MAX_ATTEMPTS, stale sending)."""
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status != OutboxStatus.SENT,
                OutboxMessage.attempts < MAX_ATTEMPTS,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    end_read()
    return send_ids(ids)


def due_for_sweep(limit: int = 1000) -> list[int]:
    """The messages the periodic sweep sends again: pending for longer than
    OUTBOX_SWEEP_GRACE_SECONDS (their job was lost, or never published), failed once their
    RETRY_AFTER delay has passed, and sending for longer than MAIL_STALE_SENDING_SECONDS
    (their worker died mid-send). Oldest first."""
    now = utcnow()
    grace = timedelta(seconds=current_app.config["OUTBOX_SWEEP_GRACE_SECONDS"])
    status, changed = OutboxMessage.status, OutboxMessage.updated_at
    retry_failed = or_(
        *(
            and_(OutboxMessage.attempts == n, changed < now - delay)
            for n, delay in enumerate(RETRY_AFTER, start=1)
        )
    )
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.attempts < MAX_ATTEMPTS,
                or_(
                    and_(status == OutboxStatus.PENDING, changed < now - grace),
                    and_(status == OutboxStatus.FAILED, retry_failed),
                    and_(status == OutboxStatus.SENDING, changed < _stale_before()),
                ),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    end_read()
    return ids


def _committed(sess):
    new = sess.info.pop(_NEW, [])
    ids = [key[0] for key in (inspect(message).identity for message in new) if key]
    if ids and current_app.config.get("MAIL_SEND_ON_COMMIT"):
        size = current_app.config["MAIL_BATCH_SIZE"]
        for start in range(0, len(ids), size):
            dispatch.after_commit(SEND_JOB, ids[start : start + size])


def _rolled_back(sess):
    sess.info.pop(_NEW, None)


def init_app(app) -> None:
    # db.session is shared by every app built in this process: listen once.
    if not sa_event.contains(db.session, "after_commit", _committed):
        sa_event.listen(db.session, "after_commit", _committed)
        sa_event.listen(db.session, "after_rollback", _rolled_back)
