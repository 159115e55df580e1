#!/usr/bin/env bash
# The one production start command. systemd's sirolimus.service runs it, `make serve` runs it,
# the CI smoke test (tests/smoke/serve.py) runs it through `make serve`: what is checked is
# what runs. Configuration: the environment (deploy/sirolimus.env.example).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-sirolimus_app.settings}"
# Environment complete, migrations applied (one server at a time), static files collected.
"$PYTHON" -m sirolimus_app.preflight
exec "$PYTHON" -m gunicorn --config "$ROOT/deploy/gunicorn.conf.py" sirolimus_app.wsgi:application
