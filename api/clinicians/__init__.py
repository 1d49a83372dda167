"""Doctors and psychologists."""
