"""The REST API, /api/v1/ (issue 17), built with flask-smorest: marshmallow schemas
(schemas.py), the OpenAPI document generated from them at /api/v1/openapi.json and a
documentation page at /api/v1/docs (core.py), token authentication (auth.py), one error shape
(errors.py), cursor pages, modified_since and ETags (paging.py), idempotent writes
(idempotency.py), and the resources (public.py, events.py, attendees.py, checkin.py,
reads.py)."""
