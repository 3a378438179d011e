"""The message form."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from eventapp.services import messaging


def _known_placeholders(form, field):
    """Refuse a {word} that would be sent as is, naming the valid ones."""
    unknown = messaging.unknown_placeholders(field.data)
    if unknown:
        raise ValidationError(
            _(
                "Unknown placeholder: %(unknown)s. Valid ones: %(valid)s.",
                unknown=", ".join(unknown),
                valid=messaging.placeholder_help(),
            )
        )


class MailingForm(FlaskForm):
    subject = StringField(
        _l("Subject"), validators=[DataRequired(), Length(max=200), _known_placeholders]
    )
    body = TextAreaField(
        _l("Message"), validators=[DataRequired(), Length(max=20000), _known_placeholders]
    )
