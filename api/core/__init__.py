"""Plumbing shared by every domain: settings, database, security, errors."""
