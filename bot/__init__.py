"""The Rasa side's own Python: custom channel code and runtime configuration."""
