"""Notifications inside the app: what a user is told of, derived from the record that already
exists (manifest events, alert history), and what the user has read of it."""
