"""Forms of the programme: times typed in Paris time (stored in UTC), choices limited to the
event's own rooms, tracks and speakers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, Length, NumberRange, Optional, ValidationError

from eventapp.models import SessionKind, TrackColour
from eventapp.organiser.forms import DATETIME_FORMAT, MultiCheckboxField, choices, one_line
from eventapp.services.programme import photos
from eventapp.validators import DataRequired

REQUIRED = _l("This field is required.")
MAX_PLACES = 100_000


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class RoomForm(FlaskForm):
    name = StringField(
        _l("Room name"),
        filters=[one_line],
        validators=[DataRequired(REQUIRED), Length(max=120)],
    )
    capacity = IntegerField(
        _l("Capacity (people)"), validators=[Optional(), NumberRange(min=1, max=MAX_PLACES)]
    )
    position = IntegerField(
        _l("Order (column)"), default=0, validators=[Optional(), NumberRange(min=0, max=999)]
    )

    def to_data(self) -> dict:
        return {
            "name": self.name.data,
            "capacity": self.capacity.data,
            "position": self.position.data or 0,
        }


class TrackForm(FlaskForm):
    name_fr = StringField(
        _l("Name (French)"),
        filters=[one_line],
        validators=[DataRequired(REQUIRED), Length(max=120)],
    )
    name_en = StringField(
        _l("Name (English)"), filters=[one_line], validators=[Optional(), Length(max=120)]
    )
    colour = SelectField(_l("Colour"), validators=[DataRequired(REQUIRED)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.colour.choices = choices(TrackColour.choices())

    def to_data(self) -> dict:
        return {
            "name_fr": self.name_fr.data,
            "name_en": self.name_en.data or "",
            "colour": self.colour.data,
        }


class SpeakerForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[one_line], validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    email = EmailField(
        _l("E-mail (never shown; recognises the speaker when they register)"),
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )
    organisation = StringField(
        _l("Organisation"), filters=[one_line], validators=[Optional(), Length(max=200)]
    )
    role = StringField(
        _l("Role or job title"), filters=[one_line], validators=[Optional(), Length(max=200)]
    )
    bio_fr = TextAreaField(_l("Short biography (French)"), validators=[Length(max=2000)])
    bio_en = TextAreaField(_l("Short biography (English)"), validators=[Length(max=2000)])
    photo = FileField(_l("Photo (PNG, JPEG, GIF or WebP, at most 2 MB)"))
    remove_photo = BooleanField(_l("Remove the photo"))
    consent_listed = BooleanField(_l("The speaker agrees to be listed on the public pages"))
    registration_id = SelectField(
        _l("Also registered as"), coerce=_optional_int, validators=[Optional()]
    )

    def __init__(self, *args, registrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.registration_id.choices = choices(
            [(None, _l("Not registered")), *[(r.id, r.full_name) for r in registrations]]
        )
        self.photo_png = None

    def validate_photo(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        data = upload.read(photos.MAX_BYTES + 1)
        try:
            self.photo_png = photos.reencode_photo(data)
        except photos.PhotoRejected as error:
            if error.args[0] == "too_big":
                raise ValidationError(_l("The photo is too large: at most 2 MB.")) from error
            raise ValidationError(
                _l("This file is not an image we can read (PNG, JPEG, GIF or WebP).")
            ) from error

    def to_data(self) -> dict:
        return {
            "name": self.name.data,
            "email": self.email.data or "",
            "organisation": self.organisation.data or "",
            "role": self.role.data or "",
            "bio_fr": (self.bio_fr.data or "").strip(),
            "bio_en": (self.bio_en.data or "").strip(),
            "consent_listed": bool(self.consent_listed.data),
            "registration_id": self.registration_id.data,
        }


class SessionForm(FlaskForm):
    kind = SelectField(_l("Type"), validators=[DataRequired(REQUIRED)])
    title_fr = StringField(
        _l("Title (French)"),
        filters=[one_line],
        validators=[DataRequired(REQUIRED), Length(max=200)],
    )
    title_en = StringField(
        _l("Title (English)"), filters=[one_line], validators=[Optional(), Length(max=200)]
    )
    starts_at = DateTimeLocalField(
        _l("Start (Paris time)"), format=DATETIME_FORMAT, validators=[DataRequired(REQUIRED)]
    )
    ends_at = DateTimeLocalField(
        _l("End (Paris time)"), format=DATETIME_FORMAT, validators=[DataRequired(REQUIRED)]
    )
    room_id = SelectField(_l("Room"), coerce=_optional_int, validators=[Optional()])
    track_id = SelectField(_l("Track"), coerce=_optional_int, validators=[Optional()])
    seat_limit = IntegerField(
        _l("Places for sign-ups"), validators=[Optional(), NumberRange(min=1, max=MAX_PLACES)]
    )
    speakers = MultiCheckboxField(_l("Speakers"), coerce=int, validators=[Optional()])
    signup_option = SelectField(
        _l("Chosen on the registration form with"), coerce=_optional_int, validators=[Optional()]
    )
    description_fr = TextAreaField(_l("Description (French)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])

    def __init__(self, *args, rooms=(), tracks=(), speakers=(), options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.signup_option.choices = choices(
            [(None, _l("(not asked on the registration form)")), *options]
        )
        self.kind.choices = choices(SessionKind.choices())
        self.room_id.choices = choices([(None, _l("No room")), *[(r.id, r.name) for r in rooms]])
        self.track_id.choices = choices(
            [(None, _l("No track")), *[(t.id, t.name_fr) for t in tracks]]
        )
        self.speakers.choices = choices(
            [(s.id, f"{s.name} ({s.organisation})" if s.organisation else s.name) for s in speakers]
        )

    def to_data(self) -> dict:
        from eventapp.organiser.forms import to_utc

        return {
            "kind": self.kind.data,
            "title_fr": self.title_fr.data,
            "title_en": self.title_en.data or "",
            "description_fr": (self.description_fr.data or "").strip(),
            "description_en": (self.description_en.data or "").strip(),
            "starts_at": to_utc(self.starts_at.data),
            "ends_at": to_utc(self.ends_at.data),
            "room_id": self.room_id.data,
            "track_id": self.track_id.data,
            "seat_limit": self.seat_limit.data,
        }


class DoorForm(FlaskForm):
    code = StringField(
        _l("Ticket code"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[DataRequired(REQUIRED), Length(max=300)],
    )
