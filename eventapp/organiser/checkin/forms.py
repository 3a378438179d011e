"""Forms of the check-in desk: the desk's name, a ticket code, a walk-in registration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from eventapp.i18n import current_language
from eventapp.organiser.forms import LANGUAGE_CHOICES, one_line
from eventapp.questions import fields as field_model
from eventapp.questions.forms import build
from eventapp.services import checkin as service
from eventapp.validators import DataRequired


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


class WalkInBase(FlaskForm):
    language = SelectField(_l("Language for e-mails"), choices=select_choices(LANGUAGE_CHOICES))
    consent = BooleanField(
        _l("The person agrees that their registration data is processed for this event"),
        validators=[DataRequired(message=_l("The person's consent is needed to register."))],
    )
    override_capacity = BooleanField(_l("Admit over capacity if the event is full"))


def WalkInForm(*args, **kwargs):
    """The walk-in: the person's fields of the field model (same rules as every form)."""
    lang = kwargs.get("language") or current_language()
    return build(WalkInBase, field_model.person_specs(lang))(*args, **kwargs)
