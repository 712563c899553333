"""QR tokens, scans at pickup and drop-off, and the geofence."""
