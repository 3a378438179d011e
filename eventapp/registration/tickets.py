"""The participant's ticket, reached with the secret manage token: QR code (PNG) and a
one-page PDF. Only a confirmed registration has a ticket; a cancelled one's is revoked."""

from flask import Response, abort
from flask_babel import gettext as _

from eventapp.i18n import current_language
from eventapp.models import Registration, RegistrationStatus
from eventapp.permissions import guard
from eventapp.registration.blueprint import bp
from eventapp.services import tickets


def _ticket_or_abort(registration: Registration) -> None:
    """Only a confirmed registration has a ticket; a cancelled one's is revoked."""
    if registration.status == RegistrationStatus.CANCELLED:
        abort(410, _("This ticket is no longer valid: the registration was cancelled."))
    if not tickets.has_ticket(registration):
        abort(
            404,
            _("There is no ticket yet: it is sent by e-mail as soon as a place is confirmed."),
        )


@bp.get("/r/<token>/ticket.png")
@guard.manage_link
def ticket_png(registration: Registration, token: str):
    _ticket_or_abort(registration)
    return Response(tickets.png(registration), mimetype="image/png")


@bp.get("/r/<token>/ticket.pdf")
@guard.manage_link
def ticket_pdf(registration: Registration, token: str):
    _ticket_or_abort(registration)
    response = Response(tickets.pdf(registration, current_language()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="ticket-{registration.event.slug}.pdf"'
    )
    return response


@bp.app_template_filter("ticket_code")
def ticket_code_filter(code: str) -> str:
    """{{ registration.ticket_code | ticket_code }}: the code in groups of four."""
    return tickets.display_code(code or "")
