"""Event rules, by job: editing.py (create and edit events, tours and stages: dates,
capacity), organisers.py (lead, co-organisers, partners; nobody edits themselves out),
status.py (publish, unpublish, cancel). The names callers use are re-exported here."""

from eventapp.services.events.data import DETAIL_FIELDS, TOP_LEVEL_KINDS, EventData
from eventapp.services.events.editing import create_event, slugify, unique_slug, update_event
from eventapp.services.events.errors import EventError
from eventapp.services.events.organisers import lead_organisations, organiser_roles
from eventapp.services.events.status import (
    cancel_event,
    cancellation_summary,
    live_count,
    publish,
    unpublish,
)

__all__ = [
    "DETAIL_FIELDS",
    "TOP_LEVEL_KINDS",
    "EventData",
    "EventError",
    "cancel_event",
    "cancellation_summary",
    "create_event",
    "lead_organisations",
    "live_count",
    "organiser_roles",
    "publish",
    "slugify",
    "unique_slug",
    "unpublish",
    "update_event",
]
