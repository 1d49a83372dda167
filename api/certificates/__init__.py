"""Certificate requests: patients ask, a doctor decides after assessment."""
