"""Forms of the participant's pages. Every field is validated on the server; lengths match the
database columns so nothing is ever truncated or refused by the database."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from eventapp.questions import fields as field_model
from eventapp.questions.forms import build
from eventapp.questions.types import MultiCheckboxField


class Email:
    """Syntax check with email-validator, without any DNS or network lookup; the normalised
    address replaces what was typed."""

    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        try:
            result = validate_email(value, check_deliverability=False)
        except EmailNotValidError as error:
            raise ValidationError(
                _l("Enter a valid e-mail address, like name@example.org.")
            ) from error
        field.data = result.normalized


def _strip(value):
    return value.strip() if isinstance(value, str) else value


NAME_REQUIRED = _l("This field is required.")


class RegistrationForm(FlaskForm):
    """The sign-up form's own inputs; the person's fields and the event's questions are added
    from the field model (eventapp/questions: `registration_form`)."""

    stages = MultiCheckboxField(_l("Stages"), coerce=int, validate_choice=True)
    consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that my data is used to manage my "
            "registration."
        ),
        validators=[DataRequired(_l("Your agreement is needed to register."))],
    )
    # Honeypot: hidden from people by CSS (class "hp"), bots fill it in. Never an inline style.
    homepage = StringField(
        _l("Leave this field empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    submit = SubmitField(_l("Register"))

    def __init__(self, *args, stage_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stage_choices is None:
            del self.stages
        else:
            self.stages.choices = [SelectChoice(value, label) for value, label in stage_choices]

    def validate_stages(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one stage."))


class DetailsForm(FlaskForm):
    """The manage page's corrections (the e-mail is the registration's key: not editable); the
    fields come from the field model (`details_form`)."""

    submit = SubmitField(_l("Save the corrections"))


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Yes, cancel my registration"))


class ResendLinkForm(FlaskForm):
    email = EmailField(
        _l("E-mail used to register"),
        filters=[_strip],
        validators=[DataRequired(NAME_REQUIRED), Length(max=254), Email()],
        render_kw={"autocomplete": "email", "maxlength": 254, "spellcheck": "false"},
    )
    submit = SubmitField(_l("E-mail me my link"))


class AddStagesForm(FlaskForm):
    """The booking page's "add a stage": the tour's open stages not booked yet."""

    stages = MultiCheckboxField(_l("Stages"), coerce=int, validate_choice=True)
    submit = SubmitField(_l("Add to my booking"))

    def __init__(self, *args, stage_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stages.choices = [SelectChoice(value, label) for value, label in stage_choices]

    def validate_stages(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one stage."))


def registration_form(event, lang, stage_events=None, **kwargs):
    """The sign-up form of `event` (a tour: its `stage_events` open for sign-up, each stage's
    own questions asked only for the stages chosen)."""
    if event.is_tour:
        questions = field_model.question_specs(
            stage_events or [], lang, tour=event, stage_form=True
        )
    else:
        questions = field_model.question_specs([event], lang)
    specs = field_model.person_specs(lang) + questions
    return build(RegistrationForm, specs)(**kwargs)


def details_form(registrations, lang, **kwargs):
    """The manage and booking pages' form for one person: their fields but the e-mail, and
    the questions of the events they hold (a tour's once), filled with their answers."""
    from eventapp.questions import answers as answer_service

    live = [r for r in registrations if r.is_live] or list(registrations)
    specs = field_model.person_specs(lang, with_email=False) + field_model.question_specs(
        [r.event for r in live], lang
    )
    answers = {}
    for per_registration in answer_service.answers_of(live).values():
        answers.update(per_registration)
    held_options, held_files = answer_service.held(answers, specs)
    form = build(DetailsForm, specs)(held_options=held_options, held_files=held_files, **kwargs)
    if kwargs.get("formdata", True) is None or not form.is_submitted():
        form.fill(answers)
    return form
