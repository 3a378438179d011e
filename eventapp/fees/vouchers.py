"""The organiser's vouchers: create one code or generate a batch for a partner ("10 free
passes for Genopole"), and see who used which."""

from __future__ import annotations

import secrets

from flask import flash, redirect, url_for
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.fees.blueprint import bp
from eventapp.fees.forms import VoucherForm
from eventapp.models import Booking, BookingPayment, Voucher, VoucherKind
from eventapp.organiser.forms import to_utc
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import keep_form
from eventapp.services import audit
from eventapp.services.fees import pricing
from eventapp.services.fees.errors import FeeError

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _new_code(prefix: str) -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{prefix[:12]}-{body}" if prefix else body


def create_vouchers(event, form: VoucherForm) -> list[Voucher]:
    if (
        form.valid_from.data
        and form.valid_until.data
        and form.valid_until.data <= form.valid_from.data
    ):
        raise FeeError(FeeError.Code.BAD_DATES, field="valid_until")
    allowed = {c.id for c in pricing.categories(event, active_only=False)}
    chosen = sorted(i for i in (form.categories.data or []) if i in allowed)
    common = {
        "event_id": event.id,
        "kind": VoucherKind(form.kind.data),
        "value": form.value.amount,
        "valid_from": to_utc(form.valid_from.data),
        "valid_until": to_utc(form.valid_until.data),
        "category_ids": chosen,
        "partner": form.partner.data or "",
    }
    existing = set(db.session.scalars(select(Voucher.code).where(Voucher.event_id == event.id)))
    made = []
    if form.count.data:
        prefix = form.code.data or ""
        while len(made) < form.count.data:
            code = _new_code(prefix)
            if code in existing:
                continue
            existing.add(code)
            made.append(Voucher(code=code, max_uses=1, **common))
    else:
        if form.code.data in existing:
            raise FeeError(FeeError.Code.VOUCHER_EXISTS, field="code")
        made.append(Voucher(code=form.code.data, max_uses=form.max_uses.data, **common))
    db.session.add_all(made)
    db.session.flush()
    audit.record(
        "fees.vouchers_created",
        user=current_user,
        event_id=event.id,
        count=len(made),
        kind=str(common["kind"]),
    )
    return made


@bp.route("/organiser/events/<id:event_id>/vouchers", methods=["GET", "POST"])
@guard.event(Perm.PAYMENTS)
def vouchers(event):
    category_choices = [(c.id, c.name_fr) for c in pricing.categories(event, active_only=False)]
    form = VoucherForm(category_choices=category_choices)
    found = list(
        db.session.scalars(
            select(Voucher).where(Voucher.event_id == event.id).order_by(Voucher.id.desc())
        )
    )
    uses = {}
    if found:
        for voucher_id, reference, name in db.session.execute(
            select(BookingPayment.voucher_id, Booking.reference, Booking.last_name)
            .join(Booking, Booking.id == BookingPayment.booking_id)
            .where(BookingPayment.voucher_id.in_([v.id for v in found]))
            .order_by(BookingPayment.id)
        ):
            uses.setdefault(voucher_id, []).append((reference, name))
    categories = dict(category_choices)

    def page(status):
        return render_event(
            "fees/vouchers.html",
            event,
            status=status,
            form=form,
            vouchers=found,
            uses=uses,
            categories=categories,
        )

    if form.validate_on_submit():
        with keep_form(form, page):
            made = create_vouchers(event, form)
        flash(
            ngettext("%(num)s voucher created.", "%(num)s vouchers created.", len(made)),
            "success",
        )
        return redirect(url_for("fees.vouchers", event_id=event.id))
    return page(400 if form.is_submitted() else 200)
