# One-command setup, run and test. Each target installs what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APP_VENV  := .venv
RASA_VENV := .venv-rasa
APP_REQ   := requirements/app.txt
RASA_REQ  := requirements/rasa.txt
RASA_MODEL_REQ := requirements/rasa-model.txt
# Stamps keyed on the requirement files' contents: re-running setup is a no-op until they change.
APP_STAMP  := $(APP_VENV)/.stamp-$(shell sha256sum $(APP_REQ) | cut -c1-16)
RASA_STAMP := $(RASA_VENV)/.stamp-$(shell cat $(RASA_REQ) $(RASA_MODEL_REQ) | sha256sum | cut -c1-16)
PIP_FLAGS  := --disable-pip-version-check --no-input --quiet
# The installers themselves are pinned too (Python 3.10's bundled pip is too old for some sdists).
BOOTSTRAP  := pip==24.3.1 setuptools==70.3.0 wheel==0.45.1

export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run test lint model eval bench clean browser screenshots

help:
	@echo "make run    set up what is missing, then start Rasa, the action server and the API"
	@echo "make test   set up what is missing, then lint and run the whole test suite"
	@echo "make setup  only create/refresh the two virtual environments"
	@echo "make lint   ruff and mypy"
	@echo "make eval   score the assistant on the held-out NLU and safety sets"
	@echo "make bench  print the benchmark figures"
	@echo "make screenshots  the chat page's main states, phone and desktop, in var/screenshots/"
	@echo "make browser      install Debian's chromium for the page tests (if missing)"

setup: $(APP_STAMP) $(RASA_STAMP)

$(APP_STAMP): $(APP_REQ)
	@py=$$(tools/find_python.sh 3.11 PYTHON311) || exit 1; \
	  [ -x $(APP_VENV)/bin/python ] || { echo "creating $(APP_VENV) with $$py"; "$$py" -m venv $(APP_VENV) && \
	    $(APP_VENV)/bin/python -m pip install $(PIP_FLAGS) $(BOOTSTRAP); }
	$(APP_VENV)/bin/python -m pip install $(PIP_FLAGS) -r $(APP_REQ)
	@rm -f $(APP_VENV)/.stamp-*; touch $@

$(RASA_STAMP): $(RASA_REQ) $(RASA_MODEL_REQ)
	@py=$$(tools/find_python.sh 3.10 PYTHON310) || exit 1; \
	  [ -x $(RASA_VENV)/bin/python ] || { echo "creating $(RASA_VENV) with $$py"; "$$py" -m venv $(RASA_VENV) && \
	    $(RASA_VENV)/bin/python -m pip install $(PIP_FLAGS) $(BOOTSTRAP); }
	$(RASA_VENV)/bin/python -m pip install $(PIP_FLAGS) -r $(RASA_REQ)
	$(RASA_VENV)/bin/python -m pip install $(PIP_FLAGS) --no-deps --require-hashes -r $(RASA_MODEL_REQ)
	@rm -f $(RASA_VENV)/.stamp-*; touch $@

# Trains only when config, domain, data, bot/ or Rasa's pins changed; prints the model path.
TRAIN := $(APP_VENV)/bin/python -c "from tools.stack import train_model; print(train_model())"

model: setup
	$(TRAIN)

eval: setup
	@model=$$($(TRAIN)) && \
	  $(RASA_VENV)/bin/python -m tools.nlu_eval --model $$model; nlu=$$?; \
	  $(RASA_VENV)/bin/python -m tools.safety_report --model $$model; safety=$$?; \
	  exit $$((nlu || safety))

run: setup
	$(APP_VENV)/bin/python -m tools.run

# The model is trained once (or found) and shared by every run that needs it. It trains in
# the background while the app's tests that need no assistant run beside it (2 cores: the
# two overlap well); then the Rasa-side tests (actions, bot, the dialogue test stories) run
# in Rasa's venv and the end-to-end tests (marker e2e) against the real system.
TEST_OUT := var/test-results
test: lint browser
	@mkdir -p $(TEST_OUT); \
	  echo "training the Rasa model in the background if its inputs changed (log: $(TEST_OUT)/train.log)"; \
	  $(TRAIN) > $(TEST_OUT)/model.txt 2> $(TEST_OUT)/train.log & train=$$!; \
	  $(APP_VENV)/bin/python -m pytest -m "not e2e"; unit=$$?; \
	  if ! wait $$train; then tail -n 60 $(TEST_OUT)/train.log; echo "rasa train failed"; exit 1; fi; \
	  model=$$(cat $(TEST_OUT)/model.txt) && echo "model: $$model" && \
	  TEST_RASA_MODEL=$$model $(RASA_VENV)/bin/python -m pytest tests/actions tests/bot \
	    -p no:cacheprovider -W ignore::pytest.PytestConfigWarning && \
	  $(RASA_VENV)/bin/rasa test core --model $$model --stories tests/stories \
	    --fail-on-prediction-errors --out $(TEST_OUT)/core --quiet && \
	  $(APP_VENV)/bin/python -m pytest -m e2e && exit $$unit

lint: setup
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/ruff format --check .
	$(APP_VENV)/bin/mypy

bench: setup
	$(APP_VENV)/bin/python -m bench.idle_memory
	$(APP_VENV)/bin/python -m bench.bookings
	$(APP_VENV)/bin/python -m bench.chat
	$(APP_VENV)/bin/python -m bench.sms
	$(APP_VENV)/bin/python -m bench.video

# The page tests and screenshots drive Debian's Chromium through Playwright (never its own
# browser download). Installed once with apt-get; without apt-get or root, a clear stop.
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)
$(CHROMIUM):
	@command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || { \
	  echo "$(CHROMIUM) is missing: install Debian's chromium package (apt-get install chromium) as root"; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
	@[ -x $(CHROMIUM) ] || { echo "apt-get installed chromium but $(CHROMIUM) is still missing"; exit 1; }

screenshots: setup browser
	$(APP_VENV)/bin/python -m tools.screenshots

clean:
	rm -rf var models .pytest_cache .ruff_cache .mypy_cache
