# Everything a newcomer needs: `make demo` serves the site, `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo test lint format translations extract-messages migrate vendor bench bench-mail bench-profile clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

translations: $(VENV)/.runtime
	$(BIN)/pybabel compile --use-fuzzy -d translations -f --statistics 2>&1 | tail -n 1

migrate: $(VENV)/.runtime
	$(FLASK) db upgrade

# The reminder scheduler runs beside the web server and stops with it.
demo: translations migrate
	$(FLASK) demo-data
	@echo "Serving on http://$(HOST):$(PORT), with the reminder scheduler beside it"
	$(FLASK) scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT; \
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite runs on every core (each worker has a database of its own); TEST_WORKERS=0 runs it
# in one process.
TEST_WORKERS ?= auto
test: $(VENV)/.dev translations lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Refresh the catalogue after changing user-facing strings, then translate the new entries.
extract-messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs='.venv .venv-bench bench node_modules static tests' -o translations/messages.pot --no-location --sort-output --width=100 .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --width=100

# The load generator lives in a virtual environment of its own (locust pins its own Flask).
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -r bench/requirements.txt
	touch $@

# City-scale benchmarks on PostgreSQL (BENCH_DATABASE_URL, or the local server) or SQLite;
# prints the table and writes bench/RESULTS.md.
bench: $(VENV)/.runtime $(BENCH_VENV)/.installed translations
	$(BIN)/python -m bench.run

# 20,000 reminders due at one moment: seconds until all are in the inbox and handed over SMTP
# (two schedulers, PostgreSQL, aiosmtpd in another process); writes its section of RESULTS.md.
bench-mail: $(VENV)/.dev translations
	$(BIN)/python -m bench.mail

# Where one benchmarked request spends its time, on the data `make bench` leaves behind:
# make bench-profile SCENARIO=check_in [COUNT=300] (or sign_up, sign_up_page, redemption, balance, listing, floor_insert).
bench-profile: $(VENV)/.dev translations
	$(BIN)/python -m bench.profile $(SCENARIO) $(COUNT)

vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) $(BENCH_VENV) bench/.data .pytest_cache .ruff_cache
