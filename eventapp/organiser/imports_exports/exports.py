"""Exports (CSV, XLSX) of the filtered attendee list, streamed; each one is audit-logged."""

from __future__ import annotations

from flask import Response, abort, request, stream_with_context
from flask_login import current_user

from eventapp.i18n import current_language
from eventapp.models import utcnow
from eventapp.organiser.attendees.query import AttendeeFilter, registrations_query
from eventapp.organiser.blueprint import bp
from eventapp.organiser.forms import local_zone
from eventapp.permissions import Perm, guard
from eventapp.questions import reading
from eventapp.services import exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/events/<id:event_id>/attendees/export.<any(csv, xlsx):format>")
@guard.tour(Perm.ATTENDEES_EXPORT)
def export(event, scope, format: str):
    """The filtered list as a file, streamed (the same filters as the list page)."""
    flt = AttendeeFilter.from_args(request.args)
    ids = [e.id for e in scope]
    if not ids:
        abort(404)
    query = registrations_query(ids, flt)
    lang = current_language()
    titles = {e.id: e.title(lang) for e in scope} if event.is_tour else None
    stamp = utcnow().astimezone(local_zone()).strftime("%Y%m%d-%H%M")
    filename = exports.filename(event.slug, flt.to_args(), stamp, format)
    chosen = request.args.getlist("col")
    questions = reading.export_specs(
        ids,
        lang,
        with_sensitive=request.args.get("sensitive") == "1",
        chosen=set(chosen) if chosen else None,
    )
    exports.record_export(
        event,
        user=current_user,
        format=format,
        filters={
            **flt.for_log(),
            **({"questions": [q.identifier for q in questions]} if questions else {}),
        },
    )
    if format == "xlsx":
        body = exports.xlsx_stream(
            query, local_zone(), title=event.title(lang), event_titles=titles, questions=questions
        )
        mimetype = XLSX
    else:
        delimiter = ";" if request.args.get("sep") == "semicolon" else ","
        body = (
            chunk.encode("utf-8")
            for chunk in exports.csv_stream(
                query,
                local_zone(),
                delimiter=delimiter,
                event_titles=titles,
                questions=questions,
            )
        )
        mimetype = "text/csv; charset=utf-8"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
