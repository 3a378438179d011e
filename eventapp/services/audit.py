from typing import Any

from eventapp.extensions import db
from eventapp.models import AuditLog, User


def record(
    action: str,
    *,
    user: User | None = None,
    actor: str | None = None,
    event_id: int | None = None,
    registration_id: int | None = None,
    **details: Any,
) -> AuditLog:
    """Append one line to the audit log (in the caller's transaction)."""
    entry = AuditLog(
        action=action,
        user_id=user.id if user is not None else None,
        actor=actor or ("user" if user is not None else "system"),
        event_id=event_id,
        registration_id=registration_id,
        details=details,
    )
    db.session.add(entry)
    return entry
