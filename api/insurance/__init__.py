"""Health insurance coverage held by patients."""
