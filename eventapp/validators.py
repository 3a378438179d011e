"""The one wording for a missing answer, on every form (the participant's, the organiser's,
the login and account pages): "This field is required." through Flask-Babel (French: « Ce
champ est obligatoire. »), instead of WTForms' and Flask-WTF's own defaults, which say it in
other words (« Ce champ est requis. ») or only in English. Forms import their "required"
validators from here, never from wtforms or flask_wtf (tests/i18n/test_required_wording.py
checks)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileRequired as _FileRequired
from wtforms.validators import DataRequired as _DataRequired
from wtforms.validators import InputRequired as _InputRequired

REQUIRED = _l("This field is required.")


class DataRequired(_DataRequired):
    def __init__(self, message=None):
        super().__init__(message or REQUIRED)


class InputRequired(_InputRequired):
    def __init__(self, message=None):
        super().__init__(message or REQUIRED)


class FileRequired(_FileRequired):
    def __init__(self, message=None):
        super().__init__(message or REQUIRED)
