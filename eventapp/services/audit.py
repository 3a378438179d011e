from typing import Any

from eventapp.extensions import db
from eventapp.models import AuditLog, User


def record(
    action: str,
    *,
    user: User | None = None,
    user_id: int | None = None,
    actor: str | None = None,
    event_id: int | None = None,
    registration_id: int | None = None,
    **details: Any,
) -> AuditLog:
    """Append one line to the audit log (in the caller's transaction). The acting user is
    `user`, or `user_id` (a domain event's subscriber has only the id)."""
    if user is not None:
        user_id = user.id
    entry = AuditLog(
        action=action,
        user_id=user_id,
        actor=actor or ("user" if user_id is not None else "system"),
        event_id=event_id,
        registration_id=registration_id,
        details=details,
    )
    db.session.add(entry)
    return entry
