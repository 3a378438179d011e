"""The data model. Import models from here."""

from eventapp.models.audit import AuditLog
from eventapp.models.base import Base, UTCDateTime, utcnow
from eventapp.models.booking import Booking
from eventapp.models.enums import (
    ActorCategory,
    EventKind,
    EventStatus,
    MembershipRole,
    OrganisationKind,
    OrganiserRole,
    OutboxStatus,
    Region,
    RegistrationSource,
    RegistrationStatus,
)
from eventapp.models.event import Event, EventOrganiser, EventRegion
from eventapp.models.mail import ImportUpload, Mailing, OutboxMessage
from eventapp.models.organisation import Organisation
from eventapp.models.question import Answer, AnswerChoice, Question, QuestionOption
from eventapp.models.registration import Registration
from eventapp.models.team import EventGrant, Invitation, LoginRecord, RecoveryCode
from eventapp.models.user import Membership, User

__all__ = [
    "ActorCategory",
    "Answer",
    "AnswerChoice",
    "AuditLog",
    "Base",
    "Booking",
    "Event",
    "EventGrant",
    "EventKind",
    "EventOrganiser",
    "EventRegion",
    "EventStatus",
    "ImportUpload",
    "Invitation",
    "LoginRecord",
    "Mailing",
    "Membership",
    "MembershipRole",
    "Organisation",
    "OrganisationKind",
    "OrganiserRole",
    "OutboxMessage",
    "OutboxStatus",
    "Question",
    "QuestionOption",
    "RecoveryCode",
    "Region",
    "Registration",
    "RegistrationSource",
    "RegistrationStatus",
    "UTCDateTime",
    "User",
    "utcnow",
]
