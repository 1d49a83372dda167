"""Clinicians' shifts, bookable slots, appointments and the drop-in queue."""
