"""Tracks (危险废物转移管理办法 Art. 11): the positions a truck reports between the pickup and the
drop-off scans, from the driver's phone or the vehicle's satellite terminal (via its platform)."""

from waste_tracker.track import messages as _messages  # noqa: F401 - registers user-facing texts
