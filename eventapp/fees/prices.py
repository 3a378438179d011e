"""The organiser's rates page: the event's price categories (add, edit, withdraw) and its
payment settings (deadlines, cancellation policy)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.extensions import db
from eventapp.fees.blueprint import bp
from eventapp.fees.forms import PriceForm, SettingsForm
from eventapp.models import PriceCategory, PriceKind, Verification
from eventapp.organiser.forms import to_local, to_utc
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.routing import int_arg
from eventapp.services import audit
from eventapp.services.fees import pricing
from eventapp.services.fees.formatting import euros_text


def _category(event, category_id):
    category = db.session.get(PriceCategory, category_id) if category_id else None
    if category_id and (category is None or category.event_id != event.id):
        abort(404)
    return category


def _fill(form: PriceForm, category: PriceCategory) -> None:
    category.kind = PriceKind(form.kind.data)
    category.name_fr = form.name_fr.data
    category.name_en = form.name_en.data or ""
    category.price_cents = form.price.cents
    category.vat_basis_points = form.vat.basis_points
    category.verification = Verification(form.verification.data)
    category.valid_from = to_utc(form.valid_from.data)
    category.valid_until = to_utc(form.valid_until.data)
    category.quota = form.quota.data
    category.includes_fr = form.includes_fr.data or ""
    category.includes_en = form.includes_en.data or ""
    category.active = bool(form.active.data)
    category.per_stage = bool(form.per_stage.data)


@bp.route("/organiser/events/<id:event_id>/rates", methods=["GET", "POST"])
@guard.event(Perm.PAYMENTS)
def rates(event):
    """The rates: a list, the add/edit form (?category=N edits one), the settings. A tour's
    rates are the tour's (a pass for the whole tour, or a price per stage booked: `per_stage`);
    its stages take no rate of their own."""
    if event.parent_id is not None:
        if request.method == "POST":
            flash(_("A tour's stages are priced by the tour's rates: set them on the tour."))
            return redirect(url_for("fees.rates", event_id=event.id))
        return render_event("fees/rates.html", event, free_only=True)
    category = _category(event, int_arg("category"))
    form = PriceForm(prefix="price")
    settings = pricing.settings_of(event)
    settings_form = SettingsForm(prefix="settings")
    if request.method == "GET":
        settings_form.process(
            obj=settings,
            full_refund_until=to_local(settings.full_refund_until),
        )
        if category is not None:
            form.process(
                obj=category,
                price=euros_text(category.price_cents),
                per_stage="1" if category.per_stage else "0",
                vat=euros_text(category.vat_basis_points),
                valid_from=to_local(category.valid_from),
                valid_until=to_local(category.valid_until),
            )
    status = 200
    if request.method == "POST" and "settings-submit" in request.form:
        if settings_form.validate():
            settings = pricing.settings_of(event, create=True)
            settings.transfer_days = settings_form.transfer_days.data
            settings.card_minutes = settings_form.card_minutes.data
            settings.full_refund_until = to_utc(settings_form.full_refund_until.data)
            settings.late_refund_percent = settings_form.late_refund_percent.data
            audit.record("fees.settings_changed", user=current_user, event_id=event.id)
            flash(_("The payment settings are saved."), "success")
            return redirect(url_for("fees.rates", event_id=event.id))
        status = 400
    elif request.method == "POST":
        if form.validate() and not (
            form.valid_from.data
            and form.valid_until.data
            and form.valid_until.data <= form.valid_from.data
        ):
            new = category is None
            if new:
                category = PriceCategory(
                    event_id=event.id, position=len(pricing.categories(event, active_only=False))
                )
                db.session.add(category)
            _fill(form, category)
            db.session.flush()
            audit.record(
                "fees.rate_created" if new else "fees.rate_changed",
                user=current_user,
                event_id=event.id,
                category_id=category.id,
                price_cents=category.price_cents,
            )
            flash(_("The rate is saved."), "success")
            return redirect(url_for("fees.rates", event_id=event.id))
        if (
            form.valid_until.data
            and form.valid_from.data
            and form.valid_until.data <= form.valid_from.data
        ):
            form.valid_until.errors = [_("The end of the validity must come after its start.")]
        status = 400
    taken = pricing.places_by_category(event)
    rows = [
        {
            "category": c,
            "taken": taken.get(c.id, 0),
            "total": pricing.with_vat(c.price_cents, c.vat_basis_points),
        }
        for c in pricing.categories(event, active_only=False)
    ]
    return render_event(
        "fees/rates.html",
        event,
        status=status,
        form=form,
        settings_form=settings_form,
        rows=rows,
        editing=category,
    )
