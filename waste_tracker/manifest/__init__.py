"""The electronic transfer manifest (电子转移联单): its life as linked, tamper-evident events."""

from waste_tracker.manifest import messages as _messages  # noqa: F401 - registers user-facing texts
