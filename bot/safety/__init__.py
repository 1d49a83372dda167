"""The emergency safety net: a rule layer (patterns) and the Rasa NLU component using it."""

from bot.safety.patterns import REASONS, Assessment, Level, assess, rank

__all__ = ["REASONS", "Assessment", "Level", "assess", "rank"]
