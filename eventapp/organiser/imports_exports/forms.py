"""Forms of the import: the file, then the confirmation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField

from eventapp.validators import DataRequired, FileRequired


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("File (CSV or Excel .xlsx)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "xlsx", "txt"], _l("Only CSV or .xlsx files.")),
        ],
    )


class ImportConfirmForm(FlaskForm):
    consent = BooleanField(
        _l("The people in this file asked to be registered and were told how their data is used"),
        validators=[DataRequired()],
    )
    notify = BooleanField(_l("E-mail each imported person their confirmation"), default=False)
