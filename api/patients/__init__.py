"""Patients and the guardians who act for children."""
