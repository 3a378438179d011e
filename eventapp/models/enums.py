"""Closed lists used by the models, with their translated labels.

Values are stored as plain strings (VARCHAR), so adding a value needs no database migration.
"""

from enum import StrEnum
from functools import cache, lru_cache

from flask_babel import get_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l


@cache
def _label_map(cls) -> dict:
    return cls._labels()


@lru_cache(maxsize=256)
def _translated(cls, locale: str) -> dict:
    # Translated once per class and language: a list of 50 rows shows 100 labels.
    return {member: str(label) for member, label in _label_map(cls).items()}


class LabelledEnum(StrEnum):
    @property
    def label(self) -> str:
        return _translated(type(self), str(get_locale()))[self]

    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, lazy label) pairs for WTForms select fields."""
        labels = _label_map(cls)
        return [(member.value, labels[member]) for member in cls]


class OrganisationKind(LabelledEnum):
    POLE = "pole"
    CLUSTER = "cluster"
    COMPANY = "company"
    ACADEMIC = "academic"
    INSTITUTION = "institution"
    NETWORK = "network"

    @classmethod
    def _labels(cls):
        return {
            cls.POLE: _l("Competitiveness pole"),
            cls.CLUSTER: _l("Cluster"),
            cls.COMPANY: _l("Company"),
            cls.ACADEMIC: _l("Academic institution"),
            cls.INSTITUTION: _l("Public institution"),
            cls.NETWORK: _l("Network"),
        }


class EventKind(LabelledEnum):
    CONGRESS = "congress"
    TOUR = "tour"
    STAGE = "stage"
    WORKSHOP = "workshop"
    WEBINAR = "webinar"
    MEETING = "meeting"

    @classmethod
    def _labels(cls):
        return {
            cls.CONGRESS: _l("Congress"),
            cls.TOUR: _l("Tour"),
            cls.STAGE: _l("Tour stage"),
            cls.WORKSHOP: _l("Workshop / study day"),
            cls.WEBINAR: _l("Webinar"),
            cls.MEETING: _l("Meeting"),
        }


class EventStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        # Contexts: in French an event is « annulé », a registration « annulée ».
        return {
            cls.DRAFT: lazy_pgettext("event status", "Draft"),
            cls.PUBLISHED: lazy_pgettext("event status", "Published"),
            cls.CANCELLED: lazy_pgettext("event status", "Cancelled"),
        }


class OrganiserRole(LabelledEnum):
    LEAD = "lead"
    CO_ORGANISER = "co_organiser"
    PARTNER = "partner"

    @classmethod
    def _labels(cls):
        return {
            cls.LEAD: _l("Lead organiser"),
            cls.CO_ORGANISER: _l("Co-organiser"),
            cls.PARTNER: _l("Partner"),
        }


class RegistrationStatus(LabelledEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING = "pending"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        # One registration's status (the plain "Confirmed" etc. are count headings).
        return {
            cls.CONFIRMED: lazy_pgettext("registration status", "Confirmed"),
            cls.WAITLISTED: lazy_pgettext("registration status", "Waiting list"),
            cls.PENDING: lazy_pgettext("registration status", "Pending"),
            cls.CANCELLED: lazy_pgettext("registration status", "Cancelled"),
        }


class RegistrationSource(LabelledEnum):
    PUBLIC = "public"
    ORGANISER = "organiser"
    IMPORT = "import"
    WALK_IN = "walk_in"
    DEMO = "demo"

    @classmethod
    def _labels(cls):
        return {
            cls.PUBLIC: _l("Online form"),
            cls.ORGANISER: _l("Added by an organiser"),
            cls.IMPORT: _l("Imported"),
            cls.WALK_IN: _l("Walk-in"),
            cls.DEMO: _l("Demo data"),
        }


class ActorCategory(LabelledEnum):
    """The actors of the bioproduction sector (see shared/domain.md)."""

    INDUSTRIAL = "industrial"
    BIOTECH = "biotech"
    CDMO = "cdmo"
    EQUIPMENT = "equipment"
    ACADEMIC = "academic"
    TECHPROVIDER = "techprovider"
    CLUSTER = "cluster"
    UNION = "union"
    PUBLIC = "public"
    INVESTOR = "investor"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {
            cls.INDUSTRIAL: _l("Health industry"),
            cls.BIOTECH: _l("Biotech"),
            cls.CDMO: _l("Contract manufacturer (CDMO)"),
            cls.EQUIPMENT: _l("Equipment supplier"),
            cls.ACADEMIC: _l("Academic / research centre"),
            cls.TECHPROVIDER: _l("CRO / technology platform"),
            cls.CLUSTER: _l("Competitiveness pole / cluster"),
            cls.UNION: _l("Professional union"),
            cls.PUBLIC: _l("Public institution / policy maker"),
            cls.INVESTOR: _l("Investor"),
            cls.OTHER: _l("Other"),
        }


class Region(LabelledEnum):
    """French regions (plus overseas and abroad), stored as short stable codes."""

    ARA = "ara"
    BFC = "bfc"
    BRE = "bre"
    CVL = "cvl"
    COR = "cor"
    GES = "ges"
    HDF = "hdf"
    IDF = "idf"
    NOR = "nor"
    NAQ = "naq"
    OCC = "occ"
    PDL = "pdl"
    PAC = "pac"
    OUTREMER = "outremer"
    ABROAD = "abroad"

    @classmethod
    def _labels(cls):
        return {
            cls.ARA: _l("Auvergne-Rhône-Alpes"),
            cls.BFC: _l("Bourgogne-Franche-Comté"),
            cls.BRE: _l("Bretagne"),
            cls.CVL: _l("Centre-Val de Loire"),
            cls.COR: _l("Corse"),
            cls.GES: _l("Grand Est"),
            cls.HDF: _l("Hauts-de-France"),
            cls.IDF: _l("Île-de-France"),
            cls.NOR: _l("Normandie"),
            cls.NAQ: _l("Nouvelle-Aquitaine"),
            cls.OCC: _l("Occitanie"),
            cls.PDL: _l("Pays de la Loire"),
            cls.PAC: _l("Provence-Alpes-Côte d'Azur"),
            cls.OUTREMER: _l("Overseas France"),
            cls.ABROAD: _l("Outside France"),
        }


class MembershipRole(LabelledEnum):
    """A role in an organisation (a membership) or on one event (an EventGrant). What each
    grants is eventapp.permissions.rules.ROLE_PERMISSIONS."""

    OWNER = "owner"
    MANAGER = "manager"
    CHECKIN = "checkin"
    VIEWER = "viewer"

    @classmethod
    def _labels(cls):
        return {
            cls.OWNER: _l("Owner"),
            cls.MANAGER: _l("Manager"),
            cls.CHECKIN: _l("Check-in staff"),
            cls.VIEWER: _l("Viewer"),
        }


class MailingStatus(LabelledEnum):
    """A mailing is sent at once, or scheduled (then sent by the `mailings.send_due` job, or
    cancelled before)."""

    SCHEDULED = "scheduled"
    SENT = "sent"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {
            cls.SCHEDULED: lazy_pgettext("mailing status", "Scheduled"),
            cls.SENT: lazy_pgettext("mailing status", "Sent"),
            cls.CANCELLED: lazy_pgettext("mailing status", "Cancelled"),
        }


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # a temporary failure: retried
    BOUNCED = "bounced"  # refused for good (a 5xx for the address): never retried
