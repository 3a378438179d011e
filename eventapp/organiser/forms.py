"""Forms of the organiser workspace. Dates are typed in Paris time and stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.models import ActorCategory, Event, Region
from eventapp.services.events import TOP_LEVEL_KINDS, EventData

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(value: datetime | None) -> datetime | None:
    """A naive date-time typed in Paris time, as an aware UTC datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=local_zone()).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(local_zone()).replace(tzinfo=None)


LANGUAGE_CHOICES = (("fr", "Français"), ("en", "English"))  # language names stay in their own


def one_line(value):
    """Line breaks and tabs in a one-line field become single spaces: an <input> cannot hold
    them, and titles or names end up in e-mail subjects and calendar lines."""
    return " ".join(value.split()) if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _region_choices(blank: str | None = None):
    pairs = Region.choices()
    return choices([("", blank), *pairs] if blank is not None else pairs)


def _category_choices(blank: str | None = None):
    pairs = ActorCategory.choices()
    return choices([("", blank), *pairs] if blank is not None else pairs)


class EventForm(FlaskForm):
    kind = SelectField(
        _l("Kind of event"),
        choices=choices((k.value, k.label) for k in TOP_LEVEL_KINDS),
        default="congress",
    )
    title_fr = StringField(
        _l("Title (French)"), filters=[one_line], validators=[DataRequired(), Length(max=200)]
    )
    title_en = StringField(
        _l("Title (English)"), filters=[one_line], validators=[Optional(), Length(max=200)]
    )
    description_fr = TextAreaField(
        _l("Description (French)"), validators=[Optional(), Length(max=20000)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=20000)]
    )
    starts_at = DateTimeLocalField(
        _l("Starts"), format=DATETIME_FORMAT, validators=[InputRequired()]
    )
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMAT, validators=[InputRequired()])
    venue = StringField(_l("Venue"), filters=[one_line], validators=[Optional(), Length(max=200)])
    address = StringField(
        _l("Address"), filters=[one_line], validators=[Optional(), Length(max=300)]
    )
    city = StringField(_l("City"), filters=[one_line], validators=[Optional(), Length(max=120)])
    region = SelectField(_l("Main region"), choices=_region_choices(_l("—")), default="")
    regions = MultiCheckboxField(_l("Other regions covered"), choices=_region_choices())
    online_url = URLField(
        _l("Online meeting link"),
        validators=[Optional(), URL(require_tld=True), Length(max=500)],
    )
    capacity = IntegerField(
        _l("Capacity"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    lead_id = SelectField(_l("Lead organiser"), coerce=int, validators=[InputRequired()])
    co_organiser_ids = MultiCheckboxField(_l("Co-organisers"), coerce=int)
    partner_ids = MultiCheckboxField(_l("Partners"), coerce=int)

    def set_organisations(self, leads, everyone) -> None:
        self.lead_id.choices = choices((o.id, o.name) for o in leads)
        self.co_organiser_ids.choices = choices((o.id, o.name) for o in everyone)
        self.partner_ids.choices = choices((o.id, o.name) for o in everyone)

    def fill_from(self, event: Event, roles: dict) -> None:
        """Pre-fill (GET) from an event and its organisers {org_id: role}."""
        for name in (
            "title_fr",
            "title_en",
            "description_fr",
            "description_en",
            "venue",
            "address",
            "city",
            "online_url",
            "capacity",
        ):
            getattr(self, name).data = getattr(event, name)
        self.kind.data = str(event.kind)
        self.region.data = str(event.region) if event.region else ""
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            getattr(self, name).data = to_local(getattr(event, name))
        lead = [org_id for org_id, role in roles.items() if role == "lead"]
        if lead:
            self.lead_id.data = lead[0]
        self.co_organiser_ids.data = [o for o, r in roles.items() if r == "co_organiser"]
        self.partner_ids.data = [o for o, r in roles.items() if r == "partner"]

    def to_data(self) -> EventData:
        lead = self.lead_id.data
        return EventData(
            kind=self.kind.data,
            title_fr=self.title_fr.data or "",
            title_en=self.title_en.data or "",
            description_fr=self.description_fr.data or "",
            description_en=self.description_en.data or "",
            starts_at=to_utc(self.starts_at.data),
            ends_at=to_utc(self.ends_at.data),
            venue=self.venue.data,
            address=self.address.data,
            city=self.city.data,
            region=self.region.data or None,
            regions=[r for r in self.regions.data or [] if r],
            online_url=self.online_url.data,
            capacity=self.capacity.data,
            registration_opens_at=to_utc(self.registration_opens_at.data),
            registration_closes_at=to_utc(self.registration_closes_at.data),
            lead_id=lead,
            co_organiser_ids=[o for o in self.co_organiser_ids.data or [] if o != lead],
            partner_ids=[
                o
                for o in self.partner_ids.data or []
                if o != lead and o not in (self.co_organiser_ids.data or [])
            ],
        )


class ConfirmForm(FlaskForm):
    """An action that changes something visible to participants, confirmed with a checkbox."""

    confirm = BooleanField(_l("I confirm"), validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button: nothing but the CSRF token."""


class OverrideForm(FlaskForm):
    override_capacity = BooleanField(_l("Go over capacity if the event is full"))


class MoveForm(FlaskForm):
    """Move a registration to another event the organiser manages."""

    target = SelectField(_l("Move to"), coerce=int, validators=[InputRequired()])
    override_capacity = BooleanField(_l("Go over capacity if that event is full"))
    notify = BooleanField(_l("E-mail the person their new registration"), default=True)


class CancelRegistrationForm(FlaskForm):
    notify = BooleanField(_l("E-mail the person that their registration is cancelled"))


def _text_or_empty(value):
    """An optional text field left out of a submission is "" (the columns are NOT NULL), not
    None."""
    return "" if value is None else value


class AttendeeForm(FlaskForm):
    first_name = StringField(
        _l("First name"), filters=[one_line], validators=[DataRequired(), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), filters=[one_line], validators=[DataRequired(), Length(max=100)]
    )
    organisation_name = StringField(
        _l("Organisation"),
        filters=[_text_or_empty, one_line],
        validators=[Optional(), Length(max=200)],
    )
    job_title = StringField(
        _l("Job title"),
        filters=[_text_or_empty, one_line],
        validators=[Optional(), Length(max=200)],
    )
    category = SelectField(
        _l("Category"), choices=_category_choices(), validators=[InputRequired()]
    )
    region = SelectField(_l("Region"), choices=_region_choices(_l("Not given")), default="")


class AddAttendeeForm(AttendeeForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    language = SelectField(_l("Language of the e-mails"), choices=choices(LANGUAGE_CHOICES))
    consent = BooleanField(
        _l("This person asked to be registered and was told how their data is used"),
        validators=[DataRequired()],
    )
    notify = BooleanField(_l("E-mail the confirmation to this person"), default=True)
    override_capacity = BooleanField(_l("Confirm even if the event is full (over capacity)"))


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


class MailingForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=20000)])
