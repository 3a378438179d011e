"""The organiser's B2B pages (the event's "B2B" tab): counts and set-up (switched on, rules,
blocks, tables), the scheduler's runs and report, the meetings per slot and table (move,
cancel, lock), publication, the schedule's export and the printable table sheets."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventapp.b2b.blueprint import bp
from eventapp.b2b.forms import BlockForm, MoveForm, RunForm, SettingsForm, TablesForm
from eventapp.extensions import db
from eventapp.i18n import current_language, localdatetime
from eventapp.models import (
    B2BBlock,
    B2BParticipant,
    B2BTable,
    Meeting,
    MeetingRequest,
    RequestStatus,
    ScheduleRun,
    utcnow,
)
from eventapp.organiser.forms import ActionForm, choices, local_zone, to_local, to_utc
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.routing import int_arg
from eventapp.services import audit
from eventapp.services.b2b import export, planning, profiles, scheduling, stats

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_RUNS = 5


def _own(model, object_id: int, event):
    """An object of this event, else 404 (another event's, or another organisation's)."""
    found = db.session.get(model, object_id)
    if found is None or found.event_id != event.id:
        abort(404)
    return found


@bp.route("/organiser/events/<id:event_id>/b2b", methods=["GET"])
@guard.event(Perm.STATISTICS)
def dashboard(event):
    """The counts, the set-up and the last runs (viewers see the counts)."""
    return _dashboard(event)


def _dashboard(event, *, settings_form=None, tables_form=None, status: int = 200):
    """The B2B page; a form given is shown as typed (with its errors)."""
    settings = profiles.settings_of(event)
    runs = list(
        db.session.scalars(
            select(ScheduleRun)
            .where(ScheduleRun.event_id == event.id)
            .order_by(ScheduleRun.id.desc())
            .limit(RECENT_RUNS)
        )
    )
    if settings_form is None:
        settings_form = SettingsForm(prefix="settings", formdata=None)
        if settings is not None:
            settings_form.process(obj=settings)
    return render_event(
        "b2b/organiser/dashboard.html",
        event,
        status=status,
        current_tab="b2b.dashboard",
        settings=settings,
        counts=stats.counts(event.id),
        by_category=stats.by_category(event.id),
        runs=runs,
        blocks=scheduling.blocks_of(event.id),
        tables=scheduling.tables_of(event.id),
        settings_form=settings_form,
        block_form=BlockForm(prefix="block", formdata=None),
        tables_form=tables_form or TablesForm(prefix="tables", formdata=None),
        run_form=RunForm(prefix="run", formdata=None),
        action_form=ActionForm(),
        active=scheduling.active_run(event.id),
    )


def _back(event):
    return url_for("b2b.dashboard", event_id=event.id)


def _page(event, template: str, **context):
    """page(status): the view's template in the event's B2B tab (for `_submit`)."""

    def page(status: int):
        return render_event(template, event, status=status, current_tab="b2b.dashboard", **context)

    return page


def _submit(event, form, page, change, done, back: str, audit_action: str | None = None):
    """The one shape of the B2B forms: on GET the page; on POST a form with errors shown again
    (400), a service's refusal under its field (`keep_form`), else the change, its audit line,
    `done(result)` flashed and a redirect to `back`."""
    if request.method != "POST":
        return page(200)
    if not form.validate():
        return page(400)
    with keep_form(form, page):
        result = change()
    if audit_action:
        audit.record(audit_action, user=current_user, event_id=event.id)
    flash(done(result), "success")
    return redirect(back)


@bp.post("/organiser/events/<id:event_id>/b2b/settings")
@guard.event(Perm.B2B)
def save_settings(event):
    form = SettingsForm(prefix="settings")
    return _submit(
        event,
        form,
        lambda status: _dashboard(event, settings_form=form, status=status),
        lambda: planning.save_settings(
            event,
            enabled=bool(form.enabled.data),
            request_limit=form.request_limit.data,
            meeting_cap=form.meeting_cap.data,
            request_expiry_hours=form.request_expiry_hours.data,
        ),
        lambda _result: _("The B2B settings are saved."),
        _back(event),
        "b2b.settings_changed",
    )


@bp.route("/organiser/events/<id:event_id>/b2b/blocks", methods=["GET", "POST"])
@guard.event(Perm.B2B)
def add_block(event):
    form = BlockForm(prefix="block")
    if request.method == "GET":
        form.process(
            starts_at=to_local(event.starts_at), ends_at=to_local(event.starts_at), slot_minutes=20
        )
    return _submit(
        event,
        form,
        _page(event, "b2b/organiser/block.html", form=form),
        lambda: planning.add_block(
            event, to_utc(form.starts_at.data), to_utc(form.ends_at.data), form.slot_minutes.data
        ),
        lambda _block: _("The meeting block is added."),
        _back(event),
        "b2b.block_added",
    )


@bp.post("/organiser/events/<id:event_id>/b2b/blocks/<id:block_id>/delete")
@guard.event(Perm.B2B)
def remove_block(event, block_id: int):
    block = _own(B2BBlock, block_id, event)
    if ActionForm().validate():
        with flash_and_redirect(_back(event)):
            planning.remove_block(block)
        flash(_("The meeting block is removed."), "success")
    return redirect(_back(event))


@bp.post("/organiser/events/<id:event_id>/b2b/tables")
@guard.event(Perm.B2B)
def add_tables(event):
    form = TablesForm(prefix="tables")
    return _submit(
        event,
        form,
        lambda status: _dashboard(event, tables_form=form, status=status),
        lambda: planning.add_tables(event, form.count.data, form.location.data or ""),
        lambda added: _("%(count)s tables added.", count=len(added)),
        _back(event),
    )


@bp.post("/organiser/events/<id:event_id>/b2b/tables/<id:table_id>/delete")
@guard.event(Perm.B2B)
def remove_table(event, table_id: int):
    table = _own(B2BTable, table_id, event)
    if ActionForm().validate():
        with flash_and_redirect(_back(event)):
            planning.remove_table(table)
        flash(_("The table is removed."), "success")
    return redirect(_back(event))


# --- scheduling -------------------------------------------------------------------------------


@bp.post("/organiser/events/<id:event_id>/b2b/runs")
@guard.event(Perm.B2B)
def run(event):
    form = RunForm(prefix="run")
    if not form.validate():
        flash(_("Your session has expired. Please try again."), "error")
        return redirect(_back(event))
    with flash_and_redirect(_back(event)):
        started = scheduling.start_run(event, current_user, form.mode.data)
    audit.record("b2b.schedule_run", user=current_user, event_id=event.id, mode=started.mode)
    return redirect(url_for("b2b.run_report", event_id=event.id, run_id=started.id))


REASONS = {
    "no_common_slot": lambda: _("The two are never available in the same slot."),
    "cap_reached": lambda: _("One of the two already has the most meetings allowed."),
    "busy": lambda: _("In every slot where both are available, one of them has another meeting."),
    "no_table": lambda: _("Every table is taken in the slots where both are free."),
    "time_limit": lambda: _(
        "The time limit ended the search before it could place it (run again to try harder)."
    ),
    "skipped": lambda: _("Changed while the schedule was computed (cancelled or seat taken)."),
}


@bp.get("/organiser/events/<id:event_id>/b2b/runs/<id:run_id>")
@guard.event(Perm.B2B)
def run_report(event, run_id: int):
    """A run's progress (the page refreshes itself while it runs) and its report: why each
    request left out could not be placed."""
    found = _own(ScheduleRun, run_id, event)
    report = found.report or {}
    left_out = [(u["request"], u["code"]) for u in report.get("unplaced", [])]
    left_out += [(r, "skipped") for r in report.get("skipped", [])]
    names = _request_names([r for r, _c in left_out])
    rows = [
        {"names": names.get(r, ("—", "—")), "reason": REASONS.get(code, REASONS["busy"])()}
        for r, code in left_out
    ]
    return render_event(
        "b2b/organiser/run.html",
        event,
        current_tab="b2b.dashboard",
        run=found,
        report=report,
        rows=rows,
        refresh=found.status in ("queued", "running"),
    )


def _request_names(request_ids: list[int]) -> dict[int, tuple[str, str]]:
    if not request_ids:
        return {}
    rows = db.session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.id.in_(request_ids))
        .options(
            joinedload(MeetingRequest.sender).joinedload(B2BParticipant.registration),
            joinedload(MeetingRequest.sender).joinedload(B2BParticipant.profile),
            joinedload(MeetingRequest.recipient).joinedload(B2BParticipant.registration),
            joinedload(MeetingRequest.recipient).joinedload(B2BParticipant.profile),
        )
    )
    out = {}
    for r in rows:
        out[r.id] = tuple(
            f"{p.registration.full_name} ({p.profile.organisation_name})"
            for p in (r.sender, r.recipient)
        )
    return out


@bp.get("/organiser/events/<id:event_id>/b2b/meetings")
@guard.event(Perm.B2B)
def grid(event):
    """Every slot with its meetings, table by table; the accepted requests still unplaced."""
    grid = scheduling.meetings_by_slot(event.id)
    unplaced = list(
        db.session.scalars(
            select(MeetingRequest)
            .where(
                MeetingRequest.event_id == event.id,
                MeetingRequest.status == RequestStatus.ACCEPTED,
                MeetingRequest.id.not_in(select(Meeting.request_id)),
            )
            .options(
                joinedload(MeetingRequest.sender).joinedload(B2BParticipant.registration),
                joinedload(MeetingRequest.recipient).joinedload(B2BParticipant.registration),
            )
            .order_by(MeetingRequest.id)
        )
    )
    return render_event(
        "b2b/organiser/meetings.html",
        event,
        current_tab="b2b.dashboard",
        grid=grid,
        unplaced=unplaced,
        settings=profiles.settings_of(event),
        action_form=ActionForm(),
    )


def _move_form(event) -> MoveForm:
    form = MoveForm()
    form.slot.choices = choices(
        [(s.id, localdatetime(s.starts_at, "short")) for s in scheduling.slots_of(event.id)]
    )
    form.table.choices = choices(
        [
            (
                t.id,
                _("Table %(number)s", number=t.number) + (f" · {t.location}" if t.location else ""),
            )
            for t in scheduling.tables_of(event.id)
        ]
    )
    return form


@bp.route(
    "/organiser/events/<id:event_id>/b2b/meetings/<id:meeting_id>/move", methods=["GET", "POST"]
)
@guard.event(Perm.B2B)
def move(event, meeting_id: int):
    meeting = _own(Meeting, meeting_id, event)
    form = _move_form(event)
    if request.method == "GET":
        form.process(slot=meeting.slot_id, table=meeting.table_id)
    page = _page(
        event, "b2b/organiser/move.html", form=form, meeting=meeting,
        names=_request_names([meeting.request_id]),
    )  # fmt: skip
    return _submit(
        event,
        form,
        page,
        lambda: scheduling.move(meeting, form.slot.data, form.table.data),
        lambda _moved: _("The meeting is moved (and locked)."),
        url_for("b2b.grid", event_id=event.id),
        "b2b.meeting_moved",
    )


@bp.route(
    "/organiser/events/<id:event_id>/b2b/requests/<id:request_id>/place", methods=["GET", "POST"]
)
@guard.event(Perm.B2B)
def place(event, request_id: int):
    meeting_request = _own(MeetingRequest, request_id, event)
    form = _move_form(event)
    page = _page(
        event, "b2b/organiser/move.html", form=form, meeting=None,
        names=_request_names([meeting_request.id]),
    )  # fmt: skip
    return _submit(
        event,
        form,
        page,
        lambda: scheduling.place(meeting_request, form.slot.data, form.table.data),
        lambda _placed: _("The meeting is placed (and locked)."),
        url_for("b2b.grid", event_id=event.id),
        "b2b.meeting_placed",
    )


@bp.post("/organiser/events/<id:event_id>/b2b/meetings/<id:meeting_id>/cancel")
@guard.event(Perm.B2B)
def cancel(event, meeting_id: int):
    meeting = _own(Meeting, meeting_id, event)
    if ActionForm().validate():
        scheduling.cancel(meeting)
        audit.record("b2b.meeting_cancelled", user=current_user, event_id=event.id)
        flash(_("The meeting is cancelled."), "success")
    return redirect(url_for("b2b.grid", event_id=event.id))


@bp.post("/organiser/events/<id:event_id>/b2b/meetings/<id:meeting_id>/<any(lock, unlock):how>")
@guard.event(Perm.B2B)
def lock(event, meeting_id: int, how: str):
    meeting = _own(Meeting, meeting_id, event)
    if ActionForm().validate():
        scheduling.set_locked(meeting, how == "lock")
    return redirect(url_for("b2b.grid", event_id=event.id) + f"#meeting-{meeting.id}")


@bp.post("/organiser/events/<id:event_id>/b2b/publish")
@guard.event(Perm.B2B)
def publish(event):
    if not ActionForm().validate():
        return redirect(url_for("b2b.grid", event_id=event.id))
    told = scheduling.publish(event)
    audit.record("b2b.published", user=current_user, event_id=event.id, participants=told)
    flash(_("The schedule is published: %(count)s participants get their agenda by e-mail.",
            count=told), "success")  # fmt: skip
    return redirect(url_for("b2b.grid", event_id=event.id))


@bp.get("/organiser/events/<id:event_id>/b2b/schedule.<any(csv, xlsx):format>")
@guard.event(Perm.B2B)
def export_schedule(event, format: str):
    """The meeting schedule as a file, streamed."""
    stamp = utcnow().astimezone(local_zone()).strftime("%Y%m%d-%H%M")
    filename = f"{event.slug}-b2b-{stamp}.{format}"
    audit.record("b2b.exported", user=current_user, event_id=event.id, format=format)
    if format == "xlsx":
        body = export.xlsx_stream(event.id, local_zone(), title=event.title(current_language()))
        mimetype = XLSX
    else:
        body = (chunk.encode("utf-8") for chunk in export.csv_stream(event.id, local_zone()))
        mimetype = "text/csv; charset=utf-8"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/organiser/events/<id:event_id>/b2b/tables/sheets")
@guard.event(Perm.B2B)
def table_sheets(event):
    """One printable sheet per table: its meetings in time order (a page break between)."""
    grid = scheduling.meetings_by_slot(event.id)
    by_table: dict[int, list] = {}
    for slot, rows in grid:
        for row in rows:
            by_table.setdefault(row.table.id, []).append((slot, row))
    tables = [t for t in scheduling.tables_of(event.id) if t.id in by_table]
    return render_event(
        "b2b/organiser/sheets.html",
        event,
        current_tab="b2b.dashboard",
        tables=tables,
        by_table=by_table,
        only=int_arg("table"),
    )
