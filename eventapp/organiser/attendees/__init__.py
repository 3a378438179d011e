"""Attendees: the list (query.py builds its SQL, shared with exports, badges and messages), a
person's page and actions, adding by hand, moving to another event, and the template filters
that show registrations."""
