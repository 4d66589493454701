#!/usr/bin/env bash
# Start the portal with demo data at http://127.0.0.1:8000 and a Celery worker beside it.
# Defaults: SQLite in var/db.sqlite3 and the embedded broker in var/broker/ (no servers needed);
# set DATABASE_URL / REDIS_URL to use PostgreSQL and Redis instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-true}"
BIN=.venv/bin
PORT="${PORT:-8000}"

$BIN/python manage.py migrate --no-input -v 0
$BIN/python manage.py seed_demo

mkdir -p var
$BIN/celery -A courseportal worker --queues celery,grading,jobs --beat --schedule var/celerybeat-schedule --loglevel INFO --concurrency 2 >var/worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM
echo "Celery worker started (pid $worker, log in var/worker.log)."
echo "Portal: http://127.0.0.1:$PORT/  (health: http://127.0.0.1:$PORT/healthz)"
$BIN/python manage.py runserver "127.0.0.1:$PORT" --noreload
