"""Settings for every environment, driven by environment variables.

DATABASE_URL   default: SQLite file `db.sqlite3` in the project folder (the embedded default)
REDIS_URL      unset: Celery tasks run eagerly in-process and /readyz skips the Redis check
SECRET_KEY     required when DEBUG is off
DEBUG          "1"/"true" turns debug on (off by default)
ALLOWED_HOSTS  comma-separated
EMAIL_URL-ish  EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL
API_THROTTLE_RATE  REST API requests per person, default "1000/min"
COE_POLL_SECONDS, COE_PRESENCE_TTL_SECONDS  live COE editing: poll interval, how long "editing now" lasts
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "core",
    "incidents",
    "alerts",
    "coe",
    "metrics",
    "notifications",
    "devdata",  # demo and scale data (seed_demo, seed_scale); depends on every app, nothing on it
]

MIDDLEWARE = [
    "core.middleware.UrlLengthMiddleware",  # 414 in JSON past MAX_URL_LENGTH (see gunicorn.conf.py)
    "core.middleware.NulInputMiddleware",  # a NUL the database refuses is a 400, not a 500
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "core.security.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.UserTimezoneMiddleware",
]

# Characters of path and query; a longer URL is a 414 (core.middleware.UrlLengthMiddleware).
MAX_URL_LENGTH = 8000

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# Database: one URL. Default is the embedded SQLite file; production sets a postgres:// URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Never hang on a dead database: bounded connect and statement times.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
            "options": f"-c statement_timeout={int(os.environ.get('DB_STATEMENT_TIMEOUT_MS', '30000'))}",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")  # the default display zone; each user may pick their own
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly in-process (the embedded default).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost//"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 30
CELERY_TASK_TIME_LIMIT = 45
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# The worker outlives a broker outage of any length: it retries the connection forever, at start-up
# too, with backoff and jitter, and keeps its pool (see config.celery.OutageTolerantConsumer).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CHANNEL_ERROR_RETRY = True
CELERY_WORKER_CONSUMER = "config.celery:OutageTolerantConsumer"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    # A half-open connection (Redis failed over, a NAT forgot us) is noticed within seconds.
    "socket_keepalive": True,
    "health_check_interval": 10,
    # No retry_on_timeout: a timed-out publish retried by redis-py may be sent twice, and retries
    # live in one layer (the connection retry above, the tasks' own autoretry).
    "visibility_timeout": 3600,
}
CELERY_TIMEZONE = os.environ.get("REPORTING_TIME_ZONE", "UTC")  # beat crontabs (the Monday digest)

# Celery queues: an alert storm on "ingest" cannot starve reminders on "notify" or the "metrics" work.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "alerts.tasks.*": {"queue": "ingest"},
    "notifications.tasks.*": {"queue": "notify"},
    "metrics.tasks.*": {"queue": "metrics"},
    "core.tasks.*": {"queue": "default"},
}

# Cache: Redis when configured (shared rate limits and the ingestion doorbell), else in-process.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Alert ingestion.
INGEST_MAX_BODY_BYTES = int(os.environ.get("INGEST_MAX_BODY_BYTES", str(1024 * 1024)))
INGEST_BATCH_SIZE = int(os.environ.get("INGEST_BATCH_SIZE", "200"))
# How long a resolve is remembered for its identity (so a late, older firing copy opens nothing).
ALERT_RESOLVE_MEMORY_DAYS = int(os.environ.get("ALERT_RESOLVE_MEMORY_DAYS", "7"))
INGEST_MAX_ATTEMPTS = 3  # a delivery that fails this often is marked failed and shown, never blocking others

# Consumers of the event logs (core.consumers): an event that fails this often is recorded and skipped;
# an id not yet committed when a consumer passed it is looked for again for this long.
CONSUMER_MAX_ATTEMPTS = 3
CONSUMER_GAP_SECONDS = 600
DATA_UPLOAD_MAX_MEMORY_SIZE = max(INGEST_MAX_BODY_BYTES + 1024, 2_621_440)

# Health checks: each dependency gets this long before it counts as down.
HEALTH_CHECK_TIMEOUT_SECONDS = float(os.environ.get("HEALTH_CHECK_TIMEOUT_SECONDS", "2"))

# Email (reminders and notifications use Django's email backend).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = min(float(os.environ.get("EMAIL_TIMEOUT", "5")), 5.0)  # connect and each read, at most 5 s
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cornerstone@localhost")

REST_FRAMEWORK = {
    # Bearer first: its WWW-Authenticate challenge is what a 401 carries.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # JSON in (depth-bounded, lone surrogates replaced: core.parsers), JSON out; nothing else.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JsonParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_THROTTLE_RATE", "1000/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cornerstone API",
    "DESCRIPTION": "Incidents, their phases and timeline, alerts, teams and services. Errors are "
    '`{"message", "code", "extra"}`, whatever answers them (414 and 431 included). Request bodies are '
    "JSON only (anything else is 415), nested at most 64 levels (deeper is a 400 `parse_error`), with "
    "no field the operation does not declare; text never holds a NUL character, and a lone surrogate "
    "is kept as U+FFFD. URLs are at most 8000 characters (414). See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # additionalProperties: false on bodies, text patterns, 415 (see core/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.schema.postprocess"],
    "ENUM_NAME_OVERRIDES": {
        "PhaseEnum": "incidents.phases.Phase",
        "StatusEnum": "incidents.models.Status",
        "KindEnum": "incidents.models.EventKind",
        "AlertStatusEnum": "alerts.models.AlertStatus",
        "IntegrationKindEnum": "alerts.models.Kind",
    },
    # swagger-ui is vendored (static/vendor/VERSIONS.md): the docs work offline, no CDN.
    "SWAGGER_UI_DIST": f"/{STATIC_URL.strip('/')}/vendor/swagger-ui-dist/5.35.0",
    "SWAGGER_UI_FAVICON_HREF": f"/{STATIC_URL.strip('/')}/vendor/swagger-ui-dist/5.35.0/favicon-32x32.png",
}

# Domain defaults.
# The industry figure people quote for an hour of infrastructure downtime (IDC / Ponemon): $100,000.
DEFAULT_DOWNTIME_COST_PER_HOUR = Decimal(os.environ.get("DEFAULT_DOWNTIME_COST_PER_HOUR", "100000"))
INCIDENTS_PER_PAGE = 25
# Writing a COE together: how often an open COE page asks for others' saves and presence, and how long
# an "editing this section now" mark lasts unless renewed (it expires by itself).
COE_POLL_SECONDS = float(os.environ.get("COE_POLL_SECONDS", "4"))
COE_PRESENCE_TTL_SECONDS = int(os.environ.get("COE_PRESENCE_TTL_SECONDS", "20"))

# Resilience metrics (the `metrics` app). Weeks are ISO weeks (Monday first) in this zone; changing it
# needs `manage.py recompute_metrics --since ...` to re-bucket history.
REPORTING_TIME_ZONE = os.environ.get("REPORTING_TIME_ZONE", "UTC")
# Changes to incidents within this many seconds collapse into one recompute of their week.
METRICS_DEBOUNCE_SECONDS = float(os.environ.get("METRICS_DEBOUNCE_SECONDS", "5"))
# A percentile over fewer samples than this is shown with a warning.
METRICS_SMALL_SAMPLE = 5

# Reminders and notifications (the `notifications` app).
# Absolute links in emails and webhooks, e.g. https://cornerstone.example.com
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Every send: at most this many retries (exponential backoff from the base, full jitter), then failed.
NOTIFY_MAX_RETRIES = min(int(os.environ.get("NOTIFY_MAX_RETRIES", "2")), 2)
NOTIFY_RETRY_BACKOFF_SECONDS = float(os.environ.get("NOTIFY_RETRY_BACKOFF_SECONDS", "30"))
# Webhook timeouts (connect, read), each at most 5 s.
NOTIFY_WEBHOOK_TIMEOUT = (
    min(float(os.environ.get("NOTIFY_WEBHOOK_CONNECT_TIMEOUT", "3")), 5.0),
    min(float(os.environ.get("NOTIFY_WEBHOOK_READ_TIMEOUT", "5")), 5.0),
)
# Outbound calls (webhooks, SNS fetches) to private, loopback or link-local addresses: refused unless
# allowed here (an intranet receiver; the tests' receivers on 127.0.0.1). See core/netguard.py.
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env_bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS", False)
# An active incident with no timeline activity for this long reminds its commander (none for SEV4).
STALE_INCIDENT_MINUTES = {"SEV1": 30, "SEV2": 60, "SEV3": 240, "SEV4": None}

# Content-Security-Policy (django-csp 4.x): scripts only from our own static files (htmx, app.js), no
# inline script or on*= handler anywhere. Styles allow 'unsafe-inline' (for styles only): templates
# still carry style="" attributes and the print page a <style> block; CSS cannot run script, and
# script-src is what stops an injected script. htmx adds no <style> (includeIndicatorStyles: false).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features no page uses, off for every origin (core.security sends it, intake included).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Production hardening: on whenever DEBUG is off, so `manage.py check --deploy` is clean.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per task that succeeded: the consumers alone run every few seconds (and after every
    # commit in the embedded default). Failures and retries are still logged, as warnings and errors.
    "loggers": {"celery.app.trace": {"level": os.environ.get("TASK_LOG_LEVEL", "WARNING")}},
}
