"""The rule errors of B2B meetings, with their one message table."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from eventapp.services.errors import ServiceError


class B2BError(ServiceError):
    kind = "b2b"

    class Code(StrEnum):
        DISABLED = "disabled"
        NOT_LIVE = "not_live"
        NOT_OPTED_IN = "not_opted_in"
        UNKNOWN_PERSON = "unknown_person"
        SELF = "self"
        ALREADY_ASKED = "already_asked"
        REQUEST_LIMIT = "request_limit"
        NOT_PENDING = "not_pending"
        NOT_YOURS = "not_yours"
        SLOT_TAKEN = "slot_taken"
        PERSON_BUSY = "person_busy"
        UNAVAILABLE = "unavailable"
        CAP_REACHED = "cap_reached"
        NOT_ACCEPTED = "not_accepted"
        NO_SLOTS = "no_slots"
        RUN_ACTIVE = "run_active"
        BAD_BLOCK = "bad_block"
        HAS_MEETINGS = "has_meetings"
        TABLE_EXISTS = "table_exists"
        TOO_EARLY = "too_early"
        CATEGORY_DENIED = "category_denied"
        PICK_SLOT = "pick_slot"

    MESSAGES = {
        Code.DISABLED: _l("B2B meetings are not open for this event."),
        Code.NOT_LIVE: _l("This registration is cancelled: it cannot take part in B2B meetings."),
        Code.NOT_OPTED_IN: _l("Join the B2B meetings with your profile first."),
        Code.UNKNOWN_PERSON: _l("This participant is not available for B2B meetings."),
        Code.SELF: _l("You cannot ask yourself for a meeting."),
        Code.ALREADY_ASKED: _l("A meeting request between you two already exists."),
        Code.REQUEST_LIMIT: _l(
            "You have sent the most requests allowed (%(limit)s): cancel one to send another."
        ),
        Code.NOT_PENDING: _l("This request has already been answered."),
        Code.NOT_YOURS: _l("This request is not addressed to you."),
        Code.SLOT_TAKEN: _l("This table is already taken in that slot."),
        Code.PERSON_BUSY: _l("One of the two already has a meeting in that slot."),
        Code.UNAVAILABLE: _l("One of the two is not available in that slot."),
        Code.CAP_REACHED: _l("One of the two already has the most meetings allowed."),
        Code.NOT_ACCEPTED: _l("Only accepted requests become meetings."),
        Code.NO_SLOTS: _l("Add meeting blocks and tables before scheduling."),
        Code.RUN_ACTIVE: _l("A schedule is already being computed: wait for it to finish."),
        Code.BAD_BLOCK: _l("The block must end after it starts and hold at least one slot."),
        Code.HAS_MEETINGS: _l("Meetings are scheduled there: cancel or move them first."),
        Code.TABLE_EXISTS: _l("This table number is already used."),
        Code.CATEGORY_DENIED: _l(
            "At this event, participants of your category cannot request this participant's."
        ),
        Code.PICK_SLOT: _l("Pick the slot of your meeting."),
        Code.TOO_EARLY: _l("A meeting can be checked in only from 15 minutes before it starts."),
    }
    STATUS = {
        Code.UNKNOWN_PERSON: 404,
        Code.NOT_YOURS: 404,
        Code.SELF: 422,
        Code.BAD_BLOCK: 422,
        Code.TABLE_EXISTS: 422,
        Code.PICK_SLOT: 422,
    }
