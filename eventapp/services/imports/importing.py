"""Keeping an uploaded file until the organiser confirms, then registering its good rows through
services.registrations.register (source=IMPORT) in the caller's single transaction, so a
database failure leaves nothing half-imported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from eventapp import events
from eventapp.extensions import db
from eventapp.models import (
    Event,
    ImportUpload,
    RegistrationSource,
    RegistrationStatus,
    User,
    utcnow,
)
from eventapp.questions import answers as answer_service
from eventapp.questions.forms import Submitted
from eventapp.services import audit
from eventapp.services import registrations as registration_service
from eventapp.services.imports.checking import Preview, check, header_of, header_signature
from eventapp.services.imports.reading import ImportFileError, read_records

KEEP_UNCONFIRMED = timedelta(days=1)


# What each kind of upload is checked with: check(event, records, mapping) -> a preview with
# `.mapping` (the attendees' here; the programme registers its own, services/programme).
CHECKERS: dict[str, Callable] = {"attendees": check}


def register_kind(kind: str, checker: Callable) -> None:
    CHECKERS[kind] = checker


def preview(event: Event, upload: ImportUpload):
    """The upload checked by its kind's checker, with the organiser's mapping."""
    records = read_records(upload.content, upload.filename)
    return CHECKERS[upload.kind or "attendees"](event, records, upload.mapping)


def remembered_mapping(user: User, signature: str, kind: str = "attendees") -> list[str] | None:
    """The mapping this organiser chose last for a file of the same shape and kind (any
    event)."""
    return db.session.scalar(
        select(ImportUpload.mapping)
        .where(
            ImportUpload.user_id == user.id,
            ImportUpload.header_signature == signature,
            ImportUpload.kind == kind,
            ImportUpload.mapping.is_not(None),
        )
        .order_by(ImportUpload.id.desc())
        .limit(1)
    )


def set_mapping(event: Event, upload: ImportUpload, mapping: list[str]):
    """The organiser's mapping of the file's columns (checked at once: a mapping without the
    required columns is refused with the file's message)."""
    records = read_records(upload.content, upload.filename)
    checked = CHECKERS[upload.kind or "attendees"](event, records, mapping)
    upload.mapping = list(checked.mapping)
    db.session.flush()
    return checked


def store_upload(
    event: Event,
    *,
    user: User,
    filename: str,
    content: bytes,
    header: list[str] | None = None,
    kind: str = "attendees",
) -> ImportUpload:
    """Keep the file until the organiser confirms (unconfirmed files of this event older than a
    day are deleted: they hold personal data). A file of a shape this organiser mapped before
    gets that mapping."""
    db.session.execute(
        delete(ImportUpload).where(
            ImportUpload.event_id == event.id,
            ImportUpload.imported_at.is_(None),
            ImportUpload.created_at < utcnow() - KEEP_UNCONFIRMED,
        )
    )
    signature = header_signature(header) if header else None
    upload = ImportUpload(
        event_id=event.id,
        user_id=user.id,
        filename=filename[:255],
        content=content,
        header_signature=signature,
        mapping=remembered_mapping(user, signature, kind) if signature else None,
        kind=kind,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def receive(
    event: Event, *, user: User, filename: str, content: bytes, kind: str = "attendees"
) -> ImportUpload:
    """An uploaded file, read and checked as a whole before it is kept: a file that cannot be
    read, or has no rows, is refused (ImportFileError, 400); columns not recognised are not
    (the organiser maps them on the next screen). Nothing is imported yet."""
    records = read_records(content, filename)
    try:
        CHECKERS[kind](event, records, None)
    except ImportFileError as error:
        if error.code != ImportFileError.Code.MISSING_COLUMNS:
            raise
    return store_upload(
        event,
        user=user,
        filename=filename or "import",
        content=content,
        header=header_of(records),
        kind=kind,
    )


@dataclass
class ImportResult:
    confirmed: int = 0
    waitlisted: int = 0
    skipped: int = 0  # bad rows, or registered meanwhile


def import_upload(
    event: Event,
    upload: ImportUpload,
    *,
    user: User,
    notify: bool,
    consent_version: str,
    checked: Preview | None = None,
) -> ImportResult:
    """Register the good rows through the registration service, in the caller's transaction:
    the caller commits once, or nothing is imported at all. `checked`: the preview the caller
    made of this upload in the same transaction (checked now otherwise); the registration
    service's duplicate check under the lock stays the rule either way."""
    if upload.imported_at is not None:
        raise ImportFileError(ImportFileError.Code.ALREADY_IMPORTED)
    if upload.kind not in (None, "attendees"):
        raise ValueError("not an attendee file")  # a programme upload has its own import
    checked = checked or preview(event, upload)
    result = ImportResult(skipped=len(checked.bad))
    specs = {spec.identifier: spec for spec in checked.questions}
    for row in checked.good:
        outcome = registration_service.register(
            [event],
            row.participant(consent_version),
            source=RegistrationSource.IMPORT,
            user=user,
            notify=notify,
        )[0]
        if outcome.created and row.answers:
            answer_service.save(
                outcome.registration.booking,
                [outcome.registration],
                [
                    Submitted(specs[k], v, specs[k].type.chosen(specs[k], v))
                    for k, v in row.answers.items()
                ],
                user=user,
            )
        if not outcome.created:
            result.skipped += 1
        elif outcome.status == RegistrationStatus.CONFIRMED:
            result.confirmed += 1
        else:
            result.waitlisted += 1
    upload.imported_at = utcnow()
    upload.content = b""  # the rows are registrations now; do not keep a second copy
    audit.record(
        "attendees.imported",
        user=user,
        event_id=event.id,
        upload_id=upload.id,
        confirmed=result.confirmed,
        waitlisted=result.waitlisted,
        skipped=result.skipped,
        notified=notify,
    )
    db.session.flush()
    events.record(
        "attendees.imported",
        event_id=event.id,
        upload_id=upload.id,
        confirmed=result.confirmed,
        waitlisted=result.waitlisted,
        skipped=result.skipped,
    )
    return result
