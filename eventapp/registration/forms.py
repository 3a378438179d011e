"""Forms of the participant's pages. Every field is validated on the server; lengths match the
database columns so nothing is ever truncated or refused by the database."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.models import ActorCategory, Region


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (rendered as a fieldset by macros/forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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


def _single_line(form, field):
    if field.data and any(ord(ch) < 32 for ch in field.data):
        raise ValidationError(_l("Use a single line without special characters."))


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose…"))] + [SelectChoice(v, label) for v, label in pairs]


NAME_REQUIRED = _l("This field is required.")


class DetailsFields(FlaskForm):
    """The fields a participant may correct later (shared by the sign-up and manage forms)."""

    first_name = StringField(
        _l("First name"),
        filters=[_strip],
        validators=[DataRequired(NAME_REQUIRED), Length(max=100), _single_line],
        render_kw={"autocomplete": "given-name", "maxlength": 100},
    )
    last_name = StringField(
        _l("Last name"),
        filters=[_strip],
        validators=[DataRequired(NAME_REQUIRED), Length(max=100), _single_line],
        render_kw={"autocomplete": "family-name", "maxlength": 100},
    )
    organisation_name = StringField(
        _l("Organisation"),
        filters=[_strip],
        validators=[DataRequired(NAME_REQUIRED), Length(max=200), _single_line],
        render_kw={"autocomplete": "organization", "maxlength": 200},
    )
    job_title = StringField(
        _l("Job title"),
        filters=[_strip],
        validators=[Optional(), Length(max=200), _single_line],
        render_kw={"autocomplete": "organization-title", "maxlength": 200},
    )
    category = SelectField(
        _l("You are"),
        choices=choices(ActorCategory.choices()),
        validators=[InputRequired(_l("Choose the category that fits you best."))],
    )
    region = SelectField(
        _l("Your region"),
        choices=choices(Region.choices()),
        validators=[InputRequired(_l("Choose your region (or “Outside France”)."))],
    )


class RegistrationForm(DetailsFields):
    email = EmailField(
        _l("E-mail"),
        filters=[_strip],
        validators=[DataRequired(NAME_REQUIRED), Length(max=254), Email()],
        render_kw={"autocomplete": "email", "maxlength": 254, "spellcheck": "false"},
    )
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


class DetailsForm(DetailsFields):
    """The manage page's corrections (the e-mail is the registration's key: not editable)."""

    submit = SubmitField(_l("Save the corrections"))


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Yes, cancel my registration"))


class OfferAnswerForm(FlaskForm):
    """The confirming click on a waiting-list offer's answer (CSRF only)."""


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
