"""Organisations and their teams: the administrators' organisation pages, the profile that
managers edit, the public organisation page, members, invitations and per-event grants
(co-organisers)."""
