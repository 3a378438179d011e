"""An event's history: the audit log, and how its lines read."""
