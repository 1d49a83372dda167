"""Prescriptions and renewal requests."""
