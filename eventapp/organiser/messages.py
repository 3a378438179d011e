"""Translated messages for the rule errors raised by the services."""

from flask_babel import gettext as _
from flask_babel import ngettext

from eventapp.services.events import EventError
from eventapp.services.registrations import RegistrationError


def event_error(error: EventError) -> str:
    count = error.info.get("count", 0)
    messages = {
        "title_required": lambda: _("Give the event a French title."),
        "ends_before_start": lambda: _("The event must end after it starts."),
        "closes_after_end": lambda: _("Registration must close before the event ends."),
        "closes_before_opens": lambda: _("Registration must close after it opens."),
        "negative_capacity": lambda: _("The capacity cannot be negative."),
        "unknown_organisation": lambda: _("Choose organisations from the list."),
        "would_lose_access": lambda: _(
            "One of your organisations must stay among the organisers, or you would lose "
            "access to this event."
        ),
        "not_your_organisation": lambda: _(
            "The lead organiser must be an organisation you manage."
        ),
        "bad_kind": lambda: _("Choose a kind of event from the list."),
        "not_a_tour": lambda: _("Stages can only be added to a tour that is not cancelled."),
        "cancelled": lambda: _("This event is cancelled: it can no longer be changed."),
        "not_draft": lambda: _("Only a draft can be published."),
        "tour_not_published": lambda: _("Publish the tour first, then its stages."),
        "not_published": lambda: _("This event is not published."),
        "has_registrations": lambda: ngettext(
            "%(num)s person is registered: cancel the event instead of unpublishing it.",
            "%(num)s people are registered: cancel the event instead of unpublishing it.",
            count,
        ),
        "tour_has_published_stages": lambda: ngettext(
            "%(num)s stage of this tour is published: unpublish or cancel it first.",
            "%(num)s stages of this tour are published: unpublish or cancel them first.",
            count,
        ),
        "already_cancelled": lambda: _("This event is already cancelled."),
    }
    return messages.get(error.code, lambda: _("This change is not possible."))()


def registration_error(error: RegistrationError) -> str:
    confirmed = error.info.get("confirmed", 0)
    messages = {
        "below_confirmed": lambda: ngettext(
            "The capacity cannot be lower than the %(num)s confirmed participant. Cancel "
            "registrations first, or choose a capacity of at least %(num)s.",
            "The capacity cannot be lower than the %(num)s confirmed participants. Cancel "
            "registrations first, or choose a capacity of at least %(num)s.",
            confirmed,
        ),
        "negative_capacity": lambda: _("The capacity cannot be negative."),
        "full": lambda: _(
            "The event is full. Tick “go over capacity” to confirm this person anyway."
        ),
        "not_waitlisted": lambda: _("This person is no longer on the waiting list."),
        "not_cancelled": lambda: _("This registration is not cancelled."),
        "anonymised": lambda: _("This registration was anonymised: it cannot be re-activated."),
        "duplicate": lambda: _(
            "This person has registered again since: their newer registration is the live one."
        ),
        "cancelled": lambda: _("This event is cancelled."),
        "tour": lambda: _("People register for the stages of a tour, not for the tour itself."),
        "no_event": lambda: _("Choose an event."),
        "same_event": lambda: _("This person is already registered for this event."),
        "not_live": lambda: _("This registration is cancelled: register the person again first."),
        "already_registered": lambda: _(
            "This person already has a registration for that event: nothing was moved."
        ),
    }
    return messages.get(error.code, lambda: _("This change is not possible."))()
