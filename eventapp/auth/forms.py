from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import EqualTo, Length

from eventapp.services.accounts import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from eventapp.validators import DataRequired

NEW_PASSWORD_HINT = _l("At least %(num)s characters.", num=PASSWORD_MIN_LENGTH)


def _new_password_fields():
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(max=PASSWORD_MAX_LENGTH),
            Length(
                min=PASSWORD_MIN_LENGTH,
                message=_l(
                    "The password needs at least %(num)s characters.", num=PASSWORD_MIN_LENGTH
                ),
            ),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
    )
    return new, confirm


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me on this device"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)]
    )
    new_password, confirm = _new_password_fields()
