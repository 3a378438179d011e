"""Read-only lists, one `listing(...)` line each: a guarded, paged, ETagged list of one model's
rows, ordered by modification (`modified_since`; or by id when the model has no modification
time). Three kinds, by who reads:

- an event's rows for its organisers (`/events/<id>/<path>`, guarded by an event permission);
- a published event's rows for anyone (`public=True`: `/public/events/<id>/<path>`, no token;
  `statement` says which rows are public);
- the token's organisation's rows (an organisation permission: `/<path>`).

Here: payments (models/fees.py) and mailings; the programme (programme.py) and the invoices
(invoices.py) use it too."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import marshmallow as ma
from sqlalchemy import select

from eventapp.api.v1 import paging, schemas
from eventapp.api.v1.core import blueprint
from eventapp.api.v1.public import published_event
from eventapp.models import BookingPayment, Mailing
from eventapp.permissions import Perm, guard

bp = blueprint("reads", "Payments and mailings, read only (scopes payments:read, mailings:read).")
TOKEN = [{"token": []}]


def each(dump: Callable) -> Callable[[Sequence], list[dict]]:
    """A page's dump from a dump of one row."""
    return lambda rows: [dump(row) for row in rows]


def listing(
    bp,
    path: str,
    name: str,
    model,
    perm: Perm | None,
    schema,
    dump: Callable[[Sequence], list[dict]],
    *,
    public: bool = False,
    statement: Callable | None = None,
    filters: type[ma.Schema] | None = None,
    time_column=None,
    doc: str | None = None,
) -> None:
    """GET the rows of `model` (see the module docstring). `dump(rows)` turns a page into
    dicts for `schema`; `statement(scope, args)` selects the rows of the event (or
    organisation), by default `model.event_id == event.id`; `filters`: query arguments of the
    list's own, in `args`; `time_column`: the modification time (default `updated_at`)."""
    page_schema = paging.page_schema(schema, f"{name.title().replace('_', '')}Page")
    time_column = time_column if time_column is not None else getattr(model, "updated_at", None)
    args_schema = paging.SyncArgs if time_column is not None else paging.PageArgs
    if filters is not None:
        args_schema = type(f"{name.title().replace('_', '')}Args", (args_schema, filters), {})
    statement = statement or (lambda event, _args: select(model).where(model.event_id == event.id))

    def rows(scope, args):
        query = statement(scope, args)
        if time_column is not None:
            page = paging.by_modification(query, time_column, model.id, args)
        else:
            page = paging.by_id(query, model.id, args)
        return {"items": dump(page.items), "next_cursor": page.next_cursor}

    if public:

        def view(event_id, **args):
            return rows(published_event(event_id), args)

        url = f"/public/events/<id:event_id>/{path}"
    elif perm is not None and perm.on_organisation:

        def view(organisations, **args):
            return rows(organisations[0], args)

        url = f"/{path}"
    else:

        def view(event, **args):
            return rows(event, args)

        url = f"/events/<id:event_id>/{path}"

    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc or f"The event's {path.replace('_', ' ')} (read only)."
    wrapped = bp.response(200, page_schema)(view)
    wrapped = bp.arguments(args_schema, location="query", as_kwargs=True)(wrapped)
    if public:
        wrapped = guard.public(wrapped)
    else:
        guarded = guard.organisations if perm.on_organisation else guard.event
        wrapped = guarded(perm)(wrapped)
        wrapped = bp.doc(security=TOKEN)(wrapped)
    bp.route(url, methods=["GET"])(wrapped)


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


listing(
    bp, "payments", "payments", BookingPayment, Perm.PAYMENTS, schemas.PaymentOut, each(_payment)
)
listing(bp, "mailings", "mailings", Mailing, Perm.MAILINGS, schemas.MailingOut, each(_mailing))
