"""Health of the API and what it depends on."""
