"""An organisation's member directory: the member companies whose staff get the member rate
(by e-mail domain). Add one, import a CSV, remove one."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventapp.extensions import db
from eventapp.fees.blueprint import bp
from eventapp.fees.forms import MemberForm, MemberImportForm
from eventapp.models import MemberCompany
from eventapp.organiser.forms import ActionForm
from eventapp.permissions import Perm, guard
from eventapp.problems import keep_form
from eventapp.services import audit
from eventapp.services.fees import directory


@bp.route("/organiser/organisations/<id:org_id>/members-directory", methods=["GET", "POST"])
@guard.organisation(Perm.ORG_PROFILE)
def member_directory(organisation):
    form = MemberForm(prefix="member")
    import_form = MemberImportForm(prefix="import")

    def page(status):
        return (
            render_template(
                "fees/directory.html",
                organisation=organisation,
                members=directory.members(organisation),
                form=form,
                import_form=import_form,
                action_form=ActionForm(),
            ),
            status,
        )

    if import_form.submit.data and import_form.validate_on_submit():
        with keep_form(import_form, page):
            count = directory.import_csv(
                organisation, import_form.file.data.read(), user=current_user
            )
        flash(ngettext("%(num)s member imported.", "%(num)s members imported.", count), "success")
        return redirect(url_for("fees.member_directory", org_id=organisation.id))
    if form.submit.data and form.validate_on_submit():
        domains = directory.parse_domains(form.domains.data)
        siren = re.sub(r"\s", "", form.siren.data or "")
        if not domains:
            form.domains.errors = [_("Type domains like example.fr, separated by spaces.")]
            return page(422)
        if siren and not re.fullmatch(r"\d{9}", siren):
            form.siren.errors = [_("A SIREN has 9 digits.")]
            return page(422)
        directory.upsert(organisation, form.name.data, siren, domains)
        audit.record("members.added", user=current_user, organisation_id=organisation.id)
        flash(_("The member is saved."), "success")
        return redirect(url_for("fees.member_directory", org_id=organisation.id))
    submitted = form.submit.data or import_form.submit.data
    return page(400 if submitted else 200)


@bp.post("/organiser/organisations/<id:org_id>/members-directory/<id:member_id>/delete")
@guard.organisation(Perm.ORG_PROFILE)
def member_delete(organisation, member_id: int):
    member = db.session.get(MemberCompany, member_id)
    if member is None or member.organisation_id != organisation.id:
        abort(404)
    if ActionForm().validate():
        db.session.delete(member)
        audit.record("members.removed", user=current_user, organisation_id=organisation.id)
        flash(_("The member is removed."), "success")
    return redirect(url_for("fees.member_directory", org_id=organisation.id))
