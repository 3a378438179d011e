"""The table check-in of B2B meetings (issue 18): at the tables, the hosts (check-in role and
up) mark each meeting of the slot under way held or no-show; each of the two people can mark
their own meeting from their agenda."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.b2b.blueprint import bp
from eventapp.b2b.participant import _me
from eventapp.extensions import db, limiter
from eventapp.models import Attendance, Meeting, Registration
from eventapp.organiser.forms import ActionForm
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect
from eventapp.routing import int_arg
from eventapp.services import audit
from eventapp.services.b2b import attendance, listing, scheduling

MARKS = {"held": Attendance.HELD, "no_show": Attendance.NO_SHOW, "clear": None}
DONE = {
    "held": lambda: _("Marked as held."),
    "no_show": lambda: _("Marked as a no-show."),
    "clear": lambda: _("The mark is cleared."),
}


@bp.get("/organiser/events/<id:event_id>/b2b/checkin")
@guard.event(Perm.CHECKIN)
def table_checkin(event):
    """One slot's meetings, table by table, with their marks (the slot under way by default)."""
    slots = scheduling.slots_of(event.id)
    wanted = int_arg("slot")
    slot = next((s for s in slots if s.id == wanted), None) or attendance.current_slot(slots)
    rows = []
    if slot is not None:
        query = listing.with_people(event.id, slot_id=slot.id)
        rows = list(listing.rows(db.session.execute(query)))
    return render_event(
        "b2b/organiser/checkin.html",
        event,
        current_tab="b2b.dashboard",
        slots=slots,
        slot=slot,
        rows=rows,
        counts=attendance.counts(event.id),
        action_form=ActionForm(),
    )


@bp.post(
    "/organiser/events/<id:event_id>/b2b/meetings/<id:meeting_id>/"
    "attendance/<any(held, no_show, clear):how>"
)
@guard.event(Perm.CHECKIN)
def mark_meeting(event, meeting_id: int, how: str):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id:
        abort(404)
    back = url_for("b2b.table_checkin", event_id=event.id, slot=meeting.slot_id)
    back += f"#meeting-{meeting.id}"
    if not ActionForm().validate():
        flash(_("Your session has expired. Please try again."), "error")
        return redirect(back)
    with flash_and_redirect(back):
        attendance.mark(meeting, MARKS[how])
    audit.record("b2b.attendance", user=current_user, event_id=event.id, mark=how)
    flash(DONE[how](), "success")
    return redirect(back)


def _rate():
    return current_app.config["MANAGE_RATE_LIMIT"]


@bp.post("/r/<token>/b2b/meetings/<id:meeting_id>/<mark>")
@limiter.limit(_rate)
@guard.manage_link
def mark_own_meeting(registration: Registration, token: str, meeting_id: int, mark: str):
    """One of the two people says the meeting took place ("held"), or that the other did not
    come ("no_show"); clearing a mark is the hosts'."""
    if mark not in ("held", "no_show"):
        abort(404)
    participant = _me(registration, token)
    back = url_for("b2b.meetings", token=token)
    if participant is None:
        return redirect(url_for("b2b.home", token=token))
    meeting = attendance.meeting_of(participant, meeting_id)  # 404 if not theirs
    if not ActionForm().validate():
        flash(_("Your session has expired. Please try again."), "error")
        return redirect(back)
    with flash_and_redirect(back):
        attendance.mark(meeting, MARKS[mark])
    audit.record(
        "b2b.attendance", actor="participant", event_id=registration.event_id,
        registration_id=registration.id, mark=mark,
    )  # fmt: skip
    flash(DONE[mark](), "success")
    return redirect(back + f"#meeting-{meeting.id}")
