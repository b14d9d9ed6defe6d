"""KPI engines."""
