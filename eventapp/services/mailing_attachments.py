"""The PDF an organiser attaches to a mailing: checked (a PDF, not empty, at most
MAILING_ATTACHMENT_MAX_BYTES), stored in the database (never under static/, never served
publicly), attached to each message when it is sent (the outbox rows hold a reference, not 500
copies), and deleted by the retention run (`purge`): a day after its upload while no mailing
uses it, MAILING_ATTACHMENT_DAYS after its mailing went out (or was cancelled)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from eventapp.extensions import db
from eventapp.models import Event, Mailing, MailingAttachment, User, utcnow
from eventapp.services import mail as mail_service
from eventapp.services.errors import ServiceError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_DAYS = 30
DRAFT_HOURS = 24
REFERENCE = "mailing_attachment"


class AttachmentError(ServiceError):
    """The attached file is refused; `code` says why."""

    kind = "mailing_attachment"

    class Code(StrEnum):
        NOT_PDF = "not_pdf"
        EMPTY = "empty"
        TOO_LARGE = "too_large"

    MESSAGES = {
        Code.NOT_PDF: _l("The attachment must be a PDF file."),
        Code.EMPTY: _l("The attached file is empty."),
        Code.TOO_LARGE: _l("The attachment is too large (%(limit)s MB at most)."),
    }
    STATUS = {Code.NOT_PDF: 422, Code.EMPTY: 422, Code.TOO_LARGE: 422}


def max_bytes() -> int:
    return int(current_app.config.get("MAILING_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def retention_days() -> int:
    return int(current_app.config.get("MAILING_ATTACHMENT_DAYS", DEFAULT_DAYS))


def safe_filename(name: str) -> str:
    """A plain file name for the e-mail header: no path, no control characters, ending .pdf."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[\"<>:|?*]", "", name).strip(" .") or "document"
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    return stem[:120] + ".pdf"


def check(filename: str, data: bytes) -> None:
    """Refuse what is not a PDF (by its content, not its name), an empty file or a file over
    the limit."""
    if not data:
        raise AttachmentError(AttachmentError.Code.EMPTY, field="attachment")
    if len(data) > max_bytes():
        raise AttachmentError(
            AttachmentError.Code.TOO_LARGE,
            field="attachment",
            limit=f"{max_bytes() / (1024 * 1024):g}",
        )
    # A PDF starts with its header (within the first KiB, as readers accept) and has an
    # end-of-file marker near its end.
    if b"%PDF-" not in data[:1024] or b"%%EOF" not in data[-2048:]:
        raise AttachmentError(AttachmentError.Code.NOT_PDF, field="attachment")


def store(event: Event, user: User, filename: str, data: bytes) -> MailingAttachment:
    """Keep an uploaded PDF for the mailing being written (a draft: deleted after a day unless
    a mailing uses it)."""
    check(filename, data)
    attachment = MailingAttachment(
        event_id=event.id,
        user_id=user.id,
        filename=safe_filename(filename),
        size=len(data),
        content=data,
        expires_at=utcnow() + timedelta(hours=DRAFT_HOURS),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def for_event(event: Event, attachment_id: int | None) -> MailingAttachment | None:
    """The event's attachment with this id (None for another event's or a deleted one)."""
    if not attachment_id:
        return None
    attachment = db.session.get(MailingAttachment, attachment_id)
    if attachment is None or attachment.event_id != event.id:
        return None
    return attachment


def keep_until(attachment: MailingAttachment, moment: datetime) -> None:
    """The file is kept MAILING_ATTACHMENT_DAYS after `moment` (the mailing's sending)."""
    attachment.expires_at = moment + timedelta(days=retention_days())


def reference(attachment: MailingAttachment) -> dict:
    """What an outbox row stores instead of the file (resolved when sent, by `_resolve`)."""
    return {"ref": REFERENCE, "id": attachment.id}


@mail_service.attachment_reference(REFERENCE)
def _resolve(item: dict) -> list[tuple[str, str, bytes]]:
    attachment = db.session.get(MailingAttachment, item.get("id"))
    if attachment is None:
        # Deleted by the retention run before this message could go out: refuse to send a
        # message that promises a file it no longer has.
        raise LookupError("the attachment of this message was deleted")
    return [(attachment.filename, "application/pdf", attachment.content)]


def purge(now: datetime | None = None) -> int:
    """Delete the attachments past their expiry (the mailings keep the file's name)."""
    now = now or utcnow()
    ids = list(
        db.session.scalars(select(MailingAttachment.id).where(MailingAttachment.expires_at < now))
    )
    if not ids:
        return 0
    db.session.execute(
        Mailing.__table__.update().where(Mailing.attachment_id.in_(ids)).values(attachment_id=None)
    )
    db.session.execute(delete(MailingAttachment).where(MailingAttachment.id.in_(ids)))
    return len(ids)
