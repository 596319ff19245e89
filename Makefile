# Two commands set everything up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
SANDBOX_PORT ?= 8001

.PHONY: run test lint check venv clean fuzz-api

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

.env: | venv
	$(BIN)/python scripts/write_dev_env.py .env $(PORT) $(SANDBOX_PORT)

## run: the portal, two Celery workers (urgent; sync with beat), and the iCIMS sandbox tenant; no service needed.
run: venv .env
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_dev --port $(PORT) --sandbox-port $(SANDBOX_PORT)
	PORT=$(PORT) PORTAL_PORT=$(PORT) SANDBOX_PORT=$(SANDBOX_PORT) $(BIN)/honcho -f Procfile.dev start

## test: the whole suite (SQLite unless DATABASE_URL says otherwise).
test: venv
	$(BIN)/pytest $(PYTEST_ARGS)

## fuzz-api: Schemathesis against a served throw-away portal and the sandbox tenant (scripts/fuzz_api.sh).
fuzz-api: venv
	BIN=$(BIN) scripts/fuzz_api.sh $(FUZZ_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
