# One image for web, worker and beat. Build: docker build -t courseportal .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    COURSEPORTAL_VAR_DIR=/var/lib/courseportal

# bubblewrap runs student code in convlab's sandbox.
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/ requirements/
ARG GPU=0
RUN pip install -r requirements/base.txt \
    && if [ "$GPU" = "1" ]; then pip install -r requirements/gpu.txt; fi

COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input -v 0 \
    && useradd --system --uid 1000 --home /app courseportal \
    && mkdir -p /var/lib/courseportal && chown courseportal /var/lib/courseportal
USER courseportal

EXPOSE 8000
# Threads (gthread workers): a request waiting on PostgreSQL or Redis leaves the CPU to another,
# and connections are kept alive; about 1.5-2 times the requests per second of sync workers in
# bench/load.py (docs/benchmarks.md).
CMD ["gunicorn", "courseportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "1", "--access-logfile", "-"]
