"""The chat gateway: patients talk to the assistant only through here."""
