"""A registration question's answer as the workshop sign-up (issue 16: "where the registration
form already asks for a workshop, that answer is the sign-up: one source of truth").

An option of a choice question may be linked to a session with places (`QuestionOption.
session_id`, set from the session's form). Choosing it signs the person up through the
sign-up service (`signups.sign_up`, under the event lock, the one seat rule), without a
waiting list: a full session is a full option, and the form says so. Changing the answer
(the manage page) moves the sign-up: the old session is withdrawn first (its freed place goes
to the next person waiting, as an offer), then the new one is taken. Such a session is
changed through the answer only: the programme page's sign-up and withdraw buttons refuse it.
"""

from __future__ import annotations

from sqlalchemy import select

from eventapp import events as domain_events
from eventapp.extensions import db
from eventapp.models import (
    ProgrammeSession,
    Question,
    QuestionOption,
    Registration,
    RegistrationStatus,
)
from eventapp.services.programme.errors import ProgrammeError

CHOICE_KINDS = ("choice", "multi_choice")


def follow(registration: Registration, spec, before: set[str], after: set[str]) -> None:
    """Make the person's sign-ups follow their answer to `spec`'s question (called by
    questions.answers.save once the answer is written, in its transaction). A refusal (the
    session is full, at the same time as another one taken, closed) fails the whole save
    with the option's message under the question's field."""
    from eventapp.questions.answers import QuestionError
    from eventapp.services.programme import signups

    linked = {o.identifier: o for o in spec.question.options if o.session_id}
    if not linked or before == after:
        return
    removed = [linked[v] for v in sorted(before - after) if v in linked]
    added = [linked[v] for v in sorted(after - before) if v in linked]
    for option in removed:
        session = db.session.get(ProgrammeSession, option.session_id)
        try:
            signups.withdraw(registration, session, via_answer=True)
        except ProgrammeError as error:
            if error.code != ProgrammeError.Code.NOT_SIGNED_UP:
                raise
    # A waiting-list registration holds its answer; it has no place in a workshop before it
    # has one at the event (it takes it once confirmed: `_on_confirmed`).
    if registration.status != RegistrationStatus.CONFIRMED:
        return
    for option in added:
        session = db.session.get(ProgrammeSession, option.session_id)
        label = option.label(spec.lang)
        try:
            signups.sign_up(registration, session, waitlist=False, via_answer=True)
        except ProgrammeError as error:
            if error.code == ProgrammeError.Code.FULL:
                raise QuestionError(
                    QuestionError.Code.OPTION_FULL, field=spec.key, option=label
                ) from None
            if error.code in (ProgrammeError.Code.OVERLAP, ProgrammeError.Code.ALREADY_SIGNED_UP):
                raise ProgrammeError(error.code, field=spec.key, **error.info) from None
            raise QuestionError(
                QuestionError.Code.OPTION_CLOSED, field=spec.key, option=label
            ) from None


@domain_events.subscribe("registration.promoted", phase="before_commit")
@domain_events.subscribe("registration.reconfirmed", phase="before_commit")
def _on_confirmed(event: domain_events.DomainEvent) -> None:
    """A registration confirmed from the event's waiting list takes the workshops its answers
    chose (the event lock is held: the promotion took it), joining a workshop's waiting list
    if it is full meanwhile; a workshop at the same time as one taken, or closed, is left."""
    from eventapp.models import Answer, AnswerChoice
    from eventapp.services.programme import signups

    registration = db.session.get(Registration, event["registration_id"])
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return
    session_ids = db.session.scalars(
        select(QuestionOption.session_id)
        .join(AnswerChoice, AnswerChoice.option_id == QuestionOption.id)
        .join(Answer, Answer.id == AnswerChoice.answer_id)
        .where(Answer.registration_id == registration.id, QuestionOption.session_id.is_not(None))
        .order_by(QuestionOption.session_id)
    ).all()
    for session_id in session_ids:
        try:
            signups.sign_up(
                registration, db.session.get(ProgrammeSession, session_id), via_answer=True
            )
        except ProgrammeError:
            continue


def full_options(options: list[QuestionOption]) -> set[int]:
    """The ids of these workshop options whose session has no place left (one statement)."""
    from eventapp.services.programme.signups import taken_by_session

    session_ids = {o.session_id for o in options}
    limits = dict(
        db.session.execute(
            select(ProgrammeSession.id, ProgrammeSession.seat_limit).where(
                ProgrammeSession.id.in_(session_ids)
            )
        ).all()
    )
    taken = taken_by_session(session_ids)
    return {
        o.id
        for o in options
        if limits.get(o.session_id) is not None
        and taken.get(o.session_id, 0) >= limits[o.session_id]
    }


def option_of(session_id: int) -> tuple[QuestionOption, Question] | None:
    """The registration question's option this session is chosen with, if any."""
    row = db.session.execute(
        select(QuestionOption, Question)
        .join(Question, Question.id == QuestionOption.question_id)
        .where(QuestionOption.session_id == session_id)
    ).first()
    return (row[0], row[1]) if row else None


def option_choices(event) -> list[tuple[int, str]]:
    """The event's choice options a session may be linked to: (option id, "question: option")."""
    rows = db.session.execute(
        select(QuestionOption.id, Question.label_fr, QuestionOption.label_fr)
        .join(Question, Question.id == QuestionOption.question_id)
        .where(Question.event_id == event.id, Question.kind.in_(CHOICE_KINDS))
        .order_by(Question.position, Question.id, QuestionOption.position)
    ).all()
    return [(option_id, f"{question} : {option}") for option_id, question, option in rows]


def link(event, session: ProgrammeSession, option_id: int | None) -> None:
    """Link `session` to the option `option_id` of one of the event's choice questions (None:
    unlink). Refused for another event's option; one option per session, one session per
    option."""
    current = db.session.scalars(
        select(QuestionOption).where(QuestionOption.session_id == session.id)
    ).all()
    if option_id is None:
        for option in current:
            option.session_id = None
        db.session.flush()
        return
    if session.seat_limit is None:
        raise ProgrammeError(ProgrammeError.Code.NO_SIGNUP, field="signup_option")
    option = db.session.get(QuestionOption, option_id)
    question = db.session.get(Question, option.question_id) if option else None
    if question is None or question.event_id != event.id or question.kind not in CHOICE_KINDS:
        raise ProgrammeError(ProgrammeError.Code.UNKNOWN_CHOICE, field="signup_option")
    for other in current:
        if other.id != option.id:
            other.session_id = None
    db.session.flush()
    option.session_id = session.id
    db.session.flush()
