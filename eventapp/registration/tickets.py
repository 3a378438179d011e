"""The participant's ticket, reached with the secret manage token: QR code (PNG) and a
one-page PDF. Only a confirmed registration has a ticket; a cancelled one's is revoked."""

from flask import Response, abort
from flask_babel import gettext as _

from eventapp.i18n import current_language
from eventapp.models import Registration, RegistrationStatus
from eventapp.registration import bp
from eventapp.registration.routes import registration_for_token
from eventapp.services import tickets


def _ticket_registration(token: str) -> Registration:
    registration = registration_for_token(token)
    if registration.status == RegistrationStatus.CANCELLED:
        abort(410, _("This ticket is no longer valid: the registration was cancelled."))
    if not tickets.has_ticket(registration):
        abort(
            404,
            _("There is no ticket yet: it is sent by e-mail as soon as a place is confirmed."),
        )
    return registration


@bp.get("/r/<token>/ticket.png")
def ticket_png(token: str):
    registration = _ticket_registration(token)
    return Response(tickets.png(registration), mimetype="image/png")


@bp.get("/r/<token>/ticket.pdf")
def ticket_pdf(token: str):
    registration = _ticket_registration(token)
    response = Response(tickets.pdf(registration, current_language()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="ticket-{registration.event.slug}.pdf"'
    )
    return response


@bp.app_template_filter("ticket_code")
def ticket_code_filter(code: str) -> str:
    """{{ registration.ticket_code | ticket_code }}: the code in groups of four."""
    return tickets.display_code(code or "")
