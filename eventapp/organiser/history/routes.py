"""The audit log of an event: every change by an organiser (and the system), newest first."""

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import AuditLog, Registration, User
from eventapp.organiser.blueprint import bp
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.routing import page_arg

PAGE = 100


@bp.get("/events/<id:event_id>/history")
@guard.event(Perm.HISTORY)
def audit_log(event):
    total = db.session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.event_id == event.id)
    )
    pages = max((total + PAGE - 1) // PAGE, 1)
    page = page_arg(pages=pages)
    entries = db.session.execute(
        select(AuditLog, User.name, Registration.first_name, Registration.last_name)
        .outerjoin(User, User.id == AuditLog.user_id)
        .outerjoin(Registration, Registration.id == AuditLog.registration_id)
        .where(AuditLog.event_id == event.id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    ).all()
    return render_event(
        "organiser/history.html", event, entries=entries, page=page, pages=pages, total=total
    )
