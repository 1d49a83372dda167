"""The access audit log."""
