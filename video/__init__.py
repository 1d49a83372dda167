"""Video rooms built on aiortc, mounted into the API (the consult issue fills this in)."""
