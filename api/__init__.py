"""The API: the only public door and the system of record."""
