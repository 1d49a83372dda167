"""Symptom checks: the assistant asks, the API triages, the treating clinician reads."""
