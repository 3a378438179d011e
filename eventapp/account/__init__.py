"""The signed-in person's own pages: where they land after login (check-in staff: today's
desk)."""
