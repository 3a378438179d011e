"""Business rules as plain functions: they take the actor and data as arguments, never read the
request or current_user, and flush rather than commit (the caller commits once)."""
