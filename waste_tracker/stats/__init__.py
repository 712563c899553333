"""Statistics for regulators: county-to-county flows and per-county KPIs."""
