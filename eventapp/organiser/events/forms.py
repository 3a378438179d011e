"""The event form (events, tours and stages). Dates are typed in Paris time, stored in UTC."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, Email, Length, NumberRange, Optional

from eventapp.models import Event
from eventapp.organiser.forms import (
    DATETIME_FORMAT,
    MultiCheckboxField,
    choices,
    one_line,
    region_choices,
    to_local,
    to_utc,
)
from eventapp.services.events import TOP_LEVEL_KINDS, EventData
from eventapp.validators import DataRequired, InputRequired


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
    region = SelectField(_l("Main region"), choices=region_choices(_l("—")), default="")
    regions = MultiCheckboxField(_l("Other regions covered"), choices=region_choices())
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
    contact_email = EmailField(
        _l("Contact e-mail for participants"),
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
    )
    offer_hours = IntegerField(
        _l("Waiting-list offer period (hours)"),
        validators=[Optional(), NumberRange(min=1, max=24 * 14)],
    )
    reminder_hours = IntegerField(
        _l("Reminder e-mail, hours before the start"),
        validators=[Optional(), NumberRange(min=1, max=24 * 30)],
    )
    changes_until = DateTimeLocalField(
        _l("Participants can cancel or change online until"),
        format=DATETIME_FORMAT,
        validators=[Optional()],
    )
    practical_info_fr = TextAreaField(
        _l("What to bring, practical information (French)"),
        validators=[Optional(), Length(max=4000)],
    )
    practical_info_en = TextAreaField(
        _l("What to bring, practical information (English)"),
        validators=[Optional(), Length(max=4000)],
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
            "contact_email",
            "offer_hours",
            "reminder_hours",
            "practical_info_fr",
            "practical_info_en",
        ):
            getattr(self, name).data = getattr(event, name)
        self.kind.data = str(event.kind)
        self.region.data = str(event.region) if event.region else ""
        for name in (
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "changes_until",
        ):
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
            contact_email=self.contact_email.data or None,
            offer_hours=self.offer_hours.data,
            reminder_hours=self.reminder_hours.data,
            changes_until=to_utc(self.changes_until.data),
            practical_info_fr=self.practical_info_fr.data or "",
            practical_info_en=self.practical_info_en.data or "",
            lead_id=lead,
            co_organiser_ids=[o for o in self.co_organiser_ids.data or [] if o != lead],
            partner_ids=[
                o
                for o in self.partner_ids.data or []
                if o != lead and o not in (self.co_organiser_ids.data or [])
            ],
        )
