"""Files answered to a question, served to the organisers of that event and to the participant
(their manage or booking link) only, never from static/: the bytes are in the database."""

from __future__ import annotations

from flask import Response, abort
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Answer, Booking, Registration
from eventapp.permissions import Perm, guard
from eventapp.questions.blueprint import bp


def _file_response(answer: Answer | None) -> Response:
    if answer is None or not answer.file_name:
        abort(404)
    data = db.session.scalar(select(Answer.file_data).where(Answer.id == answer.id))
    if data is None:
        abort(404)
    response = Response(data, mimetype=answer.file_type or "application/octet-stream")
    safe = answer.file_name.replace('"', "")
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _answer_of(registration: Registration, question_id: int) -> Answer | None:
    return db.session.scalar(
        select(Answer).where(
            Answer.question_id == question_id,
            (Answer.registration_id == registration.id)
            | (Answer.registration_id.is_(None) & (Answer.booking_id == registration.booking_id)),
        )
    )


@bp.get("/organiser/events/<id:event_id>/attendees/<id:registration_id>/files/<id:question_id>")
@guard.registration(Perm.ATTENDEES_VIEW)
def attendee_file(event, registration, question_id: int):
    return _file_response(_answer_of(registration, question_id))


@bp.get("/r/<token>/files/<id:question_id>")
@guard.manage_link
def manage_file(registration: Registration, token: str, question_id: int):
    return _file_response(_answer_of(registration, question_id))


@bp.get("/b/<token>/files/<id:question_id>")
@guard.booking_link
def booking_file(booking: Booking, token: str, question_id: int):
    answer = db.session.scalar(
        select(Answer).where(Answer.question_id == question_id, Answer.booking_id == booking.id)
    )
    return _file_response(answer)
