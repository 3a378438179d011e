"""A programme imported from a file, on the attendee import's screens and steps
(organiser/imports_exports/imports.py): the upload, the same column-mapping screen, a preview
naming every bad row, then the sessions created in one transaction once confirmed."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventapp.organiser.forms import ActionForm
from eventapp.organiser.imports_exports.forms import ImportUploadForm
from eventapp.organiser.imports_exports.imports import (
    mapping_page,
    mapping_rows,
    mapping_step,
    samples,
    upload_of,
)
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.programme.blueprint import bp
from eventapp.programme.organiser import BASE
from eventapp.services import imports
from eventapp.services.programme import importing

TEMPLATE = "programme/organiser/import_preview.html"


@bp.route(BASE + "/import", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def import_programme(event):
    form = ImportUploadForm()

    def page(status: int):
        return render_event(
            "programme/organiser/import_upload.html",
            event,
            status=status,
            form=form,
            fields=importing.field_choices(),
            max_rows=imports.MAX_ROWS,
            current_tab="programme.timetable",
        )

    if form.validate_on_submit():
        storage = form.file.data
        with keep_form(form, page):
            upload = imports.receive(
                event,
                user=current_user,
                filename=storage.filename or "",
                content=storage.read(),
                kind=importing.KIND,
            )
        return redirect(
            url_for("programme.import_programme_preview", event_id=event.id, upload_id=upload.id)
        )
    return page(400 if form.is_submitted() else 200)


@bp.route(BASE + "/import/<id:upload_id>", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def import_programme_preview(event, upload_id: int):
    upload = upload_of(event, upload_id, importing.KIND)
    timetable = url_for("programme.timetable", event_id=event.id)
    if upload.imported_at is not None:
        flash(_("This file has already been imported."), "info")
        return redirect(timetable)
    here = url_for("programme.import_programme_preview", event_id=event.id, upload_id=upload.id)
    fields = importing.field_choices()

    def on_mapping(error, mapping, status):
        return mapping_page(
            TEMPLATE,
            event,
            upload,
            fields,
            error,
            mapping,
            status,
            confirm_form=None,
            current_tab="programme.timetable",
        )

    mapped = mapping_step(event, upload, here, on_mapping)
    if mapped is not None:
        return mapped
    try:
        checked = imports.preview(event, upload)
    except imports.ImportFileError as error:
        if error.code != imports.ImportFileError.Code.MISSING_COLUMNS:
            with flash_and_redirect(url_for("programme.import_programme", event_id=event.id)):
                raise
        return on_mapping(error, error.info.get("mapping"), 200)
    confirm_form = ActionForm()
    is_confirm = confirm_form.is_submitted()
    if is_confirm and confirm_form.validate_on_submit() and checked.good:
        with flash_and_redirect(here):
            created = importing.import_sessions(event, upload, user=current_user, checked=checked)
        flash(
            ngettext(
                "%(num)s session added to the draft.",
                "%(num)s sessions added to the draft.",
                created,
            )
            + " "
            + _("Check the conflicts, then publish."),
            "success",
        )
        return redirect(timetable)
    return render_event(
        TEMPLATE,
        event,
        status=400 if is_confirm else 200,
        upload=upload,
        checked=checked,
        mapping_rows=mapping_rows(checked.header, checked.mapping, samples(upload)),
        fields=fields,
        map_form=ActionForm(),
        confirm_form=confirm_form,
        problem=None,
        current_tab="programme.timetable",
    )
