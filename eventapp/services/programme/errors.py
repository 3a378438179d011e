"""The programme's rule errors, with their one message table."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from eventapp.services.errors import ServiceError


class ProgrammeError(ServiceError):
    kind = "programme"

    class Code(StrEnum):
        BAD_TIMES = "bad_times"
        UNKNOWN_CHOICE = "unknown_choice"
        NO_SIGNUP = "no_signup"
        NOT_PUBLIC = "not_public"
        SESSION_CANCELLED = "session_cancelled"
        SESSION_STARTED = "session_started"
        NOT_CONFIRMED = "not_confirmed"
        ALREADY_SIGNED_UP = "already_signed_up"
        NOT_SIGNED_UP = "not_signed_up"
        OVERLAP = "overlap"
        UNKNOWN_TICKET = "unknown_ticket"
        OTHER_EVENT = "other_event"
        FULL_AT_DOOR = "full_at_door"
        NOTHING_TO_PUBLISH = "nothing_to_publish"
        NO_ATTENDANCE = "no_attendance"
        NOT_ENDED = "not_ended"
        FULL = "full"
        LINKED = "linked"

    MESSAGES = {
        Code.BAD_TIMES: _l("The end must be after the start."),
        Code.UNKNOWN_CHOICE: _l("This choice is not one of this event's."),
        Code.NO_SIGNUP: _l("This session takes no sign-ups: everyone registered may come."),
        Code.NOT_PUBLIC: _l("This session is not in the published programme."),
        Code.SESSION_CANCELLED: _l("This session is cancelled."),
        Code.SESSION_STARTED: _l("This session has already started: sign-ups are closed."),
        Code.NOT_CONFIRMED: _l("Only confirmed registrations can sign up for sessions."),
        Code.ALREADY_SIGNED_UP: _l("You are already signed up for this session."),
        Code.NOT_SIGNED_UP: _l("You are not signed up for this session."),
        Code.OVERLAP: _l(
            "This session is at the same time as “%(title)s”, which you have already taken."
        ),
        Code.UNKNOWN_TICKET: _l("Unknown ticket: no confirmed registration has this code."),
        Code.OTHER_EVENT: _l("This ticket is for another event."),
        Code.FULL_AT_DOOR: _l(
            "%(name)s is not signed up for this workshop, and it is full: no entry."
        ),
        Code.NOTHING_TO_PUBLISH: _l("The published programme is already up to date."),
        Code.NO_ATTENDANCE: _l("No session attended was recorded: there is no certificate."),
        Code.NOT_ENDED: _l("The certificate is available once the event is over."),
        Code.FULL: _l("“%(title)s” is full."),
        Code.LINKED: _l(
            "This workshop is chosen with your answer to “%(question)s”: change that answer on "
            "your registration page."
        ),
    }
    STATUS = {
        Code.BAD_TIMES: 422,
        Code.UNKNOWN_CHOICE: 422,
        Code.NOT_PUBLIC: 404,
        Code.UNKNOWN_TICKET: 422,
    }
