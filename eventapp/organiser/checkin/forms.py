"""Forms of the check-in desk: the desk's name, a ticket code, a walk-in registration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from eventapp.models import ActorCategory
from eventapp.organiser.forms import LANGUAGE_CHOICES, one_line
from eventapp.services import checkin as service


def select_choices(pairs, blank=None) -> list[SelectChoice]:
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(value, label) for value, label in pairs]


class DeskForm(FlaskForm):
    desk = StringField(
        _l("Desk name"),
        filters=[one_line],
        validators=[DataRequired(), Length(max=service.DESK_MAX_LENGTH)],
    )


class CodeForm(FlaskForm):
    code = StringField(_l("Ticket code"), validators=[DataRequired(), Length(max=200)])


class WalkInForm(FlaskForm):
    # Names go into e-mail subjects, badges and calendar lines: one line, like the attendee form.
    first_name = StringField(
        _l("First name"), filters=[one_line], validators=[DataRequired(), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), filters=[one_line], validators=[DataRequired(), Length(max=100)]
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    organisation_name = StringField(
        _l("Organisation"), filters=[one_line], validators=[Length(max=200)]
    )
    category = SelectField(
        _l("Actor category"),
        choices=select_choices(ActorCategory.choices(), _l("Choose…")),
        validators=[DataRequired(message=_l("Choose an actor category."))],
    )
    language = SelectField(_l("Language for e-mails"), choices=select_choices(LANGUAGE_CHOICES))
    consent = BooleanField(
        _l("The person agrees that their registration data is processed for this event"),
        validators=[DataRequired(message=_l("The person's consent is needed to register."))],
    )
    override_capacity = BooleanField(_l("Admit over capacity if the event is full"))
