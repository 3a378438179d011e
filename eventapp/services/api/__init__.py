"""The REST API's rules (issue 17): tokens (tokens.py), idempotent writes (idempotency.py),
signed webhooks (webhooks.py)."""
