"""The emergency safety net: a rule layer (patterns) and the Rasa NLU component using it."""

from bot.safety.patterns import Assessment, Level, assess

__all__ = ["Assessment", "Level", "assess"]
