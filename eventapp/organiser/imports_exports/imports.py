"""Import people from a file: upload, a preview that names every bad row, then the import of
the good rows in one transaction once the organiser confirms; an empty template file."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventapp.extensions import db
from eventapp.models import ActorCategory, ImportUpload, Region
from eventapp.organiser.blueprint import bp
from eventapp.organiser.imports_exports.forms import ImportConfirmForm, ImportUploadForm
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.services import imports


@bp.route("/events/<id:event_id>/import", methods=["GET", "POST"])
@guard.event(Perm.ATTENDEES_IMPORT)
def import_upload(event):
    if event.is_tour:
        flash(_("Import people into one of the tour's stages."), "info")
        return redirect(url_for("organiser.event_overview", event_id=event.id))
    form = ImportUploadForm()

    def page(status: int):
        return render_event(
            "organiser/import_upload.html",
            event,
            status=status,
            form=form,
            categories=ActorCategory.choices(),
            regions=Region.choices(),
            max_rows=imports.MAX_ROWS,
        )

    if form.validate_on_submit():
        storage = form.file.data
        content = storage.read()
        with keep_form(form, page):
            imports.check(event, imports.read_records(content, storage.filename or ""))
            upload = imports.store_upload(
                event, user=current_user, filename=storage.filename or "import", content=content
            )
        return redirect(url_for("organiser.import_preview", event_id=event.id, upload_id=upload.id))
    return page(400 if form.is_submitted() else 200)


@bp.route("/events/<id:event_id>/import/<id:upload_id>", methods=["GET", "POST"])
@guard.event(Perm.ATTENDEES_IMPORT)
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
    with flash_and_redirect(url_for("organiser.import_upload", event_id=event.id)):
        checked = imports.preview(event, upload)
    if form.validate_on_submit() and checked.good:
        version = f"import:{current_app.config['PRIVACY_NOTICE_VERSION']}"
        with flash_and_redirect(url_for("organiser.attendees", event_id=event.id)):
            result = imports.import_upload(
                event,
                upload,
                user=current_user,
                notify=form.notify.data,
                consent_version=version,
                checked=checked,
            )
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


@bp.get("/events/<id:event_id>/import/template.csv")
@guard.event(Perm.ATTENDEES_IMPORT)
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


@bp.app_template_filter("import_problem")
def import_problem(problem) -> str:
    messages = {
        "missing_first_name": lambda: _("first name missing"),
        "missing_last_name": lambda: _("last name missing"),
        "bad_email": lambda: (
            _("invalid e-mail address “%(value)s”", value=problem.value)
            if problem.value
            else _("e-mail address missing")
        ),
        "unknown_category": lambda: _("unknown category “%(value)s”", value=problem.value),
        "unknown_region": lambda: _("unknown region “%(value)s”", value=problem.value),
        "duplicate_in_file": lambda: _(
            "duplicate: same e-mail as line %(line)s", line=problem.first_line
        ),
        "already_registered": lambda: _("already registered for this event"),
        "too_long": lambda: _("a value is too long"),
    }
    message = messages.get(problem.code)
    return message() if message else problem.code
