"""Forms of the attendee pages: correct a person, add one by hand, cancel, move, go over
capacity."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from eventapp.organiser.forms import LANGUAGE_CHOICES, choices
from eventapp.questions import fields as field_model
from eventapp.questions.forms import build
from eventapp.validators import DataRequired, InputRequired


class OverrideForm(FlaskForm):
    override_capacity = BooleanField(_l("Go over capacity if the event is full"))


class MoveForm(FlaskForm):
    """Move a registration to another event the organiser manages."""

    target = SelectField(_l("Move to"), coerce=int, validators=[InputRequired()])
    # Own ids: the attendee page shows this form beside others with the same field names.
    override_capacity = BooleanField(
        _l("Go over capacity if that event is full"), id="move-override_capacity"
    )
    notify = BooleanField(
        _l("E-mail the person their new registration"), default=True, id="move-notify"
    )


class CancelRegistrationForm(FlaskForm):
    notify = BooleanField(_l("E-mail the person that their registration is cancelled"))


class AttendeeForm(FlaskForm):
    """An organiser's correction of a person: the field model's fields and the event's
    questions, organiser-only ones included (`attendee_form`)."""


class AddAttendeeForm(FlaskForm):
    language = SelectField(_l("Language of the e-mails"), choices=choices(LANGUAGE_CHOICES))
    consent = BooleanField(
        _l("This person asked to be registered and was told how their data is used"),
        validators=[DataRequired()],
    )
    notify = BooleanField(_l("E-mail the confirmation to this person"), default=True)
    override_capacity = BooleanField(_l("Confirm even if the event is full (over capacity)"))


def attendee_form(event, lang, registration=None, **kwargs):
    """The organiser's form of a person of `event`: a new one (with the e-mail) or
    `registration` (filled with its details and answers)."""
    from eventapp.questions import answers as answer_service

    questions = field_model.question_specs([event], lang, audience="organiser")
    if registration is None:
        specs = field_model.person_specs(lang) + questions
        return build(AddAttendeeForm, specs)(**kwargs)
    specs = field_model.person_specs(lang, with_email=False) + questions
    answers = answer_service.answers_of([registration])[registration.id]
    held_options, held_files = answer_service.held(answers, specs)
    form = build(AttendeeForm, specs)(held_options=held_options, held_files=held_files, **kwargs)
    if not form.is_submitted():
        form.fill(answers)
    return form
