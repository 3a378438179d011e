"""Continuing-education attendance certificates ("attestation de présence"): a PDF listing the
sessions a participant was seen at (attendance at the session's door) and their hours, signed
with the lead organiser's name. Built with fpdf2 and the badges' embedded font."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.i18n import format_range, localdatetime
from eventapp.models import (
    Event,
    EventOrganiser,
    Organisation,
    OrganiserRole,
    ProgrammeSession,
    Registration,
    utcnow,
)
from eventapp.services import pdf as pdf_blocks
from eventapp.services.programme.attendance import attended
from eventapp.services.programme.errors import ProgrammeError


def hours_of(sessions) -> Decimal:
    """Total hours of `sessions` (published times), rounded half up to 2 decimals."""
    seconds = sum(
        int((s.published_ends_at - s.published_starts_at).total_seconds()) for s in sessions
    )
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def signatory(event: Event) -> str:
    name = db.session.scalar(
        select(Organisation.name)
        .join(EventOrganiser, EventOrganiser.organisation_id == Organisation.id)
        .where(EventOrganiser.event_id == event.id)
        .order_by(EventOrganiser.role != OrganiserRole.LEAD, EventOrganiser.position)
        .limit(1)
    )
    return name or ""


def unavailable(registration: Registration, *, require_ended: bool = True) -> str | None:
    """Why there is no certificate yet (a translated sentence), or None if there is one."""
    if require_ended and not registration.event.has_ended():
        return ProgrammeError(ProgrammeError.Code.NOT_ENDED).message
    if not attended(registration):
        return ProgrammeError(ProgrammeError.Code.NO_ATTENDANCE).message
    return None


def certificate_pdf(registration: Registration, *, require_ended: bool = True) -> bytes:
    """The certificate of `registration`. Refused before the event's end (for the participant)
    and when no attendance was recorded."""
    event = registration.event
    if require_ended and not event.has_ended():
        raise ProgrammeError(ProgrammeError.Code.NOT_ENDED)
    sessions = attended(registration)
    if not sessions:
        raise ProgrammeError(ProgrammeError.Code.NO_ATTENDANCE)
    lang = registration.language or "fr"
    with force_locale(lang):
        return _draw(registration, event, sessions, lang)


def _draw(registration, event, sessions, lang) -> bytes:
    title = _("Attendance certificate")
    with pdf_blocks.pdf_document(title, lang, format="A4") as doc:
        doc.set_auto_page_break(True, margin=20)
        doc.set_margins(20, 20, 20)
        doc.add_page()
        family = pdf_blocks.FONT_FAMILY
        doc.set_font(family, "B", 20)
        doc.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT")
        doc.set_font(family, "", 11)
        doc.ln(4)
        organiser = signatory(event)
        doc.multi_cell(
            0,
            6,
            _(
                "%(organiser)s certifies that %(name)s (%(organisation)s) attended the following "
                "sessions of %(event)s, %(dates)s:",
                organiser=organiser,
                name=registration.full_name,
                organisation=registration.organisation_name or "—",
                event=event.title(lang),
                dates=format_range(event.starts_at, event.ends_at),
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        doc.ln(4)
        with doc.table(col_widths=(60, 90, 20), text_align=("LEFT", "LEFT", "RIGHT")) as table:
            header = table.row()
            for text in (_("When"), _("Session"), _("Hours")):
                header.cell(text)
            for session in sessions:
                row = table.row()
                row.cell(format_range(session.published_starts_at, session.published_ends_at, True))
                row.cell(session.title(lang))
                row.cell(format_decimal(hours_of([session])))
        doc.ln(4)
        doc.set_font(family, "B", 11)
        doc.cell(
            0,
            8,
            _("Total: %(hours)s hours", hours=format_decimal(hours_of(sessions))),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        doc.set_font(family, "", 11)
        doc.ln(8)
        doc.multi_cell(
            0,
            6,
            _(
                "Issued on %(date)s, for %(organiser)s.",
                date=localdatetime(utcnow(), "d MMMM y"),
                organiser=organiser,
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return bytes(doc.output())


def filename(registration: Registration) -> str:
    return f"attestation-{registration.event.slug}.pdf"


def send_all(event: Event, *, actor=None) -> int:
    """E-mail every participant seen at a session of the ended `event` the link to their
    certificate (one mailing, through the outbox; the PDF is built when they open the link).
    Returns how many were e-mailed."""
    from flask import render_template

    from eventapp.helpers import external_url
    from eventapp.models import RegistrationStatus, SessionAttendance
    from eventapp.services import audit, mail

    if not event.has_ended():
        raise ProgrammeError(ProgrammeError.Code.NOT_ENDED)
    seen = (
        select(SessionAttendance.registration_id)
        .join(ProgrammeSession, ProgrammeSession.id == SessionAttendance.session_id)
        .where(
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.published_cancelled.is_(False),
        )
    )
    people = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.id.in_(seen),
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.email.is_not(None),
        )
        .order_by(Registration.id)
    )
    count = 0
    for person in people:
        lang = person.language or "fr"
        with force_locale(lang):
            title = event.title(lang)
            mail.enqueue(
                kind="programme_certificate",
                recipient=person.email,
                subject=_("Your attendance certificate: %(title)s", title=title),
                body_text=render_template(
                    "programme/mail/certificate.txt",
                    registration=person,
                    event_title=title,
                    url=external_url("programme.my_certificate", token=person.manage_token),
                ),
                event_id=event.id,
                registration_id=person.id,
            )
        count += 1
    if not count:
        raise ProgrammeError(ProgrammeError.Code.NO_ATTENDANCE)
    audit.record("programme.certificates_sent", user=actor, event_id=event.id, recipients=count)
    return count
