"""Exports (CSV, XLSX) of the filtered attendee list, and imports with a preview."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventapp.extensions import db
from eventapp.i18n import current_language
from eventapp.models import ActorCategory, ImportUpload, Region, utcnow
from eventapp.organiser import bp
from eventapp.organiser.access import event_view, render_event, requires
from eventapp.organiser.attendees import list_scope
from eventapp.organiser.filters import AttendeeFilter, registrations_query
from eventapp.organiser.forms import ImportConfirmForm, ImportUploadForm, local_zone
from eventapp.permissions import Need
from eventapp.services import audit, exports, imports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/events/<int:event_id>/attendees/export.<any(csv, xlsx):format>")
@requires(Need.MANAGE)
def export(event_id: int, format: str):
    """The filtered list as a file, streamed (the same filters as the list page)."""
    event, scope = list_scope(event_id)
    flt = AttendeeFilter.from_args(request.args)
    ids = [e.id for e in scope]
    if not ids:
        abort(404)
    query = registrations_query(ids, flt)
    lang = current_language()
    titles = {e.id: e.title(lang) for e in scope} if event.is_tour else None
    stamp = utcnow().astimezone(local_zone()).strftime("%Y%m%d-%H%M")
    filename = f"{event.slug}-{stamp}.{format}"
    audit.record(
        "attendees.exported",
        user=current_user,
        event_id=event.id,
        format=format,
        filters=flt.for_log(),
    )
    db.session.commit()
    if format == "xlsx":
        body = exports.xlsx_stream(query, local_zone(), title=event.slug, event_titles=titles)
        mimetype = XLSX
    else:
        delimiter = ";" if request.args.get("sep") == "semicolon" else ","
        body = (
            chunk.encode("utf-8")
            for chunk in exports.csv_stream(
                query, local_zone(), delimiter=delimiter, event_titles=titles
            )
        )
        mimetype = "text/csv; charset=utf-8"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- import ---------------------------------------------------------------------------------


def file_error_message(error: imports.ImportFileError) -> str:
    if error.code == "missing_columns":
        names = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "email": _("E-mail"),
        }
        return _(
            "The file has no column for: %(columns)s. The first row must name the columns.",
            columns=", ".join(names[c] for c in error.info["columns"]),
        )
    return {
        "empty": _("The file is empty."),
        "no_rows": _("The file has a header row but nobody in it."),
        "encoding": _("The file's text encoding is not recognised: save it as UTF-8 CSV."),
        "unreadable": _("This file cannot be read: send a CSV file or an Excel .xlsx file."),
        "too_many_rows": _(
            "The file has more than %(num)s rows: split it into smaller files.",
            num=imports.MAX_ROWS,
        ),
        "already_imported": _("This file has already been imported."),
    }.get(error.code, _("This file cannot be imported."))


@bp.route("/events/<int:event_id>/import", methods=["GET", "POST"])
@event_view(Need.MANAGE)
def import_upload(event):
    if event.is_tour:
        flash(_("Import people into one of the tour's stages."), "info")
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    form = ImportUploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        content = storage.read()
        try:
            imports.check(event, imports.read_records(content, storage.filename or ""))
        except imports.ImportFileError as error:
            form.file.errors = [*form.file.errors, file_error_message(error)]
        else:
            upload = imports.store_upload(
                event, user=current_user, filename=storage.filename or "import", content=content
            )
            db.session.commit()
            return redirect(
                url_for("organiser.import_preview", event_id=event.id, upload_id=upload.id)
            )
    status = 400 if form.is_submitted() else 200
    return render_event(
        "organiser/import_upload.html",
        event,
        status=status,
        form=form,
        categories=ActorCategory.choices(),
        regions=Region.choices(),
        max_rows=imports.MAX_ROWS,
    )


@bp.route("/events/<int:event_id>/import/<int:upload_id>", methods=["GET", "POST"])
@event_view(Need.MANAGE)
def import_preview(event, upload_id: int):
    """The preview: each bad row with its line and reasons; the good rows are imported only
    when the organiser confirms, in one transaction."""
    upload = db.session.get(ImportUpload, upload_id)
    if upload is None or upload.event_id != event.id:
        abort(404)
    if upload.imported_at is not None:
        flash(_("This file has already been imported."), "info")
        return redirect(url_for("organiser.attendees", event_id=event.id))
    form = ImportConfirmForm()
    try:
        checked = imports.preview(event, upload)
    except imports.ImportFileError as error:
        flash(file_error_message(error), "error")
        return redirect(url_for("organiser.import_upload", event_id=event.id))
    if form.validate_on_submit() and checked.good:
        version = f"import:{current_app.config['PRIVACY_NOTICE_VERSION']}"
        result = imports.import_upload(
            event,
            upload,
            user=current_user,
            notify=form.notify.data,
            consent_version=version,
            checked=checked,
        )
        db.session.commit()
        flash(
            ngettext(
                "%(num)s person imported",
                "%(num)s people imported",
                result.confirmed + result.waitlisted,
            )
            + " — "
            + _(
                "%(confirmed)s confirmed, %(waitlisted)s on the waiting list, %(skipped)s rows "
                "left out.",
                confirmed=result.confirmed,
                waitlisted=result.waitlisted,
                skipped=result.skipped,
            ),
            "success",
        )
        return redirect(url_for("organiser.attendees", event_id=event.id, sort="-date"))
    status = 400 if form.is_submitted() else 200
    return render_event(
        "organiser/import_preview.html",
        event,
        status=status,
        form=form,
        upload=upload,
        checked=checked,
        current_tab="organiser.import_upload",
    )


@bp.get("/events/<int:event_id>/import/template.csv")
@event_view(Need.MANAGE)
def import_template(event):
    """An empty CSV with the expected columns, in the reader's language."""
    header = ";".join(
        [
            _("Last name"),
            _("First name"),
            _("E-mail"),
            _("Organisation"),
            _("Job title"),
            _("Category"),
            _("Region"),
            _("Language"),
        ]
    )
    response = Response("\ufeff" + header + "\r\n", mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="import-template.csv"'
    return response
