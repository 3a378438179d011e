"""Permissions: who may do what (rules.py: `Perm`, the role table, the checks that take the
actor) and how a view says so (guard.py: one decorator per kind of page, which checks and
declares). Every endpoint declares one; an undeclared endpoint is refused.

This package re-exports the rules only: services import it without loading the guards (which
read the request); views import `from eventapp.permissions import Perm, guard`."""

from eventapp.permissions.rules import (
    EVENT_PERMS,
    ROLE_PERMISSIONS,
    Actor,
    Limits,
    Perm,
    accessible_events_clause,
    can,
    is_signed_in,
    organisation_ids,
    organisations_clause,
    permissions_on,
)

__all__ = [
    "EVENT_PERMS",
    "ROLE_PERMISSIONS",
    "Actor",
    "Limits",
    "Perm",
    "accessible_events_clause",
    "can",
    "is_signed_in",
    "organisation_ids",
    "organisations_clause",
    "permissions_on",
]
