"""Forms of the API settings pages: a token, a webhook endpoint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length

from eventapp.organiser.forms import MultiCheckboxField, choices
from eventapp.services.api.tokens import SCOPES
from eventapp.services.api.webhooks import EVENT_TYPES
from eventapp.validators import DataRequired


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    scopes = MultiCheckboxField(
        _l("Permissions"),
        choices=choices((name, label) for name, (_perms, label) in SCOPES.items()),
        validators=[DataRequired(_l("Choose at least one permission."))],
    )
    expires_on = DateField(_l("Expires on"), validators=[DataRequired()])
    events = MultiCheckboxField(_l("Only these events (none chosen: all)"), coerce=int)


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Receiver address (https://…)"), validators=[DataRequired(), Length(max=500)]
    )
    event_types = MultiCheckboxField(
        _l("What to send"),
        choices=choices(EVENT_TYPES.items()),
        validators=[DataRequired(_l("Choose at least one kind of event."))],
    )


class ButtonForm(FlaskForm):
    """A button: the CSRF token only."""
