"""Import people from a file: upload, a preview that names every bad row, then the import of
the good rows in one transaction once the organiser confirms; an empty template file."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventapp.extensions import db
from eventapp.models import ActorCategory, ImportUpload, Region
from eventapp.organiser.blueprint import bp
from eventapp.organiser.forms import ActionForm
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
        with keep_form(form, page):
            upload = imports.receive(
                event, user=current_user, filename=storage.filename or "", content=storage.read()
            )
        return redirect(url_for("organiser.import_preview", event_id=event.id, upload_id=upload.id))
    return page(400 if form.is_submitted() else 200)


@bp.route("/events/<id:event_id>/import/<id:upload_id>", methods=["GET", "POST"])
@guard.event(Perm.ATTENDEES_IMPORT)
def import_preview(event, upload_id: int):
    """The preview: each bad row with its line and reasons; the good rows are imported only
    when the organiser confirms, in one transaction."""
    upload = upload_of(event, upload_id, "attendees")
    if upload.imported_at is not None:
        flash(_("This file has already been imported."), "info")
        return redirect(url_for("organiser.attendees", event_id=event.id))
    form = ImportConfirmForm()
    here = url_for("organiser.import_preview", event_id=event.id, upload_id=upload.id)
    back = url_for("organiser.import_upload", event_id=event.id)
    fields = _mapping_fields(event)
    mapped = mapping_step(
        event,
        upload,
        here,
        lambda error, mapping, status: _mapping_page(event, upload, fields, error, mapping, status),
    )
    if mapped is not None:
        return mapped
    try:
        checked = imports.preview(event, upload)
    except imports.ImportFileError as error:
        if error.code != imports.ImportFileError.Code.MISSING_COLUMNS:
            with flash_and_redirect(back):
                raise
        return _mapping_page(event, upload, fields, error, error.info.get("mapping"), 200)
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
        mapping_rows=mapping_rows(checked.header, checked.mapping, samples(upload)),
        fields=fields,
        map_form=ActionForm(),
        problem=None,
        current_tab="organiser.import_upload",
    )


def upload_of(event, upload_id: int, kind: str) -> ImportUpload:
    """The event's upload of this kind (another event's, or another kind's: 404)."""
    upload = db.session.get(ImportUpload, upload_id)
    if upload is None or upload.event_id != event.id or (upload.kind or "attendees") != kind:
        abort(404)
    return upload


def mapping_step(event, upload, here: str, page):
    """The mapping screen's POST (`step=map`), shared by every kind of import: the organiser's
    field per column, checked at once; a mapping without a required column shows the screen
    again with what is missing (`page(error, mapping, 422)`). None if this is not that step."""
    if request.method != "POST" or request.form.get("step") != "map":
        return None
    if not ActionForm().validate_on_submit():
        return None
    mapping = [request.form.get(f"map-{i}", "") for i in range(column_count(upload))]
    try:
        imports.set_mapping(event, upload, mapping)
    except imports.ImportFileError as error:
        if error.code != imports.ImportFileError.Code.MISSING_COLUMNS:
            raise
        return page(error, mapping, 422)
    flash(_("The columns are mapped: check the rows below."), "success")
    return redirect(here)


def _mapping_fields(event) -> list[tuple[str, str]]:
    """What a column may be mapped to: the person's fields, the language, the questions."""
    from eventapp.questions.fields import PERSON_FIELDS

    person = [(f.name, str(f.label)) for f in PERSON_FIELDS]
    person.append(("language", _("Language of the e-mails")))
    questions = [
        (imports.QUESTION_PREFIX + s.identifier, _("Question: %(label)s", label=s.label))
        for s in imports.import_questions(event)
    ]
    return person + questions


def column_count(upload) -> int:
    return min(len(imports.header_of(imports.read_records(upload.content, upload.filename))), 200)


def samples(upload) -> list[str]:
    records = [
        cells
        for _line, cells in imports.read_records(upload.content, upload.filename)
        if any(c.strip() for c in cells)
    ]
    return records[1] if len(records) > 1 else []


def mapping_rows(header, mapping, sample) -> list[dict]:
    return [
        {
            "index": i,
            "name": name,
            "key": (mapping[i] if mapping and i < len(mapping) else ""),
            "sample": (sample[i] if i < len(sample) else "")[:60],
        }
        for i, name in enumerate(header[:200])
    ]


def _mapping_page(event, upload, fields, error, mapping, status):
    return mapping_page(
        "organiser/import_preview.html",
        event,
        upload,
        fields,
        error,
        mapping,
        status,
        current_tab="organiser.import_upload",
    )


def mapping_page(template, event, upload, fields, error, mapping, status, **context):
    """The file's columns to map, with what is missing (nothing can be imported before)."""
    header = error.info.get("header") or imports.header_of(
        imports.read_records(upload.content, upload.filename)
    )
    return render_event(
        template,
        event,
        status=status,
        form=None,
        upload=upload,
        checked=None,
        mapping_rows=mapping_rows(header, mapping, samples(upload)),
        fields=fields,
        map_form=ActionForm(),
        problem=error.message,
        **context,
    )


@bp.get("/events/<id:event_id>/import/template.csv")
@guard.event(Perm.ATTENDEES_IMPORT)
def import_template(event):
    """An empty CSV with the expected columns, in the reader's language."""
    from eventapp.questions.fields import EXPORT_PERSON_FIELDS, person_label

    # The person fields' labels of the field model, as the exports head them (re-importable).
    header = ";".join([*(person_label(name) for name in EXPORT_PERSON_FIELDS), _("Language")])
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
        "bad_text": lambda: _("special characters in “%(value)s”", value=problem.value),
        "bad_answer": lambda: problem.value,
    }
    message = messages.get(problem.code)
    return message() if message else problem.code
