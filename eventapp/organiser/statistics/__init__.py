"""The dashboard (the actor's events with their counts) and an event's statistics (SVG
charts with their numbers in tables)."""
