"""Anomaly rules: each a small named unit with a stable id, a severity, thresholds and an
explanation. Event rules run in the event's transaction; time rules run in the sweep."""

from waste_tracker.rules import messages as _messages  # noqa: F401 - registers user-facing texts
