"""Shared by both test runs: the app's (Python 3.11) and Rasa's (Python 3.10).

Only the standard library here: this file loads in both virtual environments.
"""

import importlib.util

# Rasa-side tests (actions, bot) need rasa / rasa_sdk, which only Rasa's venv has;
# the app-side tests need SQLAlchemy 2 and FastAPI, which only the app's venv has.
_RASA_SIDE = importlib.util.find_spec("rasa_sdk") is not None
collect_ignore = ["api", "e2e", "tools"] if _RASA_SIDE else ["actions", "bot"]
