#!/usr/bin/env bash
# Start the portal with demo data at http://127.0.0.1:8000 and a Celery worker beside it.
# Defaults: SQLite in var/db.sqlite3 and the embedded broker in var/broker/ (no servers needed);
# set DATABASE_URL / REDIS_URL to use PostgreSQL and Redis instead.
# DEBUG=false (with a SECRET_KEY) runs the production settings: static files are collected into
# STATIC_ROOT for WhiteNoise, and, since runserver speaks plain HTTP on 127.0.0.1, the HTTPS-only
# defaults are relaxed here unless set (as docker-compose.yml does for its trial run).
# PORTAL_BIN names another virtualenv's bin folder (default .venv/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-true}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost,[::1]}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-false}"
export CSRF_COOKIE_SECURE="${CSRF_COOKIE_SECURE:-false}"
BIN="${PORTAL_BIN:-.venv/bin}"
PORT="${PORT:-8000}"
VAR="${COURSEPORTAL_VAR_DIR:-var}"

$BIN/python manage.py migrate --no-input -v 0
$BIN/python manage.py seed_demo
# With DEBUG off, pages name static files by their hashed names from the manifest collectstatic
# writes, and without it every page answers 500. A few seconds; done always, so that switching
# DEBUG never finds a stale or missing collection.
$BIN/python manage.py collectstatic --no-input -v 0

mkdir -p "$VAR"
$BIN/celery -A courseportal worker --queues celery,grading,jobs --beat --schedule "$VAR/celerybeat-schedule" --loglevel INFO --concurrency 2 >"$VAR/worker.log" 2>&1 &
worker=$!
# `|| true`: under set -e a worker that already ended (it crashed, or was stopped) would
# otherwise turn the server's clean exit into a failure.
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Celery worker started (pid $worker, log in $VAR/worker.log)."
echo "Portal: http://127.0.0.1:$PORT/  (health: http://127.0.0.1:$PORT/healthz)"
$BIN/python manage.py runserver "127.0.0.1:$PORT" --noreload
