# Kindred: `make run` serves the demo site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEBUG_ENV := DJANGO_DEBUG=1

.PHONY: install run test lint format bench eval-crisis soak audit clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $(STAMP)

# axe-core for the accessibility tests, pinned in package-lock.json; skipped without npm.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility tests will skip"; fi

install: $(STAMP) node_modules/.package-lock.json

run: $(STAMP)
	$(DEBUG_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEBUG_ENV) $(BIN)/python manage.py demo
	@echo "Serving Kindred on http://127.0.0.1:8000/ (Ctrl-C stops it)"
	$(DEBUG_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SECRET_KEY=lint-only $(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	@for script in bench/[a-z]*.py; do \
	  case $$script in bench/servers.py|bench/__init__.py) continue;; esac; \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

eval-crisis: $(STAMP)
	$(BIN)/python tests/crisis/eval.py
	@echo "everyday messages (false alarms only):"
	-@for set in everyday everyday2 everyday_holdout; do \
		echo "$$set:"; $(BIN)/python tests/crisis/eval.py tests/crisis/$$set.tsv | head -2; \
	done
	@echo "held-out sets, each written blind; holdout6 is the final one (moderation/crisis/README.md):"
	-@for set in holdout holdout2 holdout3 holdout4 holdout5 holdout6; do \
		echo "$$set:"; $(BIN)/python tests/crisis/eval.py tests/crisis/$$set.tsv; \
	done

audit: $(STAMP)
	$(BIN)/python tests/security/dependency_audit.py

soak: $(STAMP)
	$(BIN)/python tests/load/soak.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artefacts build *.egg-info
