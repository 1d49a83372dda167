"""Rasa SDK actions: thin and async; they call the API, never the database."""
