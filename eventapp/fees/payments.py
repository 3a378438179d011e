"""The organiser's payments page of an event: bookings by payment state (awaiting approval,
awaiting payment, overdue, paid, refunds to do), approve or refuse a category, mark a transfer
received, refund, revenue by category and by week, the CSV export, the bank statement import."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import timedelta

from flask import Response, abort, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from eventapp.extensions import db
from eventapp.fees import payment_exports
from eventapp.fees.blueprint import bp
from eventapp.fees.forms import AmountForm, BankUploadForm, CategoryForm
from eventapp.models import (
    BankLine,
    Booking,
    BookingPayment,
    PaymentState,
    PaymentTransaction,
    PriceCategory,
    utcnow,
)
from eventapp.organiser.forms import ActionForm
from eventapp.organiser.navigation import render_event
from eventapp.permissions import Perm, guard
from eventapp.problems import flash_and_redirect, keep_form
from eventapp.routing import page_arg
from eventapp.services.exports import neutralise
from eventapp.services.fees import actions as svc
from eventapp.services.fees import bank, pricing
from eventapp.services.fees.formatting import euros_fixed, euros_text
from eventapp.services.payments.bank_statements import ColumnMapping

PER_PAGE = 50
FILTERS = (
    "all",
    "awaiting_approval",
    "awaiting_payment",
    "overdue",
    "paid",
    "refunds",
    "cancelled",
)


def _filter_clause(name: str, now):
    if name == "awaiting_approval":
        return BookingPayment.state == PaymentState.AWAITING_APPROVAL
    if name == "awaiting_payment":
        return BookingPayment.state.in_([PaymentState.AWAITING_PAYMENT, PaymentState.PARTLY_PAID])
    if name == "overdue":
        return BookingPayment.state.in_(
            [PaymentState.AWAITING_PAYMENT, PaymentState.PARTLY_PAID]
        ) & (BookingPayment.due_at <= now)
    if name == "paid":
        return BookingPayment.state.in_(
            [PaymentState.PAID, PaymentState.PARTLY_REFUNDED, PaymentState.REFUNDED]
        )
    if name == "refunds":
        pending = select(PaymentTransaction.payment_id).where(
            PaymentTransaction.kind == "refund", PaymentTransaction.state == "pending"
        )
        return or_(BookingPayment.needs_refund.is_(True), BookingPayment.id.in_(pending))
    if name == "cancelled":
        return BookingPayment.state == PaymentState.CANCELLED
    return None


def _payment(event, payment_id) -> BookingPayment:
    payment = db.session.get(BookingPayment, payment_id)
    if payment is None or payment.event_id != event.id:
        abort(404)
    return payment


def revenue(event):
    """Paid revenue (VAT included, net of refunds) by category, and received by week."""
    by_category = db.session.execute(
        select(
            PriceCategory.name_fr,
            func.count(BookingPayment.id),
            func.coalesce(func.sum(BookingPayment.paid_cents - BookingPayment.refunded_cents), 0),
        )
        .join(PriceCategory, PriceCategory.id == BookingPayment.price_category_id)
        .where(BookingPayment.event_id == event.id)
        .group_by(PriceCategory.name_fr)
        .order_by(PriceCategory.name_fr)
    ).all()
    received = db.session.execute(
        select(
            PaymentTransaction.created_at, PaymentTransaction.amount_cents, PaymentTransaction.kind
        )
        .join(BookingPayment, BookingPayment.id == PaymentTransaction.payment_id)
        .where(BookingPayment.event_id == event.id, PaymentTransaction.state != "failed")
    ).all()
    weeks: dict = {}
    for created_at, amount, kind in received:
        monday = (created_at - timedelta(days=created_at.weekday())).date()
        weeks[monday] = weeks.get(monday, 0) + (amount if kind == "payment" else -amount)
    top = max([abs(v) for v in weeks.values()] or [1]) or 1
    by_week = [
        {"week": week, "cents": cents, "bar": round(10 * abs(cents) / top)}
        for week, cents in sorted(weeks.items())
    ]
    return by_category, by_week


@bp.get("/organiser/events/<id:event_id>/payments")
@guard.event(Perm.PAYMENTS)
def payments(event):
    now = utcnow()
    chosen = request.args.get("show", "all")
    if chosen not in FILTERS:
        chosen = "all"
    query = (
        select(BookingPayment, Booking)
        .join(Booking, Booking.id == BookingPayment.booking_id)
        .where(BookingPayment.event_id == event.id)
    )
    clause = _filter_clause(chosen, now)
    if clause is not None:
        query = query.where(clause)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = page_arg(pages=pages)
    rows = db.session.execute(
        query.order_by(BookingPayment.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    ids = [p.id for p, _b in rows]
    categories = dict(
        db.session.execute(
            select(PriceCategory.id, PriceCategory.name_fr).where(
                PriceCategory.event_id == event.id
            )
        ).all()
    )
    pending = {}
    if ids:
        for transaction in db.session.scalars(
            select(PaymentTransaction).where(
                PaymentTransaction.payment_id.in_(ids),
                PaymentTransaction.kind == "refund",
                PaymentTransaction.state == "pending",
            )
        ):
            pending.setdefault(transaction.payment_id, []).append(transaction)
    counts = dict(
        db.session.execute(
            select(BookingPayment.state, func.count())
            .where(BookingPayment.event_id == event.id)
            .group_by(BookingPayment.state)
        ).all()
    )
    by_category, by_week = revenue(event)
    return render_event(
        "fees/payments.html",
        event,
        rows=[
            {
                "payment": p,
                "booking": b,
                "category": categories.get(p.price_category_id, ""),
                "pending_refunds": pending.get(p.id, []),
                "overdue": p.due_at is not None and p.due_at <= now,
                "refundable": euros_text(svc.refundable_cents(p)),
                "due_text": euros_text(p.due_cents),
                "key": secrets.token_hex(8),
            }
            for p, b in rows
        ],
        filters=FILTERS,
        chosen=chosen,
        counts=counts,
        page=page,
        pages=pages,
        total=total,
        action_form=ActionForm(),
        amount_form=AmountForm(),
        rate_choices=list(categories.items()),
        by_category=by_category,
        by_week=by_week,
        states=PaymentState,
    )


def _back(event):
    return (
        request.form.get("back_show")
        and url_for("fees.payments", event_id=event.id, show=request.form.get("back_show"))
    ) or url_for("fees.payments", event_id=event.id)


@bp.post("/organiser/events/<id:event_id>/payments/<id:payment_id>/<any(approve, refuse):action>")
@guard.event(Perm.PAYMENTS)
def decide(event, payment_id: int, action: str):
    payment = _payment(event, payment_id)
    form = ActionForm()
    back = url_for("fees.payments", event_id=event.id)
    if not form.validate():
        flash(_("Your session has expired. Please confirm again."), "error")
        return redirect(back)
    with flash_and_redirect(back):
        if action == "approve":
            svc.approve(payment, user=current_user)
            flash(_("The rate is approved: the participant has been e-mailed."), "success")
        else:
            svc.refuse(payment, user=current_user)
            flash(
                _(
                    "The rate is refused and the booking cancelled: the participant has been "
                    "e-mailed."
                ),
                "success",
            )
    return redirect(back)


@bp.post("/organiser/events/<id:event_id>/payments/<id:payment_id>/<any(received, refund):action>")
@guard.event(Perm.PAYMENTS)
def money_action(event, payment_id: int, action: str):
    payment = _payment(event, payment_id)
    form = AmountForm()
    back = url_for("fees.payments", event_id=event.id)
    if not form.validate():
        flash(
            form.amount.errors[0]
            if form.amount.errors
            else _("Your session has expired. Please confirm again."),
            "error",
        )
        return redirect(back)
    with flash_and_redirect(back):
        key = form.key.data or secrets.token_hex(8)
        if action == "received":
            svc.mark_received(payment, form.amount.cents, user=current_user, source_key=key)
            flash(_("The payment is recorded."), "success")
        else:
            svc.refund(payment, form.amount.cents, user=current_user, key=key)
            flash(_("The refund is recorded."), "success")
    return redirect(back)


@bp.post("/organiser/events/<id:event_id>/payments/<id:payment_id>/category")
@guard.event(Perm.PAYMENTS)
def change_category(event, payment_id: int):
    payment = _payment(event, payment_id)
    back = url_for("fees.payments", event_id=event.id)
    form = CategoryForm(
        choices=[(c.id, c.name_fr) for c in pricing.categories(event, active_only=False)]
    )
    if not form.validate():
        flash(_("Choose one of the event's rates."), "error")
        return redirect(back)
    category = db.session.get(PriceCategory, form.category.data)
    with flash_and_redirect(back):
        svc.change_category(payment, category, user=current_user)
    flash(_("The rate is changed and the amount due computed again."), "success")
    return redirect(back)


@bp.post("/organiser/events/<id:event_id>/payments/refunds/<id:transaction_id>/done")
@guard.event(Perm.PAYMENTS)
def refund_done(event, transaction_id: int):
    transaction = db.session.get(PaymentTransaction, transaction_id)
    if transaction is None:
        abort(404)
    _payment(event, transaction.payment_id)
    if ActionForm().validate():
        svc.mark_refund_done(transaction, user=current_user)
        flash(_("The bank refund is marked as done."), "success")
    return redirect(url_for("fees.payments", event_id=event.id, show="refunds"))


EXPORT_COLUMNS = (
    "booking",
    "name",
    "state",
    "method",
    "category",
    "net_cents",
    "vat_cents",
    "total_cents",
    "paid_cents",
    "refunded_cents",
    "due_at",
    "bank_reference",
    "needs_refund",
)


@bp.get("/organiser/events/<id:event_id>/payments/export.csv")
@guard.event(Perm.PAYMENTS)
def payments_export(event):
    """The payments as CSV (amounts in euros with a dot), streamed in batches."""
    categories = payment_exports.category_names(event)
    event_id = event.id

    def rows():
        out = io.StringIO()
        out.write("\ufeff")  # spreadsheets read the file as UTF-8
        writer = csv.writer(out, delimiter=";")
        writer.writerow(payment_exports.header())
        yield out.getvalue()
        for batch in payment_exports.batches(event_id):
            out.seek(0)
            out.truncate()
            for p, b in batch:
                writer.writerow(
                    [
                        b.reference,
                        neutralise(b.full_name),
                        p.state.label,
                        p.method.label if p.method else "",
                        neutralise(categories.get(p.price_category_id, "")),
                        *(
                            euros_fixed(value)
                            for value in (
                                p.net_cents,
                                p.vat_cents,
                                p.total_cents,
                                p.paid_cents,
                                p.refunded_cents,
                            )
                        ),
                        p.due_at.isoformat() if p.due_at else "",
                        p.bank_reference,
                        "1" if p.needs_refund else "",
                    ]
                )
            yield out.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="payments-{event.slug}.csv"'},
    )


@bp.route("/organiser/events/<id:event_id>/payments/bank", methods=["GET", "POST"])
@guard.event(Perm.PAYMENTS)
def bank_import(event):
    form = BankUploadForm()
    report = None
    columns = ()

    def page(status):
        queue = list(
            db.session.scalars(
                select(BankLine)
                .where(BankLine.event_id == event.id, BankLine.resolved_at.is_(None))
                .order_by(BankLine.id)
                .limit(200)
            )
        )
        return render_event(
            "fees/bank.html",
            event,
            status=status,
            form=form,
            report=report,
            columns=columns,
            queue=queue,
            action_form=ActionForm(),
            current_tab="fees.payments",
        )

    if form.validate_on_submit():
        content = form.file.data.read()
        mapping = None
        if form.date_column.data and form.amount_column.data and form.text_column.data:
            mapping = ColumnMapping(
                date=form.date_column.data,
                amount=form.amount_column.data,
                text=(form.text_column.data,),
            )
        columns = bank.columns_of(content)
        with keep_form(form, page):
            report = bank.import_statement(event, content, user=current_user, mapping=mapping)
        return page(200)
    return page(400 if form.is_submitted() else 200)


@bp.post("/organiser/events/<id:event_id>/payments/bank/<id:line_id>/resolve")
@guard.event(Perm.PAYMENTS)
def bank_resolve(event, line_id: int):
    line = db.session.get(BankLine, line_id)
    if line is None or line.event_id != event.id:
        abort(404)
    if ActionForm().validate():
        bank.resolve_line(line, user=current_user)
        flash(_("The line is marked as dealt with."), "success")
    return redirect(url_for("fees.bank_import", event_id=event.id))
