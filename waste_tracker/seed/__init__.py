"""Demo data for Jiaxing."""
