"""Read-only resources: payments (models/fees.py) and mailings. A new one is a schema in
schemas.py and a `listing(...)` line below: a guarded, paged, ETagged list of one model's rows
of the event, ordered by modification (or by id when the model has no `updated_at`)."""

from __future__ import annotations

from sqlalchemy import select

from eventapp.api.v1 import paging, schemas
from eventapp.api.v1.core import blueprint
from eventapp.models import BookingPayment, Mailing
from eventapp.permissions import Perm, guard

bp = blueprint("reads", "Payments and mailings, read only (scopes payments:read, mailings:read).")
TOKEN = [{"token": []}]


def listing(path: str, name: str, model, perm: Perm, schema, dump) -> None:
    """GET /events/<id>/<path>: the event's rows of `model`, guarded by `perm`."""
    page_schema = paging.page_schema(schema, f"{name.title()}Page")
    synced = hasattr(model, "updated_at")
    args_schema = paging.SyncArgs if synced else paging.PageArgs

    def view(event, **args):
        statement = select(model).where(model.event_id == event.id)
        if synced:
            page = paging.by_modification(statement, model.updated_at, model.id, args)
        else:
            page = paging.by_id(statement, model.id, args)
        return {"items": [dump(row) for row in page.items], "next_cursor": page.next_cursor}

    view.__name__ = view.__qualname__ = name
    view.__doc__ = f"The event's {path} (read only)."
    wrapped = bp.response(200, page_schema)(view)
    wrapped = bp.arguments(args_schema, location="query", as_kwargs=True)(wrapped)
    wrapped = guard.event(perm)(wrapped)
    wrapped = bp.doc(security=TOKEN)(wrapped)
    bp.route(f"/events/<id:event_id>/{path}", methods=["GET"])(wrapped)


def _payment(p: BookingPayment) -> dict:
    return {
        "id": p.id,
        "booking_id": p.booking_id,
        "event_id": p.event_id,
        "state": str(p.state),
        "method": str(p.method) if p.method else None,
        "currency": p.currency,
        "total_cents": p.total_cents,
        "paid_cents": p.paid_cents,
        "refunded_cents": p.refunded_cents,
        "updated_at": p.updated_at,
    }


def _mailing(m: Mailing) -> dict:
    return {
        "id": m.id,
        "event_id": m.event_id,
        "subject": m.subject,
        "status": str(m.status),
        "recipients_count": m.recipients_count,
        "send_at": m.send_at,
        "sent_at": m.sent_at,
        "created_at": m.created_at,
    }


listing("payments", "payments", BookingPayment, Perm.PAYMENTS, schemas.PaymentOut, _payment)
listing("mailings", "mailings", Mailing, Perm.MAILINGS, schemas.MailingOut, _mailing)
