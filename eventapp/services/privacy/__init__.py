"""Personal data, by job: anonymising.py (anonymise registrations; erasure at the participant's
request, through the seat rule), retention.py (the retention purge and its ages), access.py
(what a participant downloads about themselves). Services flush; callers commit (the CLI
commits once per batch). The names callers use are re-exported here."""

from eventapp.services.privacy.access import export_person
from eventapp.services.privacy.anonymising import (
    ANONYMISED_NAME,
    anonymise,
    erase,
    registrations_of_person,
)
from eventapp.services.privacy.errors import PrivacyError
from eventapp.services.privacy.retention import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_RETENTION_MONTHS,
    Age,
    add_months,
    anonymise_batch,
    events_to_purge,
    finish_event_purge,
    parse_age,
    purge_event,
    retention_ends_at,
    retention_months,
)

__all__ = [
    "ANONYMISED_NAME",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_RETENTION_MONTHS",
    "Age",
    "PrivacyError",
    "add_months",
    "anonymise",
    "anonymise_batch",
    "erase",
    "events_to_purge",
    "export_person",
    "finish_event_purge",
    "parse_age",
    "purge_event",
    "registrations_of_person",
    "retention_ends_at",
    "retention_months",
]
