"""The error the event rules raise."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from eventapp.services.errors import ServiceError


class EventError(ServiceError):
    """An event rule was not met; `code` says which, `field` which input it concerns."""

    kind = "event"

    class Code(StrEnum):
        TITLE_REQUIRED = "title_required"
        ENDS_BEFORE_START = "ends_before_start"
        CLOSES_AFTER_END = "closes_after_end"
        CLOSES_BEFORE_OPENS = "closes_before_opens"
        CHANGES_AFTER_END = "changes_after_end"
        NEGATIVE_CAPACITY = "negative_capacity"
        UNKNOWN_ORGANISATION = "unknown_organisation"
        WOULD_LOSE_ACCESS = "would_lose_access"
        NOT_YOUR_ORGANISATION = "not_your_organisation"
        BAD_KIND = "bad_kind"
        NOT_A_TOUR = "not_a_tour"
        CANCELLED = "cancelled"
        NOT_DRAFT = "not_draft"
        TOUR_NOT_PUBLISHED = "tour_not_published"
        NOT_PUBLISHED = "not_published"
        HAS_REGISTRATIONS = "has_registrations"
        TOUR_HAS_PUBLISHED_STAGES = "tour_has_published_stages"
        ALREADY_CANCELLED = "already_cancelled"

    MESSAGES = {
        Code.TITLE_REQUIRED: _l("Give the event a French title."),
        Code.ENDS_BEFORE_START: _l("The event must end after it starts."),
        Code.CLOSES_AFTER_END: _l("Registration must close before the event ends."),
        Code.CLOSES_BEFORE_OPENS: _l("Registration must close after it opens."),
        Code.CHANGES_AFTER_END: _l(
            "The deadline for online changes must be before the event ends."
        ),
        Code.NEGATIVE_CAPACITY: _l("The capacity cannot be negative."),
        Code.UNKNOWN_ORGANISATION: _l("Choose organisations from the list."),
        Code.WOULD_LOSE_ACCESS: _l(
            "One of your organisations must stay among the organisers, or you would lose "
            "access to this event."
        ),
        Code.NOT_YOUR_ORGANISATION: _l("The lead organiser must be an organisation you manage."),
        Code.BAD_KIND: _l("Choose a kind of event from the list."),
        Code.NOT_A_TOUR: _l("Stages can only be added to a tour that is not cancelled."),
        Code.CANCELLED: _l("This event is cancelled: it can no longer be changed."),
        Code.NOT_DRAFT: _l("Only a draft can be published."),
        Code.TOUR_NOT_PUBLISHED: _l("Publish the tour first, then its stages."),
        Code.NOT_PUBLISHED: _l("This event is not published."),
        Code.HAS_REGISTRATIONS: lambda info: ngettext(
            "%(num)s person is registered: cancel the event instead of unpublishing it.",
            "%(num)s people are registered: cancel the event instead of unpublishing it.",
            info.get("count", 0),
        ),
        Code.TOUR_HAS_PUBLISHED_STAGES: lambda info: ngettext(
            "%(num)s stage of this tour is published: unpublish or cancel it first.",
            "%(num)s stages of this tour are published: unpublish or cancel them first.",
            info.get("count", 0),
        ),
        Code.ALREADY_CANCELLED: _l("This event is already cancelled."),
    }
    # Invalid input answers 400, like a form that fails its own validation.
    STATUS = {
        Code.TITLE_REQUIRED: 400,
        Code.ENDS_BEFORE_START: 400,
        Code.CLOSES_AFTER_END: 400,
        Code.CLOSES_BEFORE_OPENS: 400,
        Code.CHANGES_AFTER_END: 400,
        Code.NEGATIVE_CAPACITY: 400,
        Code.UNKNOWN_ORGANISATION: 400,
        Code.NOT_YOUR_ORGANISATION: 400,
        Code.BAD_KIND: 400,
        Code.WOULD_LOSE_ACCESS: 400,
    }

    def __init__(self, code: EventError.Code, field: str | None = None, **info):
        super().__init__(code, field=field, **info)


Code = EventError.Code
