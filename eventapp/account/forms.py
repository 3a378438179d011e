from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.validators import Email, Length

from eventapp.organiser.forms import choices
from eventapp.validators import DataRequired


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your app, or a recovery code"), validators=[DataRequired(), Length(max=20)]
    )


class DisableForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    language = RadioField(
        _l("Language of the pages and e-mails"), choices=[], validators=[DataRequired()]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = choices([("fr", "Français"), ("en", "English")])


class EmailChangeForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"), validators=[DataRequired(), Length(max=254), Email()]
    )
    password = PasswordField(
        _l("Your current password"), validators=[DataRequired(), Length(max=200)]
    )


class ActionForm(FlaskForm):
    """A button (log out a session): the CSRF token only."""
