# One image for web, worker and beat. Build: docker build -t courseportal .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    COURSEPORTAL_VAR_DIR=/var/lib/courseportal

# bubblewrap runs student code in convlab's sandbox, under a seccomp filter built with
# libseccomp (pyseccomp, in requirements/base.txt, loads libseccomp.so.2).
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap libseccomp2 curl \
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
# Sync workers (`--threads 1`): one request at a time per process. With the busiest reads kept in
# memory, 2 threads per process doubled the reads' 99th percentile at about the same throughput
# in bench/load.py (gunicorn.conf.py, docs/benchmarks.md). Run behind a buffering proxy
# (docs/deploy.md).
CMD ["gunicorn", "courseportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "1", "--access-logfile", "-"]
