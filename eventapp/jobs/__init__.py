"""Background jobs on Celery: e-mail, and later webhooks and exports, off the request path.

- `celery_app`: the Celery app bound to the Flask app (`init_app`), queues and routing.
- `dispatch`: when a job is published (after the commit; in a request, after the response).
- `tasks`: the jobs (`mail.send`, `outbox.sweep`, `privacy.purge`).
- `schedule`: the periodic ones, for the one `beat` process.
- `broker`: is the broker reachable (`/readyz`), housekeeping of the embedded one.
- `cli`: `flask --app eventapp worker`, `beat`, and `run-all` (web + worker + beat for `make
  run`, `supervisor`); `worker` is the module for `celery -A eventapp.jobs.worker`.

This package's `__init__` imports nothing: `eventapp.database` imports `dispatch`.
"""
