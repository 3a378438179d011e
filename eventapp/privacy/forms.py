from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice

from eventapp.validators import DataRequired


class EraseForm(FlaskForm):
    """Erasure asked from the manage link (CSRF-protected like every form)."""

    scope = RadioField(
        _l("What should be erased?"),
        choices=[
            SelectChoice("this", _l("This registration only")),
            SelectChoice("all", _l("All my registrations made with this e-mail address")),
        ],
        default="this",
        validators=[DataRequired(message=_l("Choose what to erase."))],
    )
    confirm = BooleanField(
        _l("I understand that my personal data will be erased and this cannot be undone."),
        validators=[DataRequired(message=_l("Please tick the box to confirm."))],
    )
