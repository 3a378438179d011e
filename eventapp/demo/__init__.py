"""Demo data taken from shared/domain.md: the organisations, the French Bioproduction Tour 2021,
the Congrès France Bioproduction editions and the other events, with deterministic synthetic
attendees."""
