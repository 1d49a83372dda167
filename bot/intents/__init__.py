"""Intent classification beyond DIET."""
