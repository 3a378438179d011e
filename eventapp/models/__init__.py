"""The data model. Import models from here."""

from eventapp.models.api import ApiToken, IdempotentRequest, WebhookDelivery, WebhookEndpoint
from eventapp.models.audit import AuditLog
from eventapp.models.badge import BadgeDesign
from eventapp.models.base import Base, UTCDateTime, utcnow
from eventapp.models.booking import Booking
from eventapp.models.enums import (
    ActorCategory,
    EventKind,
    EventStatus,
    MailingStatus,
    MembershipRole,
    OrganisationKind,
    OrganiserRole,
    OutboxStatus,
    Region,
    RegistrationSource,
    RegistrationStatus,
)
from eventapp.models.event import Event, EventOrganiser, EventRegion
from eventapp.models.fees import (
    BankLine,
    BankSettings,
    BookingLine,
    BookingPayment,
    FeeSettings,
    MemberCompany,
    PaymentMethod,
    PaymentState,
    PaymentTransaction,
    PriceCategory,
    PriceKind,
    ProviderEvent,
    Verification,
    Voucher,
    VoucherKind,
)
from eventapp.models.mail import ImportUpload, Mailing, MailingAttachment, OutboxMessage
from eventapp.models.organisation import Organisation
from eventapp.models.question import Answer, AnswerChoice, Question, QuestionOption
from eventapp.models.registration import Registration
from eventapp.models.team import (
    EventGrant,
    Invitation,
    LoginRecord,
    LoginThrottle,
    RecoveryCode,
    UserSession,
)
from eventapp.models.user import Membership, User

__all__ = [
    "ActorCategory",
    "Answer",
    "AnswerChoice",
    "ApiToken",
    "AuditLog",
    "BadgeDesign",
    "BankLine",
    "BankSettings",
    "Base",
    "Booking",
    "BookingLine",
    "BookingPayment",
    "Event",
    "EventGrant",
    "EventKind",
    "EventOrganiser",
    "EventRegion",
    "EventStatus",
    "FeeSettings",
    "IdempotentRequest",
    "ImportUpload",
    "Invitation",
    "LoginRecord",
    "LoginThrottle",
    "Mailing",
    "MailingAttachment",
    "MailingStatus",
    "MemberCompany",
    "Membership",
    "MembershipRole",
    "Organisation",
    "OrganisationKind",
    "OrganiserRole",
    "OutboxMessage",
    "OutboxStatus",
    "PaymentMethod",
    "PaymentState",
    "PaymentTransaction",
    "PriceCategory",
    "PriceKind",
    "ProviderEvent",
    "Question",
    "QuestionOption",
    "RecoveryCode",
    "Region",
    "Registration",
    "RegistrationSource",
    "RegistrationStatus",
    "UTCDateTime",
    "User",
    "UserSession",
    "Verification",
    "Voucher",
    "VoucherKind",
    "WebhookDelivery",
    "WebhookEndpoint",
    "utcnow",
]
