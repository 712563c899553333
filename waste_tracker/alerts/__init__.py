"""Alerts for regulators: deduplicated per (rule, subject), with a workflow and a history."""

from waste_tracker.alerts import messages as _messages  # noqa: F401 - registers user-facing texts
