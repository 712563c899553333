"""The deployment's scheduled jobs (sweep, daily anchors), run once per interval cluster-wide."""
