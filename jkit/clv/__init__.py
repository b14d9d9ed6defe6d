"""Churn-aware customer value (BG/NBD + Gamma-Gamma)."""
