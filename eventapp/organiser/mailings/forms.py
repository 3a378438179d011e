"""The message form: subject, text, an optional PDF attachment and an optional sending time."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from eventapp.organiser.forms import DATETIME_FORMAT, to_utc
from eventapp.routing import parse_int
from eventapp.services import mailing_attachments, messaging
from eventapp.services.errors import ServiceError
from eventapp.validators import DataRequired


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


def _a_pdf(form, field):
    """A file sent with the form must be a PDF under the size limit (checked by its content)."""
    upload = field.data
    if not upload or not getattr(upload, "filename", None):
        return
    data = upload.read()
    upload.seek(0)
    try:
        mailing_attachments.check(upload.filename, data)
    except ServiceError as error:
        raise ValidationError(error.message) from error


def _to_come(form, field):
    if field.data is None:
        return
    try:
        messaging.check_send_at(to_utc(field.data))
    except ServiceError as error:
        raise ValidationError(error.message) from error


class MailingForm(FlaskForm):
    subject = StringField(
        _l("Subject"), validators=[DataRequired(), Length(max=200), _known_placeholders]
    )
    body = TextAreaField(
        _l("Message"), validators=[DataRequired(), Length(max=20000), _known_placeholders]
    )
    attachment = FileField(_l("Attach a PDF (optional)"), validators=[_a_pdf])
    # The PDF uploaded at an earlier step, kept for the preview and the sending.
    attachment_id = HiddenField()
    remove_attachment = BooleanField(_l("Remove the attached PDF"))
    send_at = DateTimeLocalField(
        _l("Send later, on (optional, Paris time)"),
        format=DATETIME_FORMAT,
        validators=[Optional(), _to_come],
    )

    def kept_attachment_id(self) -> int | None:
        if self.remove_attachment.data:
            return None
        return parse_int(self.attachment_id.data or "", None, minimum=1)

    def send_at_utc(self):
        return to_utc(self.send_at.data)
