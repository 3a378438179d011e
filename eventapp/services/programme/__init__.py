"""The programme's business rules (issue 16). The API the rest of the app (and the REST API)
uses is re-exported here."""

from eventapp.services.programme import agenda_mail  # noqa: F401 - its e-mail context
from eventapp.services.programme.attendance import admit, admit_code, attended
from eventapp.services.programme.conflicts import Conflict
from eventapp.services.programme.conflicts import find as find_conflicts
from eventapp.services.programme.editing import (
    delete_session,
    rooms,
    save_room,
    save_session,
    save_speaker,
    save_track,
    set_cancelled,
    speakers,
    state_of,
    tracks,
)
from eventapp.services.programme.errors import ProgrammeError
from eventapp.services.programme.importing import import_sessions
from eventapp.services.programme.publishing import pending_changes, publish
from eventapp.services.programme.reading import (
    days,
    draft_sessions,
    has_published_programme,
    listed_speakers,
    public_session_or_none,
    published_sessions,
    signup_counts,
)
from eventapp.services.programme.signups import (
    agenda,
    manage_block,
    promote_waiting,
    sign_up,
    signups_of,
    stars_of,
    toggle_star,
    withdraw,
)

__all__ = [
    "Conflict",
    "ProgrammeError",
    "admit",
    "admit_code",
    "agenda",
    "attended",
    "days",
    "delete_session",
    "draft_sessions",
    "find_conflicts",
    "has_published_programme",
    "import_sessions",
    "listed_speakers",
    "manage_block",
    "pending_changes",
    "promote_waiting",
    "public_session_or_none",
    "publish",
    "published_sessions",
    "rooms",
    "save_room",
    "save_session",
    "save_speaker",
    "save_track",
    "set_cancelled",
    "sign_up",
    "signup_counts",
    "signups_of",
    "speakers",
    "stars_of",
    "state_of",
    "toggle_star",
    "tracks",
    "withdraw",
]
