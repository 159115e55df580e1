# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
DEV_ENV := DEBUG=1
PG_URL := postgres://postgres@127.0.0.1:5432/test

.PHONY: run test pytest lint deps uv chromium axe demo bench backup restore loadtest messages serve smoke

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

deps: uv
	@$(UV) sync --frozen --quiet

# Browser tests drive Debian's Chromium (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }

run: deps
	$(DEV_ENV) $(UV) run python manage.py migrate --noinput
	$(DEV_ENV) $(UV) run python manage.py load_demo
	$(DEV_ENV) $(UV) run python manage.py runserver 127.0.0.1:8000

# Production: settings from the environment (deploy/sirolimus.env.example), migrate,
# collectstatic, then gunicorn on $$HOST:$$PORT — the very script the systemd unit runs.
serve: deps
	deploy/start.sh

# make serve against a throwaway database on the local PostgreSQL, checked, stopped (.ci/run).
smoke: deps
	$(UV) run python tests/smoke/serve.py --server $(or $(SMOKE_SERVER),postgres://postgres@127.0.0.1:5432/postgres)

lint: deps
	$(UV) run ruff check .
	$(DEV_ENV) $(UV) run python manage.py makemigrations --check --dry-run

# axe-core (npm, pinned in package-lock.json) for the accessibility browser tests.
axe:
	@test -e node_modules/axe-core/axe.min.js || { \
	  echo "Installing axe-core for the accessibility tests (npm ci)…"; \
	  npm ci --no-audit --no-fund --silent; }

pytest: deps chromium axe
	$(UV) run pytest $(PYTEST_ARGS)

test: lint pytest

messages: deps
	$(DEV_ENV) $(UV) run python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles
	$(DEV_ENV) $(UV) run python manage.py compilemessages --ignore=.venv

# Speed is measured here, never in a timed test: see docs/benchmarks.md.
bench: deps
	$(UV) run python -m sirolimus_app.bench

# Encrypted, signed backups of the database DATABASE_URL names (docs/operations.md: keys in
# BACKUP_AGE_RECIPIENT and BACKUP_HMAC_KEY). Without a SECRET_KEY in the environment (a
# development machine) the development settings are used.
APP_ENV := $(if $(SECRET_KEY),,$(DEV_ENV))

backup: deps
	$(APP_ENV) $(UV) run python manage.py backup $(if $(OUT),--output "$(OUT)")

# Into an empty database, with the age private key brought for the occasion:
# `make restore BACKUP=backups/<date>.sirolimus-backup IDENTITY=/media/cle/sauvegardes.key`
# (REPLACE=1 empties a database that is not). The signature is checked before anything else.
restore: deps
	@test -n "$(BACKUP)" -a -n "$(IDENTITY)" || { echo "Usage : make restore BACKUP=<fichier> IDENTITY=<clé privée age> [REPLACE=1]"; exit 2; }
	$(APP_ENV) $(UV) run python manage.py migrate --noinput
	$(APP_ENV) $(UV) run python manage.py restore "$(BACKUP)" --identity "$(IDENTITY)" $(if $(REPLACE),--replace)

# A minute of concurrent users against gunicorn on loopback (not part of `make test`):
# LOADTEST_ARGS="--users 12 --database postgres://postgres@127.0.0.1:5432/postgres".
loadtest: deps
	$(UV) run python tests/load/loadtest.py $(LOADTEST_ARGS)
