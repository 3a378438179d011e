"""Lists: pages of at most 100 items in a stable order with an opaque cursor (keyset
pagination in SQL: no OFFSET, no item skipped or repeated while rows are added), and
`modified_since` for incremental sync (ordered by modification time, then id, so a client
that keeps the last `updated_at` it saw misses nothing). Reads carry an ETag; a matching
`If-None-Match` gets 304."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import marshmallow as ma
from flask import request
from flask_babel import gettext as _
from sqlalchemy import Row, Select, and_, or_

from eventapp.extensions import db
from eventapp.routing import MAX_ID

MAX_LIMIT = 100
DEFAULT_LIMIT = 50


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": "Items per page (100 at most)."},
    )
    cursor = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=200),
        metadata={"description": "The `next_cursor` of the previous page."},
    )


class SyncArgs(PageArgs):
    modified_since = ma.fields.AwareDateTime(
        load_default=None,
        default_timezone=UTC,
        metadata={"description": "Only what changed at or after this time (ISO 8601)."},
    )


def page_schema(item_schema, name: str):
    """The envelope of a list: {"items": [...], "next_cursor": "..." or null}."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next_cursor": ma.fields.String(allow_none=True, required=True),
        },
        name=name,
    )


class BadCursor(Exception):
    pass


def _decode(cursor: str) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii") + b"==")
        value = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeError) as error:
        raise BadCursor from error
    if not isinstance(value, list) or len(value) != 2:
        raise BadCursor
    return value


def _encode(value: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@dataclass
class Page:
    items: list
    next_cursor: str | None


def _rows(statement: Select) -> list:
    """The models a statement selects, or its rows when it selects more than one column
    (the model first: a document and its computed flags)."""
    if len(statement.column_descriptions) > 1:
        return list(db.session.execute(statement).all())
    return list(db.session.scalars(statement))


def _model(item):
    return item[0] if isinstance(item, Row) else item


def by_id(statement: Select, id_column, args: dict) -> Page:
    """A page of `statement` in id order."""
    limit = args["limit"]
    if args.get("cursor"):
        kind, last = _decode(args["cursor"])
        if kind != "id" or not isinstance(last, int) or not 0 <= last <= MAX_ID:
            raise BadCursor
        statement = statement.where(id_column > last)
    rows = _rows(statement.order_by(id_column).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _encode(["id", _model(rows[-1]).id]) if more else None)


def by_modification(statement: Select, time_column, id_column, args: dict) -> Page:
    """A page of `statement` in (modification time, id) order, from `modified_since`."""
    limit = args["limit"]
    if args.get("modified_since") is not None:
        statement = statement.where(time_column >= args["modified_since"])
    if args.get("cursor"):
        stamp, last = _decode(args["cursor"])
        try:
            when = datetime.fromisoformat(stamp)
        except (TypeError, ValueError) as error:
            raise BadCursor from error
        if when.tzinfo is None or not isinstance(last, int) or not 0 <= last <= MAX_ID:
            raise BadCursor
        statement = statement.where(
            or_(time_column > when, and_(time_column == when, id_column > last))
        )
    rows = _rows(statement.order_by(time_column, id_column).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = None
    if more:
        last_row = _model(rows[-1])
        stamp = getattr(last_row, time_column.key)
        cursor = _encode([stamp.astimezone(UTC).isoformat(), last_row.id])
    return Page(rows, cursor)


def conditional(response):
    """after_request of the API's blueprints: an ETag on successful reads, 304 when the
    client has it already."""
    if request.method in ("GET", "HEAD") and response.status_code == 200 and response.is_json:
        response.add_etag()
        response.make_conditional(request)
    return response


def cursor_error():
    from eventapp.api.v1.errors import problem

    return problem(400, _("This cursor is not valid: start again from the first page."))


def init_blueprint(bp) -> None:
    bp.after_request(conditional)
    bp.register_error_handler(BadCursor, lambda _error: cursor_error())
