"""Settings for courseportal, read from environment variables (see README.md, "Configuration").

Every variable is parsed strictly: a malformed value raises ImproperlyConfigured naming it.
Defaults give a zero-set-up development portal: SQLite under var/ and an embedded filesystem
broker that a separate `celery worker` process reads, never eager tasks in the web request.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from courseportal.env import (
    envbool,
    envdomain,
    envint,
    envlist,
    envloglevel,
    envrate,
    envstr,
    envtimezone,
    envurl,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("COURSEPORTAL_VAR_DIR") or BASE_DIR / "var")

DEBUG = envbool("DEBUG", False)

SECRET_KEY = envstr("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set it (a long random string) or set DEBUG=true for development"
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# The domain of the calendar feeds' event UIDs (...@domain): two installations never clash.
COURSEPORTAL_CALENDAR_DOMAIN = envdomain("COURSEPORTAL_CALENDAR_DOMAIN", ALLOWED_HOSTS)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "courses",
    "reviews",
    "presentations",
    "convlab",
    "jobs",
    "roster",
    "gradebook",
    "demo",
    "lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "courseportal.caching.VersionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CsrfViewMiddleware, which reads POST forms: body limits come first.
    "courseportal.limits.BodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "courseportal.urls"
WSGI_APPLICATION = "courseportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "courseportal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
PG_SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_database_url = envurl(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
assert _database_url is not None
# Keep each process's connection between requests (CONN_MAX_AGE seconds; 0 closes it after
# every request): opening a PostgreSQL connection forks a server process, which cost more than
# a whole API read under load (bench/load.py). Health checks replace a connection the server
# dropped instead of failing the next request on it.
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=envint("CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
# TLS to a PostgreSQL on another host: libpq's parameters in the URL's query, e.g.
# postgres://portal:pw@db.example.edu:5432/portal?sslmode=verify-full&sslrootcert=/etc/ca.pem
# (dj-database-url hands them to psycopg as OPTIONS). A misspelt sslmode stops start-up here
# rather than at the first query.
_sslmode = DATABASES["default"].get("OPTIONS", {}).get("sslmode")
if _sslmode is not None and _sslmode not in PG_SSLMODES:
    raise ImproperlyConfigured(
        f"DATABASE_URL has sslmode={_sslmode!r}: use one of {', '.join(PG_SSLMODES)} "
        "(verify-full to check the server's certificate and name)"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A web process and worker processes share the file: wait for locks instead of failing,
    # take the write lock when a transaction starts (no "database is locked" on upgrading a
    # read), and let readers go on while one process writes (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Time -----------------------------------------------------------------------------------
USE_TZ = True
TIME_ZONE = envtimezone("TIME_ZONE", "America/New_York")
LANGUAGE_CODE = "en-us"
USE_I18N = False

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
# Where collectstatic gathers the static files that WhiteNoise serves when DEBUG is off.
STATIC_ROOT = Path(envstr("STATIC_ROOT") or BASE_DIR / "staticfiles")
# The site's own stylesheet and htmx, beside the base template (courseportal/templates).
STATICFILES_DIRS = [BASE_DIR / "courseportal" / "static"]
MEDIA_ROOT = Path(envstr("MEDIA_ROOT") or VAR_DIR / "media")
# In development whitenoise serves straight from the apps' static folders; production runs
# collectstatic into STATIC_ROOT (the Dockerfile does).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Uploads (slides PDFs) go through Django's storage API: the local MEDIA_ROOT by default, an
# S3-compatible bucket (AWS S3, MinIO, Ceph, Garage...) once COURSEPORTAL_S3_BUCKET is set, so
# that every host reaches them. The bucket stays private: objects are written with a private
# ACL, the app streams them after its permission check, and any URL the storage makes is a
# signed one that expires after COURSEPORTAL_S3_URL_EXPIRY_S seconds.
COURSEPORTAL_S3_BUCKET = envstr("COURSEPORTAL_S3_BUCKET") or ""
# How the slides download answers, after its permission check: "stream" (the app reads the
# object and sends it) or "redirect" (a 302 to the object's signed, short-lived URL: the bytes
# go from the bucket to the browser, which must then reach the bucket's endpoint).
SLIDES_SERVE = envstr("COURSEPORTAL_S3_SERVE") or "stream"
if SLIDES_SERVE not in {"stream", "redirect"}:
    raise ImproperlyConfigured(
        f"COURSEPORTAL_S3_SERVE={SLIDES_SERVE!r} must be 'stream' or 'redirect'"
    )
if SLIDES_SERVE == "redirect" and not COURSEPORTAL_S3_BUCKET:
    raise ImproperlyConfigured(
        "COURSEPORTAL_S3_SERVE='redirect' needs a bucket: set COURSEPORTAL_S3_BUCKET"
    )
DEFAULT_STORAGE: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if COURSEPORTAL_S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": COURSEPORTAL_S3_BUCKET,
            "endpoint_url": envurl("COURSEPORTAL_S3_ENDPOINT_URL", None, schemes=("https", "http")),
            "region_name": envstr("COURSEPORTAL_S3_REGION") or None,
            "access_key": envstr("COURSEPORTAL_S3_ACCESS_KEY_ID") or None,
            "secret_key": envstr("COURSEPORTAL_S3_SECRET_ACCESS_KEY") or None,
            "location": envstr("COURSEPORTAL_S3_PREFIX") or "",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": envint("COURSEPORTAL_S3_URL_EXPIRY_S", 60, minimum=1),
            # Like the filesystem: a second file of the same name gets a new name.
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Presentation slides: links only to these hosts (https), PDFs up to this size.
SLIDES_LINK_HOSTS = frozenset(envlist("SLIDES_LINK_HOSTS", ["docs.google.com", "drive.google.com"]))
SLIDES_MAX_BYTES = envint("SLIDES_MAX_MB", 20, minimum=1) * 2**20
# The presentation scheduler stops after this many seconds with the best schedule found (its
# proven distance from the optimum is shown to staff); well under the web request timeout.
SCHEDULER_TIME_LIMIT_S = envint("SCHEDULER_TIME_LIMIT_S", 10, minimum=1)
# Request bodies (courseportal/limits.py checks the Content-Length before anything is read):
# a JSON or form body up to DATA_UPLOAD_MAX_MEMORY_SIZE (a roster's apply form carries the
# 2 MiB file back as text); a file no larger than its view takes (convlab source 256 KiB,
# rosters 2 MiB, slides SLIDES_MAX_MB), UPLOAD_MAX_BYTES where a view names no limit (the
# admin). A file up to FILE_UPLOAD_MAX_MEMORY_SIZE is kept in memory, a larger one in a
# temporary file, so that a request holds at most that much of a file in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# convlab: a folder of extra check suites (<slug>.py), and running student code without
# bubblewrap (development only: the sandbox refuses otherwise, and says so).
CONVLAB_SUITES_DIR = envstr("CONVLAB_SUITES_DIR") or None
CONVLAB_SANDBOX_INSECURE = envbool("CONVLAB_SANDBOX_INSECURE", False)
# Instructors may upload check suites in the pages. Off by default: a suite is Python code that
# the web and worker processes run outside the sandbox (docs/suites.md, "Uploading a suite").
CONVLAB_ALLOW_SUITE_UPLOAD = envbool("CONVLAB_ALLOW_SUITE_UPLOAD", False)
CONVLAB_MAX_SOURCE_BYTES = envint("CONVLAB_MAX_SOURCE_KB", 256, minimum=1) * 1024
# The largest file any form takes, for views that name no limit of their own.
UPLOAD_MAX_BYTES = max(SLIDES_MAX_BYTES, CONVLAB_MAX_SOURCE_BYTES)
# Celery time limits of one grading (the sandbox's own limits are far lower), and how long a
# submission may sit in queued or running before the sweeper hands it to another worker.
CONVLAB_GRADING_SOFT_LIMIT = envint("CONVLAB_GRADING_SOFT_LIMIT", 120, minimum=5)
CONVLAB_GRADING_HARD_LIMIT = CONVLAB_GRADING_SOFT_LIMIT + 30
CONVLAB_STUCK_AFTER = envint("CONVLAB_STUCK_AFTER", CONVLAB_GRADING_HARD_LIMIT + 30, minimum=2)
CONVLAB_SWEEP_EVERY = envint("CONVLAB_SWEEP_EVERY", 30, minimum=1)
# The sweeper's own queue, so that a backlog of gradings never delays it.
CONVLAB_SWEEP_QUEUE = envstr("CONVLAB_SWEEP_QUEUE") or "celery"
# Each periodic task's work is done by the run that takes its lease for the period (two beats
# started by mistake do it once): three quarters of a period (convlab/tasks.py, _this_period).
CONVLAB_SWEEP_LEASE = 0.75 * CONVLAB_SWEEP_EVERY
# Queues of gradings: CPU workers consume CONVLAB_QUEUE, workers with CUDA CONVLAB_GPU_QUEUE.
CONVLAB_QUEUE = envstr("CONVLAB_QUEUE") or "grading"
CONVLAB_GPU_QUEUE = envstr("CONVLAB_GPU_QUEUE") or "gpu"
# Long staff jobs (roster import, bulk regrade) have their own queue, so that tests can start a
# worker for them next to the health-check worker of the default queue.
JOBS_QUEUE = envstr("JOBS_QUEUE") or "jobs"
# Webhook targets on private, loopback, link-local, multicast or reserved addresses are refused
# (when configured and again at delivery) unless this is on: development only.
CONVLAB_WEBHOOK_ALLOW_PRIVATE = envbool("CONVLAB_WEBHOOK_ALLOW_PRIVATE", DEBUG)
# Webhook deliveries (convlab's outbox): each POST waits up to CONVLAB_WEBHOOK_TIMEOUT s per
# network step; a failed one is tried again after 10 s, 20 s, 40 s ... (at most an hour apart),
# CONVLAB_WEBHOOK_ATTEMPTS times in all (about six hours), then marked failed for staff (admin).
# A claimed attempt holds its delivery for CONVLAB_WEBHOOK_LEASE s: should its deliverer die,
# another tries again after that.
CONVLAB_WEBHOOK_TIMEOUT = 10
CONVLAB_WEBHOOK_ATTEMPTS = 15
CONVLAB_WEBHOOK_BACKOFF = 10
CONVLAB_WEBHOOK_BACKOFF_MAX = 3600
CONVLAB_WEBHOOK_LEASE = 120
# LTI grade passback (lti/services/ags.py): the AGS score outbox retries as the webhook outbox
# does (the same attempts, back-off and lease; lti.http's timeout and address rules). Its nudge
# after a grading goes to LTI_SCORE_QUEUE (the sweeper's queue unless named), its periodic
# deliverer with the sweeper.
LTI_SCORE_QUEUE = envstr("LTI_SCORE_QUEUE") or CONVLAB_SWEEP_QUEUE
LTI_SCORE_ATTEMPTS = CONVLAB_WEBHOOK_ATTEMPTS
LTI_SCORE_BACKOFF = CONVLAB_WEBHOOK_BACKOFF
LTI_SCORE_BACKOFF_MAX = CONVLAB_WEBHOOK_BACKOFF_MAX
LTI_SCORE_LEASE = CONVLAB_WEBHOOK_LEASE
# Course staff get a mail when the grader fails on a submission, at most once per assignment
# in this many seconds.
CONVLAB_ALERT_EVERY = envint("CONVLAB_ALERT_EVERY", 900, minimum=1)

# --- Authentication -------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- HTTPS, cookies and headers (`manage.py check --deploy` is clean with the defaults) --------
# Production defaults are the strict ones; a deployment relaxes them through the environment
# (docker-compose.yml does for a plain-HTTP trial run).
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# htmx takes the token from the page (base.html's hx-headers), so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and monitors probe /healthz and /healthz/ready over plain HTTP inside the
# network.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/ready)?$"]
# Behind a TLS-terminating proxy that sets this header (and strips it from clients); set
# SECURE_PROXY_SSL_HEADER to an empty value when the portal is reached without such a proxy.
_proxy_header = envstr("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https") if _proxy_header else None
)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files (the
# vendored htmx; no inline script or style), images also as data: URIs (grading heatmaps).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
_csp_report_uri = envstr("CSP_REPORT_URI")
if _csp_report_uri:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [_csp_report_uri]

# Failed logins allowed per username and client address within the window, and per username
# from all addresses together, before the login form refuses (429) until the window has passed
# (courseportal/login.py). The second is higher, so that one address cannot lock anyone out.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_USERNAME_LIMIT = envint("LOGIN_FAILURE_USERNAME_LIMIT", 20, minimum=1)
if LOGIN_FAILURE_USERNAME_LIMIT < LOGIN_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        f"LOGIN_FAILURE_USERNAME_LIMIT={LOGIN_FAILURE_USERNAME_LIMIT} must be at least "
        f"LOGIN_FAILURE_LIMIT={LOGIN_FAILURE_LIMIT}"
    )
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 900, minimum=1)
# How many proxies of ours stand in front of the portal, each appending the address it got the
# request from to X-Forwarded-For: the client's address is then that header's n-th entry from
# the right (entries further left come from the client and are not believed). 0, no proxy:
# REMOTE_ADDR. Used by the login limits; with a proxy and 0, every client shares its address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, minimum=0)

# --- LTI 1.3 (lti/, docs/lms.md) ----------------------------------------------------------------
# LTI_ENABLED: the portal is launched inside LMS iframes. Browsers then send the session and
# CSRF cookies to the framed portal only when they are SameSite=None; Secure (the LMS page is
# another site), so both are set so, and HTTPS is required (a Secure cookie over plain HTTP is
# dropped): put the portal behind TLS (SECURE_PROXY_SSL_HEADER above when a proxy terminates it).
# LTI_FRAME_ANCESTORS: the LMS origins allowed to frame the portal (CSP frame-ancestors), e.g.
# https://canvas.example.edu; without any, pages open in a new window instead of the iframe.
LTI_ENABLED = envbool("LTI_ENABLED", False)
LTI_FRAME_ANCESTORS = envlist("LTI_FRAME_ANCESTORS", [])
if LTI_ENABLED:
    SESSION_COOKIE_SAMESITE = "None"
    CSRF_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if LTI_FRAME_ANCESTORS:
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-ancestors"] = ["'self'", *LTI_FRAME_ANCESTORS]
        # CSP frame-ancestors governs framing in every current browser; X-Frame-Options would
        # forbid the LMS iframe outright, so it is left to CSP.
        X_FRAME_OPTIONS = "SAMEORIGIN"
# How long a retired tool key stays in the JWKS (platforms cache it), and the platform's JWKS in
# the tool's cache.
LTI_KEY_RETIRED_KEEP_S = envint("LTI_KEY_RETIRED_KEEP_S", 7 * 24 * 3600, minimum=0)
LTI_PLATFORM_JWKS_CACHE_S = envint("LTI_PLATFORM_JWKS_CACHE_S", 600, minimum=0)
# An id_token is accepted for at most this many seconds after its `iat` (its `exp` still rules
# when sooner); used nonces are kept this long.
LTI_ID_TOKEN_MAX_AGE_S = envint("LTI_ID_TOKEN_MAX_AGE_S", 3600, minimum=60)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so that an anonymous request is answered 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "courses.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "courseportal.openapi.AutoSchema",
    # JSON only in production: the browsable API is a development aid (the OpenAPI docs at
    # /api/docs/ stay), and content negotiation then has one renderer to consider.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "courseportal.errors.exception_handler",
    # DRF's parsers, with JSON nested at most 64 levels deep (400 beyond).
    "DEFAULT_PARSER_CLASSES": [
        "courseportal.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # An anonymous caller's throttle identity is the address login.py believes: the entry our
    # outermost proxy appended to X-Forwarded-For (REMOTE_ADDR when there is no proxy).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        # The review analyzer runs as students type (debounced): generous, but bounded.
        "analyze": envrate("ANALYZE_RATE", "120/min"),
        "submit": envrate("SUBMIT_RATE", "30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "courseportal API",
    "DESCRIPTION": (
        "Courses, the academic calendar, reviews, presentations and convlab grading.\n\n"
        "Authenticate with a session or `Authorization: Bearer cp_...` (make a token on the "
        "/account/ page). Anonymous callers get 401, members of other courses 404, members "
        "without the role 403, and bad input 400 naming each field. docs/api.md in the "
        "repository walks an autograder through submitting, polling, webhooks and results."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar), never from a CDN: the
    # docs work offline and under a strict Content-Security-Policy.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status` and Gradescope's four visibilities name several fields of
    # results.json: one named enum for each instead of a hashed suffix.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "jobs.models.JobStatus",
        "GradescopeVisibilityEnum": "convlab.schema.VISIBILITY",
    },
}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = envurl("REDIS_URL", None, schemes=("redis", "rediss", "unix"))
# TLS to a Redis on another host: a rediss:// URL. The server's certificate is always verified,
# against the system's CAs or the one in REDIS_TLS_CA_FILE (a PEM file: a private CA's).
REDIS_TLS_CA_FILE = envstr("REDIS_TLS_CA_FILE") or None
if REDIS_TLS_CA_FILE is not None and not Path(REDIS_TLS_CA_FILE).is_file():
    raise ImproperlyConfigured(f"REDIS_TLS_CA_FILE={REDIS_TLS_CA_FILE!r} is not a file")


def redis_tls(url: str | None) -> dict[str, Any] | None:
    """The TLS options of a connection to `url`: None unless it is rediss://."""
    if not url or not url.startswith("rediss://"):
        return None
    options: dict[str, Any] = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    if REDIS_TLS_CA_FILE:
        options["ssl_ca_certs"] = REDIS_TLS_CA_FILE
    return options


CELERY_BROKER_URL = envurl(
    "CELERY_BROKER_URL", REDIS_URL, schemes=("redis", "rediss", "unix", "amqp", "filesystem")
)
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL is None or CELERY_BROKER_URL.startswith("filesystem"):
    # The embedded broker: message files in a folder that the web process writes and a separate
    # worker process polls. Zero set-up, one machine only; production sets REDIS_URL.
    # `filesystem:///abs/folder` names the folder (default: broker/ under COURSEPORTAL_VAR_DIR),
    # so that processes with private var folders can still share it.
    _broker_folder = (CELERY_BROKER_URL or "").partition("://")[2]
    if _broker_folder:
        if not Path(_broker_folder).is_absolute():
            raise ImproperlyConfigured(
                f"CELERY_BROKER_URL={CELERY_BROKER_URL!r}: name an absolute folder, "
                "filesystem:///path/to/folder"
            )
        CELERY_BROKER_DIR = Path(_broker_folder)
    CELERY_BROKER_URL = "filesystem://"
    # kombu's filesystem transport, made safe for several processes (courseportal/broker.py).
    CELERY_BROKER_TRANSPORT = "courseportal.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "messages"),
        "data_folder_out": str(CELERY_BROKER_DIR / "messages"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "polling_interval": 0.2,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
    for _folder in ("messages", "control", "results"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Fail fast when the broker is down or stops answering (see
    # CELERY_TASK_PUBLISH_RETRY_POLICY): no network step of a publish waits longer than this.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
    CELERY_RESULT_BACKEND = envurl(
        "CELERY_RESULT_BACKEND", REDIS_URL or CELERY_BROKER_URL, schemes=("redis", "rediss", "unix")
    )
    # The same for the result store, which only the health check's ping reads (the other tasks
    # ignore their results): its default is 20 reconnections, 19 s, inside the caller's request.
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
    CELERY_REDIS_SOCKET_TIMEOUT = 2
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
    }
    # rediss://: Celery wants the certificate check named (it refuses a rediss:// result store
    # without it); None leaves plain connections as they are.
    CELERY_BROKER_USE_SSL = redis_tls(CELERY_BROKER_URL)
    CELERY_REDIS_BACKEND_USE_SSL = redis_tls(CELERY_RESULT_BACKEND)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Gradings go to their own queue (GPU ones to "gpu", chosen per submission).
# Webhook deliveries go with the sweeper: a backlog of gradings never delays them.
CELERY_TASK_ROUTES = {
    "convlab.grade_submission": {"queue": CONVLAB_QUEUE},
    "convlab.deliver_webhook": {"queue": CONVLAB_SWEEP_QUEUE},
    "lti.deliver_score": {"queue": LTI_SCORE_QUEUE},
}
# Publishing must not hang a web request while the broker is down: the submission is already
# saved, and the sweeper queues it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    "convlab-requeue-stuck": {
        "task": "convlab.requeue_stuck",
        "schedule": float(CONVLAB_SWEEP_EVERY),
        "options": {"queue": CONVLAB_SWEEP_QUEUE},
    },
    # The webhook outbox: what the nudge after a grading did not deliver, and every retry.
    "convlab-deliver-webhooks": {
        "task": "convlab.deliver_webhooks",
        "schedule": float(CONVLAB_SWEEP_EVERY),
        "options": {"queue": CONVLAB_SWEEP_QUEUE},
    },
    # The LTI score outbox (AGS grade passback), as the webhook outbox.
    "lti-deliver-scores": {
        "task": "lti.deliver_scores",
        "schedule": float(CONVLAB_SWEEP_EVERY),
        "options": {"queue": CONVLAB_SWEEP_QUEUE},
    },
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How long /healthz/ready waits for a worker to answer its ping task, and for how many seconds
# its report is kept and served to every caller (at most one worker round trip per period).
HEALTHZ_WORKER_TIMEOUT = envint("HEALTHZ_WORKER_TIMEOUT", 5, minimum=1)
HEALTHZ_CACHE_SECONDS = envint("HEALTHZ_CACHE_SECONDS", 10, minimum=1)

# --- Cache -----------------------------------------------------------------------------------
# `default`, shared by every process: rate-limit counters, rendered feeds and the content versions
# of the kept reads. `local`, this process's memory: the kept reads themselves
# (courseportal/caching.py), only with a cache all processes share, since a write anywhere must
# retire them everywhere. READ_CACHE_ENTRIES=0 keeps nothing. django-redis rather than Django's own
# Redis backend: it keeps one client per connection pool where Django's makes one per call, half
# the CPU of each cache call, and API requests make several (bench/cache.py).
READ_CACHE_ENTRIES = envint("READ_CACHE_ENTRIES", 1000 if REDIS_URL else 0, minimum=0)
READ_CACHE_SECONDS = envint("READ_CACHE_SECONDS", 120, minimum=1)
# A Redis that is down or stopped answering costs a request at most this long per call (its
# callers degrade: courseportal/caching.py, the submit rate limit), never a hang. rediss://: the
# server's certificate is checked (against REDIS_TLS_CA_FILE when it is set).
_REDIS_CACHE_OPTIONS: dict[str, Any] = {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
if redis_tls(REDIS_URL):
    _REDIS_CACHE_OPTIONS["CONNECTION_POOL_KWARGS"] = redis_tls(REDIS_URL)
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _REDIS_CACHE_OPTIONS,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "local": (
        {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "courseportal-local",
            "TIMEOUT": READ_CACHE_SECONDS,
            "OPTIONS": {"MAX_ENTRIES": READ_CACHE_ENTRIES},
        }
        if READ_CACHE_ENTRIES
        else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    ),
}

# --- Email ----------------------------------------------------------------------------------
# Roster invitations and the staff's grader alerts go out by SMTP once EMAIL_HOST names a
# server; without one, mail is printed to the log (development, a trial run). Port 587 with
# STARTTLS is what mail providers expect from an application that logs in.
EMAIL_HOST = envstr("EMAIL_HOST") or "localhost"
EMAIL_PORT = envint("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = envstr("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if envstr("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL") or "courseportal@localhost"
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend.
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envloglevel("LOG_LEVEL", "INFO")},
}
