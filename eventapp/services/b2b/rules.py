"""An event's booking rules by category (issue 18): who may request whom ("CDMOs may not
request other CDMOs"; a row of the matrix left with only CDMOs: "startups may request CDMOs"
only), the most meetings a person of a category may have, and the slot mode (the organiser's
scheduler, or participants pick a slot when they accept).

Rules:
- A request between two categories the event denies is refused when it is sent (and nobody is
  suggested whom one may not request).
- A person's cap is the smallest of the event's cap and their category's: the scheduler, a
  placement by hand, a late acceptance and a picked slot all read it here (`caps_of`).
"""

from __future__ import annotations

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import ActorCategory, B2BParticipant, B2BSettings, NetworkProfile

ORGANISER = "organiser"
SELF_PICK = "self_pick"
SLOT_MODES = (ORGANISER, SELF_PICK)
CATEGORIES = tuple(c.value for c in ActorCategory)


def may_request(settings: B2BSettings | None, sender: str, recipient: str) -> bool:
    if settings is None:
        return True
    return [str(sender), str(recipient)] not in (settings.denied_pairs or [])


def denied_targets(settings: B2BSettings | None, sender: str) -> set[str]:
    """The categories a person of `sender`'s category may not request."""
    return (
        {to for frm, to in (settings.denied_pairs or []) if frm == str(sender)}
        if settings
        else set()
    )


def cap_for(settings: B2BSettings | None, category: str) -> int | None:
    if settings is None:
        return None
    caps = [settings.meeting_cap, (settings.category_caps or {}).get(str(category))]
    caps = [c for c in caps if c is not None]
    return min(caps) if caps else None


def caps_of(settings: B2BSettings | None, participant_ids) -> dict[int, int | None]:
    """Each participant's cap (one query for their categories)."""
    ids = list(participant_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(B2BParticipant.id, NetworkProfile.category)
        .join(NetworkProfile, NetworkProfile.id == B2BParticipant.profile_id)
        .where(B2BParticipant.id.in_(ids))
    )
    return {pid: cap_for(settings, category) for pid, category in rows}


def save(
    settings: B2BSettings, *, slot_mode: str, allowed: dict[str, set[str]], caps: dict[str, int]
) -> None:
    """`allowed`: per sender category, the recipient categories it may request (every other
    pair is denied); `caps`: meetings per category (missing: no category cap)."""
    settings.slot_mode = slot_mode if slot_mode in SLOT_MODES else ORGANISER
    settings.denied_pairs = [
        [frm, to] for frm in CATEGORIES for to in CATEGORIES if to not in allowed.get(frm, set())
    ]
    settings.category_caps = {c: int(n) for c, n in caps.items() if c in CATEGORIES and n}
    db.session.flush()
