"""Forms of the attendee pages: correct a person, add one by hand, cancel, move, go over
capacity."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from eventapp.organiser.forms import (
    LANGUAGE_CHOICES,
    category_choices,
    choices,
    one_line,
    region_choices,
)


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


def _text_or_empty(value):
    """An optional text field left out of a submission is "" (the columns are NOT NULL), not
    None."""
    return "" if value is None else value


class AttendeeForm(FlaskForm):
    first_name = StringField(
        _l("First name"), filters=[one_line], validators=[DataRequired(), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), filters=[one_line], validators=[DataRequired(), Length(max=100)]
    )
    organisation_name = StringField(
        _l("Organisation"),
        filters=[_text_or_empty, one_line],
        validators=[Optional(), Length(max=200)],
    )
    job_title = StringField(
        _l("Job title"),
        filters=[_text_or_empty, one_line],
        validators=[Optional(), Length(max=200)],
    )
    category = SelectField(_l("Category"), choices=category_choices(), validators=[InputRequired()])
    region = SelectField(_l("Region"), choices=region_choices(_l("Not given")), default="")


class AddAttendeeForm(AttendeeForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    language = SelectField(_l("Language of the e-mails"), choices=choices(LANGUAGE_CHOICES))
    consent = BooleanField(
        _l("This person asked to be registered and was told how their data is used"),
        validators=[DataRequired()],
    )
    notify = BooleanField(_l("E-mail the confirmation to this person"), default=True)
    override_capacity = BooleanField(_l("Confirm even if the event is full (over capacity)"))
