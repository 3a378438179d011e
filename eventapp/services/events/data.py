"""What an event form hands to the event rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from eventapp.models import EventKind

TOP_LEVEL_KINDS = (
    EventKind.CONGRESS,
    EventKind.WORKSHOP,
    EventKind.WEBINAR,
    EventKind.MEETING,
    EventKind.TOUR,
)
DETAIL_FIELDS = (
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "city",
    "region",
    "online_url",
    "registration_opens_at",
    "registration_closes_at",
    "contact_email",
    "offer_hours",
    "reminder_hours",
    "changes_until",
    "practical_info_fr",
    "practical_info_en",
)


@dataclass
class EventData:
    title_fr: str
    title_en: str
    starts_at: datetime
    ends_at: datetime
    lead_id: int
    kind: str = EventKind.CONGRESS
    description_fr: str = ""
    description_en: str = ""
    venue: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    regions: list[str] = field(default_factory=list)
    online_url: str | None = None
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    # The organiser's contact shown in participants' e-mails; the waiting-list offer period and
    # the reminder's timing, in hours (None: the defaults of services/offers and reminders).
    contact_email: str | None = None
    offer_hours: int | None = None
    reminder_hours: int | None = None
    # Online cancellation/changes allowed until then (None: until the event ends); what to
    # bring, in French and English.
    changes_until: datetime | None = None
    practical_info_fr: str = ""
    practical_info_en: str = ""
    co_organiser_ids: list[int] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
